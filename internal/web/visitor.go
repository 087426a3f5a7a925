package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"time"

	"medic"
	"medic/internal/app"
)

// visitor is the signed-in user of a desk request: their session, account
// and memberships, and (inside a practice) the practice and membership.
type visitor struct {
	session     *medic.Session
	user        *medic.User
	memberships []medic.Membership
	practice    *medic.Practice // nil outside a practice
	tenant      medic.Tenant
	me          *app.Me // what signedIn read, for entering the practice
}

// zone is the practice's time zone: every time on the desk is shown and
// read in it (Africa/Johannesburg when unset, as the use cases read it).
func (v *visitor) zone() *time.Location {
	name := ""
	if v != nil && v.practice != nil {
		name = v.practice.TimeZone
	}
	if name == "" {
		name = "Africa/Johannesburg"
	}
	if l, err := time.LoadLocation(name); err == nil {
		return l
	}
	return time.UTC
}

// inPractice reports whether the request works in a practice.
func (v *visitor) inPractice() bool { return v != nil && v.practice != nil }

type visitorKey struct{}

func withVisitor(ctx context.Context, v *visitor) context.Context {
	return context.WithValue(ctx, visitorKey{}, v)
}

func visitorFrom(ctx context.Context) *visitor {
	v, _ := ctx.Value(visitorKey{}).(*visitor)
	return v
}

// deskHandler is a desk page that needs a signed-in visitor.
type deskHandler func(w http.ResponseWriter, r *http.Request, v *visitor)

// signedIn sends visitors without a browser session to the sign-in page (or
// to the second step when a code is still owed), and loads the account.
func (h *Handler) signedIn(next deskHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		s := app.SessionFrom(ctx)
		if s == nil || medic.ActorFrom(ctx).UserID == "" {
			if s != nil && s.TwoFactorPending {
				seeOther(w, r, "/login/2fa"+nextQuery(r))
				return
			}
			seeOther(w, r, "/login"+nextQuery(r))
			return
		}
		// The memberships (the top bar) and the desk's practice with the
		// user's membership there come in one round trip.
		me, err := h.app.WhoAmIAt(ctx, s.ActivePracticeID)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		v := &visitor{session: s, user: me.User, memberships: me.Memberships, me: me}
		next(w, r.WithContext(withVisitor(ctx, v)), v)
	}
}

// member is signedIn plus the session's practice entered: the request's
// context carries the tenant and the membership from here on.
func (h *Handler) member(next deskHandler) http.HandlerFunc {
	return h.signedIn(func(w http.ResponseWriter, r *http.Request, v *visitor) {
		if v.session.ActivePracticeID == "" {
			seeOther(w, r, "/") // the dashboard explains there is no practice yet
			return
		}
		ctx, err := h.enter(r.Context(), v)
		switch {
		case errors.Is(err, app.ErrTwoFactorRequired):
			seeOther(w, r, "/account?m=2fa-required")
		case medic.ErrorCode(err) == medic.ENOTFOUND:
			seeOther(w, r, "/") // membership gone: the dashboard offers the others
		case err != nil:
			h.fail(w, r, err)
		default:
			next(w, r.WithContext(ctx), v)
		}
	})
}

// enter enters the session's practice and records it on v. A suspended
// practice is reported as such to its members.
func (h *Handler) enter(ctx context.Context, v *visitor) (context.Context, error) {
	ctx, p, err := h.app.EnterPracticeOf(ctx, v.me, v.session.ActivePracticeID)
	if err != nil {
		if medic.ErrorCode(err) == medic.EFORBIDDEN && !errors.Is(err, app.ErrTwoFactorRequired) {
			return ctx, &pageError{title: "Practice suspended", err: err}
		}
		return ctx, err
	}
	v.practice = p
	v.tenant, _ = medic.TenantFrom(ctx)
	return withVisitor(ctx, v), nil
}

// nextQuery is "?next=<this page>" for a GET, so sign-in returns here.
func nextQuery(r *http.Request) string {
	if r.Method != http.MethodGet || r.URL.Path == "/" {
		return ""
	}
	return "?next=" + url.QueryEscape(r.URL.RequestURI())
}

// today is the current date in the practice's time zone, by the app's clock.
func (h *Handler) today(v *visitor) medic.Date {
	return medic.DateOf(h.app.Clock.Now().In(v.zone()))
}
