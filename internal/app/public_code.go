package app

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"strings"
	"time"

	"medic"
	"medic/internal/auth"
)

// Public booking limits (issue 4): a code is 6 digits from a CSPRNG, valid
// 10 minutes, single use, refused after 5 wrong tries; at most 3 codes per
// email and per IP (IPv6: per /64) per 10 minutes, across all practices.
const (
	bookingCodeDigits   = 6
	bookingCodeValidity = 10 * time.Minute
	bookingCodeTries    = 5
	bookingCodeLimit    = 3
	bookingCodeWindow   = 10 * time.Minute
)

// BookingCodeRequest asks for a code to verify an email address.
type BookingCodeRequest struct{ Email, IP string }

// RequestBookingCode emails a 6-digit code to in.Email. The answer is the
// same whether or not the practice knows the email; past the limits it is
// ETOOMANY (a *RetryError saying when to try again).
func (a *App) RequestBookingCode(ctx context.Context, slug string, in BookingCodeRequest) error {
	ctx, p, err := a.publicPractice(ctx, slug)
	if err != nil {
		return err
	}
	email, err := medic.NormalizeEmail(in.Email)
	if err != nil || strings.ContainsAny(in.Email, "\r\n") {
		return &medic.Error{Code: medic.EINVALID, Message: "Enter a valid email address.", Fields: map[string]string{"email": "Enter a valid email address."}}
	}
	var refused *RetryError
	err = a.Tx.InTx(ctx, func(ctx context.Context) error {
		// The limits are platform-wide: the email and the client's network
		// count the codes they asked for at every practice, checked and
		// recorded under their locks in this transaction.
		keys, err := a.bookingCodeRateKeys(ctx, email, in.IP)
		if err != nil {
			return err
		}
		refused, err = a.checkRate(ctx, keys, bookingCodeLimit, bookingCodeWindow,
			"Too many codes were asked for. Wait %s and ask again, or use the last code you received.")
		if err != nil {
			return err
		}
		if refused != nil {
			// The refusal is committed to the log; nothing else is written.
			return a.Audit.Record(ctx, medic.AuditEvent{Action: "booking.code_refused", EntityType: "booking_code", Outcome: medic.OutcomeDenied,
				Detail: map[string]string{"reason": "rate_limit"}})
		}
		code, err := auth.NewNumericCode(bookingCodeDigits)
		if err != nil {
			return err
		}
		salt := make([]byte, 16)
		if _, err := rand.Read(salt); err != nil {
			return err
		}
		key, err := a.signingKey(ctx, "booking-code")
		if err != nil {
			return err
		}
		c := &medic.BookingCode{Email: email, Salt: salt, Hash: bookingCodeHash(key, salt, p.ID, email, code), ExpiresAt: a.now().Add(bookingCodeValidity), IP: in.IP}
		if err := a.BookingCodes.CreateBookingCode(ctx, c); err != nil {
			return err
		}
		if err := a.recordRate(ctx, keys); err != nil {
			return err
		}
		if err := a.audit(ctx, "booking.code_requested", "booking_code", c.ID, nil); err != nil {
			return err
		}
		return a.Mail.EnqueueMail(ctx, medic.Mail{
			To:      []string{email},
			Subject: headerText("Your booking code for " + p.Name),
			Text: fmt.Sprintf("Your code to confirm your booking at %s is:\n\n    %s\n\nIt is valid for 10 minutes. If you did not ask for it, ignore this email.\n",
				p.Name, code),
		})
	})
	if err != nil {
		return err
	}
	if refused != nil {
		return refused
	}
	return nil
}

// bookingCodeHash is the HMAC-SHA-256 of the code under a key derived from
// the platform key, with the code's own salt, bound to practice and email:
// the stored hash alone cannot be brute-forced offline.
func bookingCodeHash(key, salt []byte, practiceID, email, code string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(salt)
	m.Write([]byte("\x00" + practiceID + "\x00" + email + "\x00" + code))
	return m.Sum(nil)
}
