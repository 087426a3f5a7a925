// Package mail builds and sends outgoing e-mail (appointment reminders,
// invoices, calendar invites) over SMTP.
package mail

import (
	"errors"
	"fmt"
	"mime"
	"net/mail"
	"strings"
)

// Attachment is a file attached to a Message.
type Attachment struct {
	Filename    string
	ContentType string // e.g. "text/calendar"; empty means application/octet-stream
	Data        []byte
}

// Message is a transport-independent outgoing e-mail.
type Message struct {
	To          []string
	Subject     string
	Text        string
	HTML        string
	Attachments []Attachment
	ReplyTo     string
}

// ErrInvalidMessage is wrapped by every error returned from Message.Validate,
// so callers can tell bad input (don't retry) from transport failures.
var ErrInvalidMessage = errors.New("mail: invalid message")

// Validate reports whether m can be sent safely. It rejects CR and LF in
// anything that ends up in a header, because user-controlled values (patient
// names in subjects, typed-in addresses) would otherwise allow header
// injection.
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
	if hasNewline(m.Subject) {
		return fmt.Errorf("%w: subject contains a line break", ErrInvalidMessage)
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
