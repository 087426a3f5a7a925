// Package mail builds and sends outgoing e-mail (appointment reminders,
// invoices, calendar invites) over SMTP.
package mail

import (
	"errors"
	"fmt"
	"mime"
	"net/mail"
	"strings"
	"unicode"
)

// Attachment is a file attached to a Message.
type Attachment struct {
	Filename    string
	ContentType string // e.g. "text/calendar"; empty means application/octet-stream
	Data        []byte
}

// Message is a transport-independent outgoing e-mail. Subject and the
// display names may hold anything (a practice's name): they are made single
// line and RFC 2047-encoded when the message is built, never refused.
type Message struct {
	To          []string
	Subject     string
	Text        string
	HTML        string
	Attachments []Attachment
	FromName    string // display name before the configured From address
	ReplyTo     string // an address
	ReplyToName string
}

// ErrInvalidMessage is wrapped by every error returned from Message.Validate,
// so callers can tell bad input (don't retry) from transport failures.
var ErrInvalidMessage = errors.New("mail: invalid message")

// Validate reports whether m can be sent safely. It rejects CR and LF in
// addresses and attachment names, because typed-in values would otherwise
// allow header injection. Free text bound for headers (subject, display
// names) is not refused: headerText makes it safe.
func (m Message) Validate() error {
	if len(m.To) == 0 {
		return fmt.Errorf("%w: no recipients", ErrInvalidMessage)
	}
	for _, addr := range m.To {
		if err := validateAddress(addr); err != nil {
			return fmt.Errorf("%w: recipient: %w", ErrInvalidMessage, err)
		}
	}
	if m.ReplyTo != "" {
		if err := validateAddress(m.ReplyTo); err != nil {
			return fmt.Errorf("%w: reply-to: %w", ErrInvalidMessage, err)
		}
	}
	for i, a := range m.Attachments {
		if a.Filename == "" || hasNewline(a.Filename) {
			return fmt.Errorf("%w: attachment %d: missing or invalid filename", ErrInvalidMessage, i)
		}
		if a.ContentType != "" {
			if hasNewline(a.ContentType) {
				return fmt.Errorf("%w: attachment %d: content type contains a line break", ErrInvalidMessage, i)
			}
			if _, _, err := mime.ParseMediaType(a.ContentType); err != nil {
				return fmt.Errorf("%w: attachment %d: content type: %w", ErrInvalidMessage, i, err)
			}
		}
	}
	return nil
}

// validateAddress checks a single address. The error deliberately omits the
// address itself: it is personal data and errors end up in logs.
func validateAddress(addr string) error {
	if hasNewline(addr) {
		return errors.New("address contains a line break")
	}
	if _, err := mail.ParseAddress(addr); err != nil {
		return fmt.Errorf("unparsable address: %w", err)
	}
	return nil
}

func hasNewline(s string) bool {
	return strings.ContainsAny(s, "\r\n")
}

// headerText makes free text safe for a header: every control character
// (C0, DEL, C1, line and paragraph separators) becomes a space, bidi
// overrides are dropped, runs of
// spaces become one, and the ends are trimmed. go-mail then encodes what is
// not plain ASCII as RFC 2047 words and folds long lines.
func headerText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	space := false
	for _, r := range s {
		if (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) {
			continue // bidi overrides would let a name display reversed
		}
		if r < ' ' || (r >= 0x7f && r <= 0x9f) || r == '\u2028' || r == '\u2029' || unicode.IsSpace(r) {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}
