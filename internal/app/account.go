package app

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"medic"
	"medic/internal/auth"
)

// Me is the signed-in user with memberships and permissions per practice.
type Me struct {
	User        *medic.User
	Memberships []medic.Membership
	// at is the practice WhoAmIAt read with the memberships, and the
	// user's membership there (nil if none), for EnterPracticeOf.
	atID     string
	at       *medic.Practice
	atMember *medic.Member
}

// WhoAmI returns the signed-in user and their memberships.
func (a *App) WhoAmI(ctx context.Context) (*Me, error) { return a.WhoAmIAt(ctx, "") }

// WhoAmIAt is WhoAmI that also reads practice practiceID (the desk's
// active practice) with the user's membership in it, in the same round
// trip, so EnterPracticeOf need not read them again.
func (a *App) WhoAmIAt(ctx context.Context, practiceID string) (*Me, error) {
	actor := medic.ActorFrom(ctx)
	// The user read by this request's authentication is current; read it
	// again only without one (a fresh sign-in, or a caller that changed it).
	me := &Me{User: SignedInUserFrom(ctx), atID: practiceID}
	if me.User == nil || me.User.ID != actor.UserID {
		var err error
		if me.User, err = a.Users.FindUserByID(ctx, actor.UserID); err != nil {
			return nil, err
		}
	}
	var err error
	if practiceID == "" {
		err = a.Tx.InReadTx(ctx, func(ctx context.Context) error {
			var err error
			me.Memberships, err = a.Members.MembershipsOfUser(ctx, me.User.ID)
			return err
		})
	} else {
		me.Memberships, me.at, me.atMember, err = a.Members.MembershipsWithPractice(ctx, me.User.ID, practiceID)
	}
	if err != nil {
		return nil, err
	}
	return me, nil
}

// EnterPracticeOf is EnterPractice for ref, taking the practice and the
// membership me read with it (WhoAmIAt) instead of reading them again.
func (a *App) EnterPracticeOf(ctx context.Context, me *Me, ref string) (context.Context, *medic.Practice, error) {
	if me == nil || ref == "" || ref != me.atID || me.at == nil || medic.ActorFrom(ctx).UserID != me.User.ID {
		return a.EnterPractice(ctx, ref)
	}
	return a.enter(ctx, me.at, me.atMember)
}

// TOTPEnrolment is a pending TOTP secret to show as a QR code.
type TOTPEnrolment struct {
	Secret string
	URL    string
	QRPNG  []byte
}

// BeginTOTP stores a new, not yet enabled secret for the signed-in user.
func (a *App) BeginTOTP(ctx context.Context) (*TOTPEnrolment, error) {
	actor := medic.ActorFrom(ctx)
	u, err := a.Users.FindUserByID(ctx, actor.UserID)
	if err != nil {
		return nil, err
	}
	if u.TOTPEnabled {
		return nil, medic.Errorf(medic.ECONFLICT, "Two-factor sign-in is already on. Turn it off first to enrol a new device.")
	}
	secret, url, err := auth.NewTOTPKey("Medic", u.Email)
	if err != nil {
		return nil, err
	}
	png, err := auth.TOTPQRCodePNG(url)
	if err != nil {
		return nil, err
	}
	if err := a.Users.SetTOTP(ctx, u.ID, secret, false); err != nil {
		return nil, err
	}
	return &TOTPEnrolment{Secret: secret, URL: url, QRPNG: png}, nil
}

// PendingTOTP returns the enrolment in progress (to redraw the QR code).
func (a *App) PendingTOTP(ctx context.Context) (*TOTPEnrolment, error) {
	u, err := a.Users.FindUserByID(ctx, medic.ActorFrom(ctx).UserID)
	if err != nil {
		return nil, err
	}
	if u.TOTPEnabled || u.TOTPSecret == "" {
		return nil, medic.ErrNotFound
	}
	link := "otpauth://totp/Medic:" + url.PathEscape(u.Email) + "?algorithm=SHA1&digits=6&issuer=Medic&period=30&secret=" + u.TOTPSecret
	png, err := auth.TOTPQRCodePNG(link)
	if err != nil {
		return nil, err
	}
	return &TOTPEnrolment{Secret: u.TOTPSecret, URL: link, QRPNG: png}, nil
}

// ConfirmTOTP turns 2FA on once the user proves the device works, and
// returns the first set of recovery codes: shown this once, only their
// hashes are kept.
func (a *App) ConfirmTOTP(ctx context.Context, code string) ([]string, error) {
	u, err := a.Users.FindUserByID(ctx, medic.ActorFrom(ctx).UserID)
	if err != nil {
		return nil, err
	}
	if u.TOTPEnabled || u.TOTPSecret == "" {
		return nil, medic.Errorf(medic.EINVALID, "Start the set-up first.")
	}
	step, ok := auth.VerifyTOTP(u.TOTPSecret, code, a.now(), 0)
	if !ok {
		return nil, &medic.Error{Code: medic.EINVALID, Message: "That code is not right. Check the time on your phone and try the next code.", Fields: map[string]string{"code": "That code is not right."}}
	}
	var codes []string
	err = a.Tx.InTx(ctx, func(ctx context.Context) error {
		if err := a.Users.SetTOTP(ctx, u.ID, u.TOTPSecret, true); err != nil {
			return err
		}
		if err := a.Users.UseTOTPStep(ctx, u.ID, step); err != nil {
			return err
		}
		if err := a.Audit.RecordPlatform(ctx, medic.AuditEvent{Action: "auth.2fa_enabled", EntityType: "user", EntityID: u.ID}); err != nil {
			return err
		}
		var err error
		codes, err = a.replaceRecoveryCodes(ctx, u, "2fa_enabled")
		return err
	})
	if err != nil {
		return nil, err
	}
	return codes, nil
}

// GenerateRecoveryCodes replaces the signed-in user's recovery codes by a
// new set, after checking the password (under the sign-in throttle). The
// codes are returned this once; the old ones stop working.
func (a *App) GenerateRecoveryCodes(ctx context.Context, password string) ([]string, error) {
	u, err := a.Users.FindUserByID(ctx, medic.ActorFrom(ctx).UserID)
	if err != nil {
		return nil, err
	}
	if !u.TOTPEnabled {
		return nil, medic.Errorf(medic.EINVALID, "Turn on two-factor sign-in first; recovery codes come with it.")
	}
	if err := a.checkPassword(ctx, u, password, "password"); err != nil {
		return nil, err
	}
	var codes []string
	err = a.Tx.InTx(ctx, func(ctx context.Context) error {
		var err error
		codes, err = a.replaceRecoveryCodes(ctx, u, "regenerated")
		return err
	})
	if err != nil {
		return nil, err
	}
	return codes, nil
}

// replaceRecoveryCodes stores the hashes of a new set of codes in the
// transaction in ctx, replacing any earlier set, and audits it like a
// sign-in (platform log and each practice of the user), without the codes.
func (a *App) replaceRecoveryCodes(ctx context.Context, u *medic.User, reason string) ([]string, error) {
	codes, err := auth.NewRecoveryCodes(medic.RecoveryCodeCount)
	if err != nil {
		return nil, err
	}
	hashes := make([][]byte, len(codes))
	for i, c := range codes {
		hashes[i] = auth.HashRecoveryCode(c)
	}
	if err := a.Users.ReplaceRecoveryCodes(ctx, u.ID, hashes); err != nil {
		return nil, err
	}
	detail := map[string]string{"reason": reason, "count": strconv.Itoa(len(codes))}
	if err := a.auditUser(ctx, u, u.Email, "auth.recovery_codes_generated", medic.OutcomeSuccess, detail); err != nil {
		return nil, err
	}
	return codes, nil
}

// RecoveryCodesLeft is how many unused recovery codes the signed-in user
// has (0 when 2FA is off).
func (a *App) RecoveryCodesLeft(ctx context.Context) (int, error) {
	return a.Users.CountRecoveryCodes(ctx, medic.ActorFrom(ctx).UserID)
}

// DisableTOTP turns 2FA off after checking the password; the recovery
// codes are deleted with it.
func (a *App) DisableTOTP(ctx context.Context, password string) error {
	u, err := a.Users.FindUserByID(ctx, medic.ActorFrom(ctx).UserID)
	if err != nil {
		return err
	}
	if err := a.checkPassword(ctx, u, password, "password"); err != nil {
		return err
	}
	return a.Tx.InTx(ctx, func(ctx context.Context) error {
		unused, err := a.Users.DeleteRecoveryCodes(ctx, u.ID)
		if err != nil {
			return err
		}
		if err := a.Users.SetTOTP(ctx, u.ID, "", false); err != nil {
			return err
		}
		if err := a.Audit.RecordPlatform(ctx, medic.AuditEvent{Action: "auth.2fa_disabled", EntityType: "user", EntityID: u.ID}); err != nil {
			return err
		}
		return a.auditUser(ctx, u, u.Email, "auth.recovery_codes_deleted", medic.OutcomeSuccess, map[string]string{"unused": strconv.Itoa(unused)})
	})
}

// NewAPIToken is a created token; Plain is shown once and never stored.
type NewAPIToken struct {
	Token *medic.APIToken
	Plain string
}

// CreateAPIToken issues a personal token bound to the practice in context,
// living expiresInDays (nil: the default lifetime; at most a year).
func (a *App) CreateAPIToken(ctx context.Context, name string, expiresInDays *int) (*NewAPIToken, error) {
	t, ok := medic.TenantFrom(ctx)
	if !ok {
		return nil, medic.ErrNotFound
	}
	name, err := medic.ValidateName(name)
	if err != nil {
		msg := "Give the token a name (one line, at most 200 characters)."
		return nil, &medic.Error{Code: medic.EINVALID, Message: msg, Fields: map[string]string{"name": msg}}
	}
	days := medic.TokenLifetimeDays
	if expiresInDays != nil {
		days = *expiresInDays
	}
	if days < 1 || days > medic.TokenMaxLifetimeDays {
		msg := fmt.Sprintf("Use 1 to %d days: a token lives at most a year.", medic.TokenMaxLifetimeDays)
		return nil, &medic.Error{Code: medic.EINVALID, Message: "Choose an expiry of at most a year.", Fields: map[string]string{"expires_in_days": msg}}
	}
	plain, hash, err := auth.NewToken("medic_")
	if err != nil {
		return nil, err
	}
	tok := &medic.APIToken{UserID: medic.ActorFrom(ctx).UserID, PracticeID: t.PracticeID, Name: name,
		ExpiresAt: a.now().Add(time.Duration(days) * 24 * time.Hour)}
	err = a.Tx.InTx(ctx, func(ctx context.Context) error {
		if err := a.Tokens.CreateAPIToken(ctx, tok, hash); err != nil {
			return err
		}
		return a.audit(ctx, "auth.token_created", "api_token", tok.ID, map[string]string{"name": name, "expires_in_days": strconv.Itoa(days)})
	})
	if err != nil {
		return nil, err
	}
	return &NewAPIToken{Token: tok, Plain: plain}, nil
}

// ListMyTokens lists the signed-in user's tokens in every practice.
func (a *App) ListMyTokens(ctx context.Context) ([]*medic.APIToken, error) {
	return a.Tokens.ListAPITokens(ctx, medic.ActorFrom(ctx).UserID)
}

// RevokeMyToken revokes one of the signed-in user's tokens, in whichever
// practice it is bound to. It needs no working membership there: a user
// deactivated or locked out of a practice can still kill their token.
func (a *App) RevokeMyToken(ctx context.Context, id string) error {
	userID := medic.ActorFrom(ctx).UserID
	tokens, err := a.Tokens.ListAPITokens(ctx, userID)
	if err != nil {
		return err
	}
	for _, t := range tokens {
		if t.ID != id {
			continue
		}
		tctx := medic.WithTenant(ctx, medic.Tenant{PracticeID: t.PracticeID})
		return a.Tx.InTx(tctx, func(ctx context.Context) error {
			if err := a.Tokens.RevokeAPIToken(ctx, userID, id); err != nil {
				return err
			}
			return a.audit(ctx, "auth.token_revoked", "api_token", id, nil)
		})
	}
	return medic.ErrNotFound
}

// UpdateMyName changes the signed-in user's display name.
func (a *App) UpdateMyName(ctx context.Context, name string) error {
	name, err := medic.ValidateName(name)
	if err != nil {
		return &medic.Error{Code: medic.EINVALID, Message: medic.ErrorMessage(err), Fields: map[string]string{"name": medic.ErrorMessage(err)}}
	}
	return a.Tx.InTx(ctx, func(ctx context.Context) error {
		if err := a.Users.UpdateUserProfile(ctx, medic.ActorFrom(ctx).UserID, name); err != nil {
			return err
		}
		return a.Audit.RecordPlatform(ctx, medic.AuditEvent{Action: "user.name_changed", EntityType: "user", EntityID: medic.ActorFrom(ctx).UserID})
	})
}
