package mail

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	gomail "github.com/wneessen/go-mail"

	"medic"
)

// FromDomain converts the domain's outgoing mail into a Message.
func FromDomain(m medic.Mail) Message {
	msg := Message{
		To:          append([]string(nil), m.To...),
		Subject:     m.Subject,
		Text:        m.Text,
		HTML:        m.HTML,
		FromName:    m.FromName,
		ReplyTo:     m.ReplyTo,
		ReplyToName: m.ReplyToName,
	}
	for _, a := range m.Attachments {
		msg.Attachments = append(msg.Attachments, Attachment{Filename: a.Filename, ContentType: a.ContentType, Data: a.Data})
	}
	return msg
}

// Deliver sends one domain mail; it is the job queue's delivery function
// when an SMTP server is configured. A failure is a *medic.DeliveryError:
// permanent for an invalid message (also EINVALID) or a 5xx reply.
func (s *SMTPSender) Deliver(ctx context.Context, m medic.Mail) error {
	err := s.Send(ctx, FromDomain(m))
	if err == nil {
		return nil
	}
	if errors.Is(err, ErrInvalidMessage) {
		reason := err.Error()
		if _, after, ok := strings.Cut(reason, ErrInvalidMessage.Error()+": "); ok {
			reason = after
		}
		return &medic.DeliveryError{Summary: "The message is not valid: " + reason + ".", Permanent: true,
			Err: fmt.Errorf("%w: %w", &medic.Error{Code: medic.EINVALID, Message: "The message is not valid."}, err)}
	}
	summary, permanent := failure(ctx, err)
	return &medic.DeliveryError{Summary: summary, Permanent: permanent, Err: err}
}

// failure summarises a send error for the practice: the SMTP reply when
// the server gave one (a 5xx is permanent), else a short cause. Hosts,
// credentials and the body never appear.
func failure(ctx context.Context, err error) (summary string, permanent bool) {
	var se *gomail.SendError
	if errors.As(err, &se) && se.ErrorCode() >= 400 {
		code := strconv.Itoa(se.ErrorCode())
		// go-mail keeps the reply only in its message: "<reason>: <code> <text>, affected recipient(s): ...".
		text := se.Error()
		if i := strings.Index(text, ": "+code+" "); i >= 0 {
			text = text[i+2:]
		} else {
			text = code
		}
		if i := strings.Index(text, ", affected "); i >= 0 {
			text = text[:i]
		}
		// The reply text may arrive quoted: 550 "5.1.1 Mailbox unavailable".
		if reply, ok := strings.CutPrefix(text, code+" "); ok {
			text = code + " " + strings.Trim(reply, `"`)
		}
		return "The mail server answered " + truncate(headerText(text), 300), se.ErrorCode() >= 500
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return "The mail server did not answer in time.", false
	case ctx.Err() != nil:
		return "Sending was interrupted.", false
	}
	return "The mail server could not be reached.", false
}

func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
