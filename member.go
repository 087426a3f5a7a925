package medic

import (
	"context"
	"time"
)

// Member is a user's membership of one practice, with a role.
type Member struct {
	ID         string
	PracticeID string
	UserID     string
	Role       Role
	Active     bool
	CreatedAt  time.Time
	// Joined from the user, for display.
	Email string
	Name  string
}

// Membership is a member row joined with its practice, for the switcher and /me.
type Membership struct {
	MemberID       string
	PracticeID     string
	PracticeSlug   string
	PracticeName   string
	PracticeStatus PracticeStatus
	Role           Role
	Active         bool
}

// Invitation asks someone by email to join a practice with a role.
type Invitation struct {
	ID         string
	PracticeID string
	Email      string
	Role       Role
	InvitedBy  string
	ExpiresAt  time.Time
	AcceptedAt *time.Time
	CreatedAt  time.Time
}

// MemberService manages the members of the practice in context. Every
// method returns ENOTFOUND for a member of another practice.
type MemberService interface {
	ListMembers(ctx context.Context, p Page) ([]*Member, string, error)
	FindMember(ctx context.Context, id string) (*Member, error)
	FindMemberByUser(ctx context.Context, userID string) (*Member, error)
	// CreateMember returns ECONFLICT if the user is already a member.
	CreateMember(ctx context.Context, m *Member) error
	UpdateMember(ctx context.Context, m *Member) error
	CountActiveAdmins(ctx context.Context) (int, error)
	// LockMembership serialises membership changes of the practice in
	// context until the transaction ends (the last-admin rule stays true).
	LockMembership(ctx context.Context) error
	// FindPracticeWithMember is how a request enters a practice: it resolves
	// ref (id or slug) to a practice, whatever practice is in context, and
	// returns userID's membership in it, read with that practice as the
	// tenant. It returns ENOTFOUND if no practice has that ref, and a nil
	// member if userID is not a member of it.
	FindPracticeWithMember(ctx context.Context, ref, userID string) (*Practice, *Member, error)
	// MembershipsOfUser lists the acting user's own memberships in every practice.
	MembershipsOfUser(ctx context.Context, userID string) ([]Membership, error)
	// MembershipsWithPractice is MembershipsOfUser and, in the same round
	// trip, the practice practiceID (nil if none) with userID's membership
	// in it (nil if none): what a desk page needs before anything else.
	MembershipsWithPractice(ctx context.Context, userID, practiceID string) ([]Membership, *Practice, *Member, error)
}

// InvitationService stores invitations of the practice in context.
type InvitationService interface {
	CreateInvitation(ctx context.Context, inv *Invitation, tokenHash []byte) error
	ListPendingInvitations(ctx context.Context) ([]*Invitation, error)
	// FindInvitationByToken finds an open invitation in any practice by the
	// hash of its secret; ENOTFOUND if unknown, used or expired.
	FindInvitationByToken(ctx context.Context, tokenHash []byte) (*Invitation, error)
	// MarkInvitationAccepted returns ENOTFOUND if already accepted (single use).
	MarkInvitationAccepted(ctx context.Context, id string, at time.Time) error
	RevokeInvitation(ctx context.Context, id string) error
}
