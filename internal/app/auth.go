package app

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"medic"
	"medic/internal/auth"
)

// Sign-in throttling: failures counted over a window per account and per IP.
const (
	throttleWindow     = 15 * time.Minute
	maxFailuresAccount = 5
	maxFailuresIP      = 30
	maxResetMails      = 3
)

// ErrThrottled is the clear message a throttled sign-in gets.
var ErrThrottled = medic.Errorf(medic.ETOOMANY, "Too many failed sign-ins. Wait 15 minutes and try again, or reset your password.")

var errBadCredentials = medic.Errorf(medic.EUNAUTHORIZED, "The email or password is not right.")

// ErrTOTPNeeded says the password was right and a TOTP code is owed.
var ErrTOTPNeeded = &medic.Error{Code: medic.EUNAUTHORIZED, Message: "Enter the 6-digit code from your authenticator app.", Fields: map[string]string{"totp": "Enter the 6-digit code from your authenticator app."}}

// Login is a sign-in attempt. The second factor is a TOTP code, or a
// recovery code given either in RecoveryCode or in TOTP (told apart by
// shape: six digits against ten letters and digits).
type Login struct {
	Email, Password, TOTP string
	RecoveryCode          string
	IP, UserAgent         string
	// DeferTOTP lets the browser flow ask for the code on a second page: the
	// session is created with TwoFactorPending and works for nothing else.
	DeferTOTP bool
}

// SignedIn is a new session: the cookie token is shown to the client once.
type SignedIn struct {
	Token   string
	Session *medic.Session
	User    *medic.User
}

// SignIn checks the credentials (with throttling) and opens a session.
// Attempts on one account are serialised, so concurrent guesses cannot all
// pass the failure count before any failure is recorded; the attempt and its
// bookkeeping commit together even when the credentials are wrong.
func (a *App) SignIn(ctx context.Context, in Login) (*SignedIn, error) {
	email := strings.ToLower(strings.TrimSpace(in.Email))
	var out *SignedIn
	var refused error
	err := a.Tx.InTx(ctx, func(ctx context.Context) error {
		if err := a.Sessions.LockLoginKey(ctx, "email:"+email); err != nil {
			return err
		}
		out, refused = a.signIn(ctx, in, email)
		if medic.ErrorCode(refused) == medic.EINTERNAL {
			return refused
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if refused == nil && out != nil {
		a.rehash(ctx, out.User, in.Password)
	}
	return out, refused
}

func (a *App) signIn(ctx context.Context, in Login, email string) (*SignedIn, error) {
	accountKey, ipKey := "email:"+email, "ip:"+in.IP
	since := a.now().Add(-throttleWindow)
	nAcct, err := a.Sessions.LoginFailures(ctx, accountKey, since)
	if err != nil {
		return nil, err
	}
	nIP, err := a.Sessions.LoginFailures(ctx, ipKey, since)
	if err != nil {
		return nil, err
	}
	u, err := a.Users.FindUserByEmail(ctx, email)
	if err != nil && medic.ErrorCode(err) != medic.ENOTFOUND {
		return nil, err
	}
	if nAcct >= maxFailuresAccount || nIP >= maxFailuresIP {
		a.auditSignIn(ctx, u, email, medic.OutcomeDenied, "throttled")
		return nil, ErrThrottled
	}
	if u == nil {
		auth.DummyCheck(in.Password) // same time as a real check: no account enumeration
		return nil, a.failSignIn(ctx, nil, email, accountKey, ipKey, "unknown_account", errBadCredentials)
	}
	ok, err := auth.CheckPassword(u.PasswordHash, in.Password)
	if err != nil || !ok || u.Status != medic.UserActive {
		return nil, a.failSignIn(ctx, u, email, accountKey, ipKey, "bad_password", errBadCredentials)
	}
	pending, method := false, ""
	if u.TOTPEnabled {
		switch {
		case in.TOTP != "" || in.RecoveryCode != "":
			var err error
			if method, err = a.checkSecondFactor(ctx, u, in.TOTP, in.RecoveryCode); err != nil {
				if medic.ErrorCode(err) == medic.EINTERNAL {
					return nil, err
				}
				return nil, a.failSignIn(ctx, u, email, accountKey, ipKey, "bad_"+method, err)
			}
		case in.DeferTOTP:
			pending = true
		default:
			return nil, ErrTOTPNeeded
		}
	}
	out, err := a.openSession(ctx, u, "", in.IP, in.UserAgent, pending)
	if err != nil {
		return nil, err
	}
	if pending {
		// Only the password is proven: the failures stay counted, or
		// redoing the password step would reset the throttle on codes.
		return out, nil
	}
	if err := a.Sessions.ClearLoginFailures(ctx, accountKey, a.now().Add(-24*time.Hour)); err != nil {
		return nil, err
	}
	a.auditSignedIn(ctx, u, email, method)
	return out, nil
}

// rehash stores the password proven at sign-in again with the current
// argon2id parameters when the stored hash was made with others (raised
// costs reach every account at its next sign-in). It runs after the
// sign-in committed, in its own statement, and replaces only the hash that
// was checked: a password reset or change that landed meanwhile stands. A
// failure only means it happens next time.
func (a *App) rehash(ctx context.Context, u *medic.User, password string) {
	if !auth.NeedsRehash(u.PasswordHash) {
		return
	}
	if hash, err := auth.HashPassword(password); err == nil {
		_ = a.Users.ReplacePasswordHash(ctx, u.ID, u.PasswordHash, hash)
	}
}

const msgBadRecoveryCode = "That recovery code is not right or was already used."

// checkSecondFactor checks the code owed after the password: a TOTP code,
// or a recovery code (in recovery, or in code when it has that shape),
// which is used up. It returns the method ("totp" or "recovery_code") for
// the audit trail. The caller holds the account's sign-in lock and counts
// a refusal as a failed attempt, so recovery codes are throttled exactly
// like TOTP codes.
func (a *App) checkSecondFactor(ctx context.Context, u *medic.User, code, recovery string) (method string, err error) {
	field := "recovery_code"
	if recovery == "" && auth.IsRecoveryCode(code) {
		recovery, code, field = code, "", "totp"
	}
	if recovery == "" {
		return "totp", a.checkTOTP(ctx, u, code)
	}
	if code != "" {
		return "recovery_code", &medic.Error{Code: medic.EINVALID, Message: "Send either a code from the app or a recovery code, not both.", Fields: map[string]string{"recovery_code": "Send either this or the code from the app."}}
	}
	if err := a.Users.UseRecoveryCode(ctx, u.ID, auth.HashRecoveryCode(recovery)); err != nil {
		if medic.ErrorCode(err) == medic.EUNAUTHORIZED {
			err = &medic.Error{Code: medic.EUNAUTHORIZED, Message: msgBadRecoveryCode, Fields: map[string]string{field: msgBadRecoveryCode}}
		}
		return "recovery_code", err
	}
	return "recovery_code", nil
}

// auditSignedIn records a successful sign-in; one with a recovery code
// says so and how many codes are left (never the code).
func (a *App) auditSignedIn(ctx context.Context, u *medic.User, email, method string) {
	if method != "recovery_code" {
		a.auditSignIn(ctx, u, email, medic.OutcomeSuccess, "")
		return
	}
	detail := map[string]string{"method": method}
	if n, err := a.Users.CountRecoveryCodes(ctx, u.ID); err == nil {
		detail["recovery_codes_left"] = strconv.Itoa(n)
	}
	_ = a.auditUser(ctx, u, email, "auth.login", medic.OutcomeSuccess, detail)
}

func (a *App) checkTOTP(ctx context.Context, u *medic.User, code string) error {
	step, ok := auth.VerifyTOTP(u.TOTPSecret, code, a.now(), u.TOTPLastStep)
	if !ok {
		return &medic.Error{Code: medic.EUNAUTHORIZED, Message: "That code is not right.", Fields: map[string]string{"totp": "That code is not right."}}
	}
	return a.Users.UseTOTPStep(ctx, u.ID, step)
}

func (a *App) failSignIn(ctx context.Context, u *medic.User, email, accountKey, ipKey, reason string, err error) error {
	_ = a.Sessions.RecordLoginFailure(ctx, accountKey, ipKey)
	a.auditSignIn(ctx, u, email, medic.OutcomeFailure, reason)
	return err
}

// auditSignIn writes the attempt to the platform log and, for a known user,
// to the log of each practice they belong to, so its admins see it.
func (a *App) auditSignIn(ctx context.Context, u *medic.User, email, outcome, reason string) {
	detail := map[string]string{}
	if reason != "" {
		detail["reason"] = reason
	}
	action := "auth.login"
	if outcome != medic.OutcomeSuccess {
		action = "auth.login_failed"
	}
	_ = a.auditUser(ctx, u, email, action, outcome, detail)
}

// auditUser writes an event about user u's sign-in credentials to the
// platform log and, for a known user, to the log of each practice they
// belong to, like sign-ins.
func (a *App) auditUser(ctx context.Context, u *medic.User, email, action, outcome string, detail map[string]string) error {
	ev := medic.AuditEvent{Action: action, ActorEmail: email, EntityType: "user", Outcome: outcome, Detail: detail}
	return a.Tx.InTx(ctx, func(ctx context.Context) error {
		if u != nil {
			ev.ActorID, ev.EntityID = u.ID, u.ID
			ctx = medic.WithActor(ctx, medic.Actor{UserID: u.ID, Email: u.Email})
		}
		if err := a.Audit.RecordPlatform(ctx, ev); err != nil {
			return err
		}
		if u == nil {
			return nil
		}
		ms, err := a.Members.MembershipsOfUser(ctx, u.ID)
		if err != nil {
			return err
		}
		for _, m := range ms {
			e := ev
			e.PracticeID = m.PracticeID
			if err := a.Audit.Record(ctx, e); err != nil {
				return err
			}
		}
		return nil
	})
}

// openSession creates a session, choosing the user's only (or first active)
// practice as the desk's starting point.
func (a *App) openSession(ctx context.Context, u *medic.User, practiceID, ip, ua string, pending bool) (*SignedIn, error) {
	if practiceID == "" {
		ms, err := a.Members.MembershipsOfUser(medic.WithActor(ctx, medic.Actor{UserID: u.ID}), u.ID)
		if err != nil {
			return nil, err
		}
		for _, m := range ms {
			if m.Active && m.PracticeStatus == medic.PracticeActive {
				practiceID = m.PracticeID
				break
			}
		}
	}
	token, hash, err := auth.NewToken("s_")
	if err != nil {
		return nil, err
	}
	s := &medic.Session{UserID: u.ID, ActivePracticeID: practiceID, IP: ip, UserAgent: truncate(ua, 300), TwoFactorPending: pending}
	if err := a.Sessions.CreateSession(ctx, s, hash); err != nil {
		return nil, err
	}
	return &SignedIn{Token: token, Session: s, User: u}, nil
}

// CompleteTwoFactor finishes a deferred sign-in: the code is checked, the
// pending session ended and a fresh one (new token) opened.
//
// code is a TOTP code, or a recovery code (which is used up); recovery, when
// set, is a recovery code given in a field of its own.
func (a *App) CompleteTwoFactor(ctx context.Context, s *medic.Session, code, recovery string) (*SignedIn, error) {
	if !s.TwoFactorPending {
		return nil, medic.Errorf(medic.EINVALID, "No sign-in is waiting for a code.")
	}
	u, err := a.Users.FindUserByID(ctx, s.UserID)
	if err != nil {
		return nil, err
	}
	key, ipKey := "email:"+strings.ToLower(u.Email), "ip:"+s.IP
	// Serialised and counted like the password step, so concurrent code
	// guesses cannot all slip past the failure count.
	var refused error
	var method string
	var out *SignedIn
	err = a.Tx.InTx(ctx, func(ctx context.Context) error {
		if err := a.Sessions.LockLoginKey(ctx, key); err != nil {
			return err
		}
		n, err := a.Sessions.LoginFailures(ctx, key, a.now().Add(-throttleWindow))
		if err != nil {
			return err
		}
		if n >= maxFailuresAccount {
			refused = ErrThrottled
			if err := a.Sessions.EndSession(ctx, u.ID, s.ID); err != nil && medic.ErrorCode(err) != medic.ENOTFOUND {
				return err
			}
			return nil
		}
		var err2 error
		if method, err2 = a.checkSecondFactor(ctx, u, code, recovery); err2 != nil {
			if medic.ErrorCode(err2) == medic.EINTERNAL {
				return err2
			}
			refused = a.failSignIn(ctx, u, u.Email, key, ipKey, "bad_"+method, err2)
			return nil
		}
		// In the same transaction as the code's use: a recovery code is
		// only spent if the new session exists.
		if out, err = a.rotate(ctx, s, u, s.ActivePracticeID); err != nil {
			return err
		}
		return a.Sessions.ClearLoginFailures(ctx, key, a.now().Add(-24*time.Hour))
	})
	if err != nil {
		return nil, err
	}
	if refused != nil {
		return nil, refused
	}
	a.auditSignedIn(ctx, u, u.Email, method)
	return out, nil
}

// rotate replaces session s by a new one (new token) for practiceID.
func (a *App) rotate(ctx context.Context, s *medic.Session, u *medic.User, practiceID string) (*SignedIn, error) {
	var out *SignedIn
	err := a.Tx.InTx(ctx, func(ctx context.Context) error {
		if err := a.Sessions.EndSession(ctx, u.ID, s.ID); err != nil {
			return err
		}
		var err error
		out, err = a.openSession(ctx, u, practiceID, s.IP, s.UserAgent, false)
		return err
	})
	return out, err
}

// Authenticate returns the live session and user for a cookie token.
func (a *App) Authenticate(ctx context.Context, token string) (*medic.Session, *medic.User, error) {
	s, u, err := a.Sessions.TouchSessionWithUser(ctx, auth.HashToken(token), a.SessionIdle, a.SessionAbsolute)
	if err != nil {
		return nil, nil, err
	}
	if u.Status != medic.UserActive {
		return nil, nil, medic.ErrNotFound
	}
	return s, u, nil
}

// AuthenticateToken returns ctx signed in with a bearer token: the actor,
// the token and its user, and the token's practice with the membership
// read with them (EnterRequestPractice takes those rather than reading
// them again).
func (a *App) AuthenticateToken(ctx context.Context, bearer string) (context.Context, error) {
	in, err := a.Tokens.FindAPITokenWithUser(ctx, auth.HashToken(bearer))
	if err != nil {
		return ctx, err
	}
	t, u := in.Token, in.User
	if u.Status != medic.UserActive {
		return ctx, medic.ErrNotFound
	}
	ctx = medic.WithActor(ctx, medic.Actor{UserID: u.ID, Email: u.Email, Name: u.Name, IsOperator: u.IsOperator, TokenID: t.ID})
	ctx = WithSignedInUser(WithAPIToken(ctx, t), u)
	if in.Practice != nil {
		ctx = context.WithValue(ctx, tokenPracticeKey, in)
	}
	return ctx, nil
}

// SignOut ends the session server-side; its cookie is dead from now on.
func (a *App) SignOut(ctx context.Context, s *medic.Session) error {
	return a.Tx.InTx(ctx, func(ctx context.Context) error {
		if err := a.Sessions.EndSession(ctx, s.UserID, s.ID); err != nil {
			return err
		}
		return a.Audit.RecordPlatform(ctx, medic.AuditEvent{Action: "auth.logout", EntityType: "session", EntityID: s.ID})
	})
}

// SwitchPractice moves the desk to another practice of the user, rotating
// the session.
func (a *App) SwitchPractice(ctx context.Context, s *medic.Session, u *medic.User, ref string) (*SignedIn, error) {
	_, p, err := a.EnterPractice(ctx, ref)
	if err != nil && err != ErrTwoFactorRequired {
		return nil, err
	}
	// A practice that requires 2FA may still be chosen; the desk then asks
	// the user to set it up before anything else works there.
	var out *SignedIn
	err = a.Tx.InTx(ctx, func(ctx context.Context) error {
		var err error
		if out, err = a.rotate(ctx, s, u, p.ID); err != nil {
			return err
		}
		pctx := medic.WithTenant(ctx, medic.Tenant{PracticeID: p.ID})
		return a.audit(pctx, "auth.practice_switched", "practice", p.ID, nil)
	})
	return out, err
}

// ListMySessions lists the signed-in user's live sessions.
func (a *App) ListMySessions(ctx context.Context) ([]*medic.Session, error) {
	return a.Sessions.ListSessions(ctx, medic.ActorFrom(ctx).UserID)
}

// EndMySession ends one of the signed-in user's sessions.
func (a *App) EndMySession(ctx context.Context, id string) error {
	actor := medic.ActorFrom(ctx)
	return a.Tx.InTx(ctx, func(ctx context.Context) error {
		if err := a.Sessions.EndSession(ctx, actor.UserID, id); err != nil {
			return err
		}
		return a.Audit.RecordPlatform(ctx, medic.AuditEvent{Action: "auth.session_ended", EntityType: "session", EntityID: id})
	})
}

// ChangePassword checks the current password, stores the new one and ends
// every other session of the user.
func (a *App) ChangePassword(ctx context.Context, current, next string) error {
	actor := medic.ActorFrom(ctx)
	u, err := a.Users.FindUserByID(ctx, actor.UserID)
	if err != nil {
		return err
	}
	if err := a.checkPassword(ctx, u, current, "current_password"); err != nil {
		return err
	}
	if err := auth.ValidatePassword(next); err != nil {
		return &medic.Error{Code: medic.EINVALID, Message: err.Error(), Fields: map[string]string{"new_password": err.Error()}}
	}
	hash, err := auth.HashPassword(next)
	if err != nil {
		return err
	}
	return a.Tx.InTx(ctx, func(ctx context.Context) error {
		if err := a.Users.SetPassword(ctx, u.ID, hash); err != nil {
			return err
		}
		if err := a.Sessions.EndUserSessions(ctx, u.ID, actor.SessionID); err != nil {
			return err
		}
		return a.Audit.RecordPlatform(ctx, medic.AuditEvent{Action: "auth.password_changed", EntityType: "user", EntityID: u.ID})
	})
}

// RequestPasswordReset emails a single-use link valid for an hour. It
// answers the same whether or not the email is known.
func (a *App) RequestPasswordReset(ctx context.Context, email string) error {
	u, err := a.Users.FindUserByEmail(ctx, strings.TrimSpace(email))
	if medic.ErrorCode(err) == medic.ENOTFOUND {
		return nil
	} else if err != nil {
		return err
	}
	if u.Status != medic.UserActive {
		return nil
	}
	// At most maxResetMails an hour per account: nobody can flood a mailbox.
	key := "reset:" + strings.ToLower(u.Email)
	if n, err := a.Sessions.LoginFailures(ctx, key, a.now().Add(-time.Hour)); err != nil {
		return err
	} else if n >= maxResetMails {
		return nil
	}
	if err := a.Sessions.RecordLoginFailure(ctx, key); err != nil {
		return err
	}
	token, hash, err := auth.NewToken("r_")
	if err != nil {
		return err
	}
	link := a.BaseURL + "/reset/" + token
	return a.Tx.InTx(ctx, func(ctx context.Context) error {
		if err := a.Sessions.CreatePasswordReset(ctx, u.ID, hash, a.now().Add(time.Hour)); err != nil {
			return err
		}
		if err := a.Mail.EnqueueMail(ctx, medic.Mail{
			To:      []string{u.Email},
			Subject: "Reset your Medic password",
			Text: fmt.Sprintf("Hello %s,\n\nSomeone asked to reset the password of your Medic account. To choose a new password, open this link within one hour:\n\n%s\n\nIf this was not you, ignore this email; your password stays as it is.\n",
				u.Name, link),
		}); err != nil {
			return err
		}
		return a.Audit.RecordPlatform(ctx, medic.AuditEvent{Action: "auth.password_reset_requested", EntityType: "user", EntityID: u.ID, ActorEmail: u.Email})
	})
}

// CheckPasswordReset reports whether a reset link is still usable.
func (a *App) CheckPasswordReset(ctx context.Context, token string) error {
	return a.Sessions.PeekPasswordReset(ctx, auth.HashToken(token))
}

// ResetPassword uses a reset link once, sets the password and ends every
// session of the user.
func (a *App) ResetPassword(ctx context.Context, token, password string) error {
	if err := auth.ValidatePassword(password); err != nil {
		return &medic.Error{Code: medic.EINVALID, Message: err.Error(), Fields: map[string]string{"password": err.Error()}}
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return err
	}
	return a.Tx.InTx(ctx, func(ctx context.Context) error {
		userID, err := a.Sessions.UsePasswordReset(ctx, auth.HashToken(token))
		if err != nil {
			return medic.Errorf(medic.ENOTFOUND, "This reset link is not valid any more. Ask for a new one.")
		}
		if err := a.Users.SetPassword(ctx, userID, hash); err != nil {
			return err
		}
		if err := a.Sessions.EndUserSessions(ctx, userID, ""); err != nil {
			return err
		}
		// The throttle message offers a reset as the way out: lift it.
		u, err := a.Users.FindUserByID(ctx, userID)
		if err != nil {
			return err
		}
		if err := a.Sessions.ClearLoginFailures(ctx, "email:"+strings.ToLower(u.Email), a.now().Add(-24*time.Hour)); err != nil {
			return err
		}
		return a.Audit.RecordPlatform(ctx, medic.AuditEvent{Action: "auth.password_reset", EntityType: "user", EntityID: userID, ActorID: userID})
	})
}

// checkPassword verifies the signed-in user's password where a form asks
// for it again (change password, turn off 2FA, join with an existing
// account), under the sign-in throttle: serialised and counted per account.
func (a *App) checkPassword(ctx context.Context, u *medic.User, password, field string) error {
	key := "email:" + strings.ToLower(u.Email)
	var refused error
	err := a.Tx.InTx(ctx, func(ctx context.Context) error {
		if err := a.Sessions.LockLoginKey(ctx, key); err != nil {
			return err
		}
		n, err := a.Sessions.LoginFailures(ctx, key, a.now().Add(-throttleWindow))
		if err != nil {
			return err
		}
		if n >= maxFailuresAccount {
			refused = ErrThrottled
			return nil
		}
		if ok, _ := auth.CheckPassword(u.PasswordHash, password); !ok {
			msg := "The password is not right."
			if field == "current_password" {
				msg = "The current password is not right."
			}
			refused = &medic.Error{Code: medic.EINVALID, Message: msg, Fields: map[string]string{field: msg}}
			if err := a.Sessions.RecordLoginFailure(ctx, key, "ip:"+medic.RequestInfoFrom(ctx).IP); err != nil {
				return err
			}
			return a.Audit.RecordPlatform(ctx, medic.AuditEvent{Action: "auth.password_check_failed", EntityType: "user", EntityID: u.ID, Outcome: medic.OutcomeFailure})
		}
		return nil
	})
	if err != nil {
		return err
	}
	return refused
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
