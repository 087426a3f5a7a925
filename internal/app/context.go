package app

import (
	"context"
	"strings"

	"medic"
)

type ctxKey int

const (
	sessionKey ctxKey = iota
	tokenKey
	userKey
	tokenPracticeKey
)

// WithSession carries the browser session a request came with.
func WithSession(ctx context.Context, s *medic.Session) context.Context {
	return context.WithValue(ctx, sessionKey, s)
}

// SessionFrom returns the request's browser session, if any.
func SessionFrom(ctx context.Context) *medic.Session {
	s, _ := ctx.Value(sessionKey).(*medic.Session)
	return s
}

// WithAPIToken carries the personal API token a request came with.
func WithAPIToken(ctx context.Context, t *medic.APIToken) context.Context {
	return context.WithValue(ctx, tokenKey, t)
}

// APITokenFrom returns the request's API token, if any.
func APITokenFrom(ctx context.Context) *medic.APIToken {
	t, _ := ctx.Value(tokenKey).(*medic.APIToken)
	return t
}

// WithSignedInUser carries the account authentication read for this
// request, so the request's use cases (EnterPractice's 2FA check) need not
// read it again.
func WithSignedInUser(ctx context.Context, u *medic.User) context.Context {
	return context.WithValue(ctx, userKey, u)
}

// SignedInUserFrom returns the account authentication read for this
// request, if any; use it only for the actor's own user id.
func SignedInUserFrom(ctx context.Context) *medic.User {
	u, _ := ctx.Value(userKey).(*medic.User)
	return u
}

// EnterRequestPractice is EnterPractice for a request: a request made with an
// API token may only enter the practice the token is bound to.
func (a *App) EnterRequestPractice(ctx context.Context, ref string) (context.Context, *medic.Practice, error) {
	if acc := SMARTAccessFrom(ctx); acc != nil {
		return a.enterSMART(ctx, acc, ref)
	}
	if in, ok := ctx.Value(tokenPracticeKey).(*medic.TokenSignIn); ok {
		// A token works in its own practice only, read with the token.
		if p := in.Practice; !strings.EqualFold(ref, p.ID) && !strings.EqualFold(ref, p.Slug) {
			return ctx, nil, medic.ErrNotFound
		}
		return a.enter(ctx, in.Practice, in.Member)
	}
	ctx2, p, err := a.EnterPractice(ctx, ref)
	if err != nil {
		return ctx, p, err
	}
	if t := APITokenFrom(ctx); t != nil && t.PracticeID != p.ID {
		return ctx, nil, medic.ErrNotFound
	}
	return ctx2, p, nil
}
