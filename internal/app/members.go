package app

import (
	"context"
	"fmt"
	"time"

	"medic"
	"medic/internal/auth"
)

// invitationTTL is how long an emailed invitation link works.
const invitationTTL = 7 * 24 * time.Hour

// ListMembers lists the members of the practice in context (any member may see who works there).
func (a *App) ListMembers(ctx context.Context, p medic.Page) ([]*medic.Member, string, error) {
	if _, ok := medic.TenantFrom(ctx); !ok {
		return nil, "", medic.ErrNotFound
	}
	return a.Members.ListMembers(ctx, p)
}

// GetMember returns one member of the practice in context.
func (a *App) GetMember(ctx context.Context, id string) (*medic.Member, error) {
	if _, ok := medic.TenantFrom(ctx); !ok {
		return nil, medic.ErrNotFound
	}
	return a.Members.FindMember(ctx, id)
}

// MemberChange is a partial update of a member: nil fields stay.
type MemberChange struct {
	Role   *medic.Role
	Active *bool
}

// UpdateMember changes a member's role or active flag (admin). A practice
// always keeps one active admin.
func (a *App) UpdateMember(ctx context.Context, id string, ch MemberChange) (*medic.Member, error) {
	if _, err := a.allow(ctx, "member.update"); err != nil {
		return nil, err
	}
	if ch.Role != nil && !ch.Role.Valid() {
		return nil, &medic.Error{Code: medic.EINVALID, Message: "Choose a role.", Fields: map[string]string{"role": "Choose admin, doctor, nurse, receptionist or billing."}}
	}
	var m *medic.Member
	err := a.Tx.InTx(ctx, func(ctx context.Context) error {
		if err := a.Members.LockMembership(ctx); err != nil {
			return err
		}
		var err error
		if m, err = a.Members.FindMember(ctx, id); err != nil {
			return err
		}
		before := *m
		// No one locks themselves out: an admin changes others' role and
		// status, never their own (another admin can).
		if t, _ := medic.TenantFrom(ctx); m.ID == t.MemberID &&
			((ch.Role != nil && *ch.Role != m.Role) || (ch.Active != nil && !*ch.Active)) {
			return &medic.Error{Code: medic.ECONFLICT, Message: "You cannot change your own role or deactivate yourself; ask another admin.",
				Fields: map[string]string{"role": "Not on your own membership."}}
		}
		if ch.Role != nil {
			m.Role = *ch.Role
		}
		if ch.Active != nil {
			m.Active = *ch.Active
		}
		if before.Role == m.Role && before.Active == m.Active {
			return nil
		}
		if err := a.Members.UpdateMember(ctx, m); err != nil {
			return err
		}
		if n, err := a.Members.CountActiveAdmins(ctx); err != nil {
			return err
		} else if n == 0 {
			return medic.Errorf(medic.ECONFLICT, "The practice needs at least one active admin. Make someone else admin first.")
		}
		detail := map[string]string{"email": m.Email}
		if before.Role != m.Role {
			detail["from_role"], detail["to_role"] = string(before.Role), string(m.Role)
			if err := a.audit(ctx, "member.role_changed", "member", m.ID, detail); err != nil {
				return err
			}
		}
		if before.Active != m.Active {
			action := "member.deactivated"
			if m.Active {
				action = "member.reactivated"
			}
			if err := a.audit(ctx, action, "member", m.ID, detail); err != nil {
				return err
			}
		}
		return nil
	})
	return m, err
}

// Invite emails a link to join the practice in context with a role (admin).
func (a *App) Invite(ctx context.Context, email string, role medic.Role) (*medic.Invitation, error) {
	t, err := a.allow(ctx, "member.invite")
	if err != nil {
		return nil, err
	}
	f := medic.FieldErrors{}
	email, err = medic.NormalizeEmail(email)
	if err != nil {
		f.Add("email", "Enter a valid email address.")
	}
	if !role.Valid() {
		f.Add("role", "Choose admin, doctor, nurse, receptionist or billing.")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	return a.invite(ctx, t, email, role)
}

func (a *App) invite(ctx context.Context, t medic.Tenant, email string, role medic.Role) (*medic.Invitation, error) {
	if u, err := a.Users.FindUserByEmail(ctx, email); err == nil {
		if _, err := a.Members.FindMemberByUser(ctx, u.ID); err == nil {
			return nil, &medic.Error{Code: medic.ECONFLICT, Message: "This person is already a member.", Fields: map[string]string{"email": "Already a member of this practice."}}
		}
	}
	token, hash, err := auth.NewToken("i_")
	if err != nil {
		return nil, err
	}
	inv := &medic.Invitation{Email: email, Role: role, InvitedBy: medic.ActorFrom(ctx).UserID, ExpiresAt: a.now().Add(invitationTTL)}
	link := a.BaseURL + "/invite/" + token
	err = a.Tx.InTx(ctx, func(ctx context.Context) error {
		if err := a.Invitations.CreateInvitation(ctx, inv, hash); err != nil {
			return err
		}
		if err := a.Mail.EnqueueMail(ctx, medic.Mail{
			To:      []string{email},
			Subject: "You are invited to " + t.Name + " on Medic",
			Text: fmt.Sprintf("Hello,\n\nYou are invited to join %s on Medic as %s. To accept, open this link within 7 days:\n\n%s\n\nIf you did not expect this, ignore this email.\n",
				t.Name, role, link),
		}); err != nil {
			return err
		}
		return a.audit(ctx, "member.invited", "invitation", inv.ID, map[string]string{"email": email, "role": string(role)})
	})
	if err != nil {
		return nil, err
	}
	return inv, nil
}

// ListInvitations lists open invitations of the practice in context (admin).
func (a *App) ListInvitations(ctx context.Context) ([]*medic.Invitation, error) {
	if _, err := a.allow(ctx, "member.invitation_list"); err != nil {
		return nil, err
	}
	return a.Invitations.ListPendingInvitations(ctx)
}

// RevokeInvitation cancels an open invitation (admin).
func (a *App) RevokeInvitation(ctx context.Context, id string) error {
	if _, err := a.allow(ctx, "member.invitation_revoke"); err != nil {
		return err
	}
	return a.Tx.InTx(ctx, func(ctx context.Context) error {
		if err := a.Invitations.RevokeInvitation(ctx, id); err != nil {
			return err
		}
		return a.audit(ctx, "member.invitation_revoked", "invitation", id, nil)
	})
}

// InvitationView is what the invitee sees before accepting.
type InvitationView struct {
	Invitation   *medic.Invitation
	PracticeName string
	// ExistingUser is true when an account with the email exists: accepting
	// then needs that account's password instead of a new one.
	ExistingUser bool
}

// LookupInvitation finds an open invitation by its emailed secret.
func (a *App) LookupInvitation(ctx context.Context, token string) (*InvitationView, error) {
	inv, err := a.Invitations.FindInvitationByToken(ctx, auth.HashToken(token))
	if err != nil {
		return nil, medic.Errorf(medic.ENOTFOUND, "This invitation is not valid any more. Ask the practice to invite you again.")
	}
	p, err := a.Practices.FindPracticeByRef(ctx, inv.PracticeID)
	if err != nil {
		return nil, err
	}
	_, uerr := a.Users.FindUserByEmail(ctx, inv.Email)
	return &InvitationView{Invitation: inv, PracticeName: p.Name, ExistingUser: uerr == nil}, nil
}

// AcceptInvitation joins the invited practice: a new account is created with
// name and password, or an existing account proves itself with its password.
// It returns the user, who is then signed in by the caller.
func (a *App) AcceptInvitation(ctx context.Context, token, name, password string) (*medic.User, error) {
	view, err := a.LookupInvitation(ctx, token)
	if err != nil {
		return nil, err
	}
	inv := view.Invitation
	var u *medic.User
	if view.ExistingUser {
		if u, err = a.Users.FindUserByEmail(ctx, inv.Email); err != nil {
			return nil, err
		}
		if err := a.checkPassword(ctx, u, password, "password"); err != nil {
			return nil, err
		}
	} else {
		f := medic.FieldErrors{}
		if name, err = medic.ValidateName(name); err != nil {
			f.Add("name", medic.ErrorMessage(err))
		}
		if err := auth.ValidatePassword(password); err != nil {
			f.Add("password", err.Error())
		}
		if err := f.Err(); err != nil {
			return nil, err
		}
		hash, err := auth.HashPassword(password)
		if err != nil {
			return nil, err
		}
		u = &medic.User{Email: inv.Email, Name: name, PasswordHash: hash}
	}
	tctx := medic.WithTenant(medic.WithActor(ctx, medic.Actor{UserID: u.ID, Email: u.Email}), medic.Tenant{PracticeID: inv.PracticeID, Name: view.PracticeName})
	err = a.Tx.InTx(tctx, func(ctx context.Context) error {
		if u.ID == "" {
			if err := a.Users.CreateUser(ctx, u); err != nil {
				return err
			}
			ctx = medic.WithActor(ctx, medic.Actor{UserID: u.ID, Email: u.Email})
		}
		if err := a.Invitations.MarkInvitationAccepted(ctx, inv.ID, a.now()); err != nil {
			return medic.Errorf(medic.ENOTFOUND, "This invitation was already used.")
		}
		m := &medic.Member{UserID: u.ID, Role: inv.Role, Active: true}
		if err := a.Members.CreateMember(ctx, m); err != nil {
			return err
		}
		return a.audit(ctx, "member.joined", "member", m.ID, map[string]string{"email": u.Email, "role": string(inv.Role)})
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}
