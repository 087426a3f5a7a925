package medic

import "context"

type ctxKey int

const (
	actorKey ctxKey = iota
	tenantKey
	requestKey
)

// Actor is who is acting: a signed-in user (by session or API token), or the
// system itself (jobs, demo loader) when UserID is empty.
type Actor struct {
	UserID     string
	Email      string
	Name       string
	IsOperator bool
	SessionID  string // set when acting through a browser session
	TokenID    string // set when acting through a personal API token
	ClientID   string // set when acting through a SMART app (its client id)
}

// Tenant is the practice a request works in, with the actor's membership.
// The store takes the practice from here and fails closed without it.
type Tenant struct {
	PracticeID string
	Slug       string
	Name       string
	TimeZone   string
	MemberID   string
	Role       Role
	// Backend is a SMART backend service acting for itself (no member,
	// no Role): it holds BackendPermissions only.
	Backend bool
}

// BackendPermissions are what a SMART backend service may do: read the
// practice's records, write nothing.
var BackendPermissions = set(PermPatientsRead, PermAppointmentsRead, PermClinicalRead, PermDiagnosesRead, PermPrescriptionsRead)

// Can reports whether the tenant membership holds p.
func (t Tenant) Can(p Permission) bool {
	if t.Backend {
		return BackendPermissions[p]
	}
	return t.Role.Can(p)
}

// RequestInfo is what the audit log records about where a change came from.
type RequestInfo struct {
	RequestID string
	IP        string
	UserAgent string
}

func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey, a)
}

// ActorFrom returns the actor, or the zero Actor (the system) when none is set.
func ActorFrom(ctx context.Context) Actor {
	a, _ := ctx.Value(actorKey).(Actor)
	return a
}

func WithTenant(ctx context.Context, t Tenant) context.Context {
	return context.WithValue(ctx, tenantKey, t)
}

// TenantFrom returns the current practice and whether one is set.
func TenantFrom(ctx context.Context) (Tenant, bool) {
	t, ok := ctx.Value(tenantKey).(Tenant)
	return t, ok && t.PracticeID != ""
}

func WithRequestInfo(ctx context.Context, r RequestInfo) context.Context {
	return context.WithValue(ctx, requestKey, r)
}

func RequestInfoFrom(ctx context.Context) RequestInfo {
	r, _ := ctx.Value(requestKey).(RequestInfo)
	return r
}
