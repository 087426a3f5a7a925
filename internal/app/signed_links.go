package app

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"sort"
	"strings"
	"time"

	"medic"
)

// manageLinkLife is how long after the appointment's start its manage link
// still opens (to see that it happened or was cancelled).
const manageLinkLife = 30 * 24 * time.Hour

// signingKey derives the key for purpose from the platform key: the
// configured MEDIC_SIGNING_KEY, else a random key kept in the database
// (made by the first process that needs it).
func (a *App) signingKey(ctx context.Context, purpose string) ([]byte, error) {
	base := a.SigningKey
	if len(base) == 0 {
		var err error
		base, err = a.BookingCodes.SigningKey(ctx, "links", func() ([]byte, error) {
			k := make([]byte, 32)
			_, err := rand.Read(k)
			return k, err
		})
		if err != nil {
			return nil, err
		}
	}
	m := hmac.New(sha256.New, base)
	m.Write([]byte("medic/" + purpose))
	return m.Sum(nil), nil
}

// manageURL is the absolute signed link with which the patient of an
// online booking cancels or reschedules it.
func (a *App) manageURL(ctx context.Context, ap *medic.Appointment) (string, error) {
	key, err := a.signingKey(ctx, "manage-link")
	if err != nil {
		return "", err
	}
	practiceID := ap.PracticeID
	if t, ok := medic.TenantFrom(ctx); ok {
		practiceID = t.PracticeID
	}
	tok, err := manageToken(key, ap.ID, practiceID, ap.Start.Add(manageLinkLife))
	if err != nil {
		return "", err
	}
	return strings.TrimRight(a.BaseURL, "/") + "/book/manage/" + tok, nil
}

// manageToken is base64url(appointment id, practice id, expiry, HMAC-SHA-256
// of the three).
func manageToken(key []byte, appointmentID, practiceID string, expires time.Time) (string, error) {
	ap, err1 := uuidBytes(appointmentID)
	pr, err2 := uuidBytes(practiceID)
	if err1 != nil || err2 != nil {
		return "", medic.Errorf(medic.EINTERNAL, "bad id for a manage link")
	}
	msg := make([]byte, 0, 40+sha256.Size)
	msg = append(msg, ap...)
	msg = append(msg, pr...)
	msg = binary.BigEndian.AppendUint64(msg, uint64(expires.Unix()))
	m := hmac.New(sha256.New, key)
	m.Write(msg)
	return base64.RawURLEncoding.EncodeToString(m.Sum(msg)), nil
}

// verifyManageToken returns the ids a token names if its MAC is right and
// it has not expired at now.
func verifyManageToken(key []byte, token string, now time.Time) (appointmentID, practiceID string, ok bool) {
	if len(token) > 200 {
		return "", "", false
	}
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(raw) != 40+sha256.Size {
		return "", "", false
	}
	msg, mac := raw[:40], raw[40:]
	m := hmac.New(sha256.New, key)
	m.Write(msg)
	if !hmac.Equal(m.Sum(nil), mac) {
		return "", "", false
	}
	if exp := int64(binary.BigEndian.Uint64(msg[32:40])); now.Unix() >= exp {
		return "", "", false
	}
	return uuidString(msg[:16]), uuidString(msg[16:32]), true
}

func uuidBytes(s string) ([]byte, error) {
	b, err := hex.DecodeString(strings.ReplaceAll(s, "-", ""))
	if err != nil || len(b) != 16 {
		return nil, medic.ErrNotFound
	}
	return b, nil
}

func uuidString(b []byte) string {
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// sortSlots orders slots by start, then practitioner.
func sortSlots(out []medic.Slot) {
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].Start.Equal(out[j].Start) {
			return out[i].Start.Before(out[j].Start)
		}
		return out[i].PractitionerID < out[j].PractitionerID
	})
}
