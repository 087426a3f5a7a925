package mail

import (
	"context"
	"errors"
	"fmt"

	"medic"
)

// FromDomain converts the domain's outgoing mail into a Message.
func FromDomain(m medic.Mail) Message {
	msg := Message{
		To:      append([]string(nil), m.To...),
		Subject: m.Subject,
		Text:    m.Text,
		HTML:    m.HTML,
	}
	for _, a := range m.Attachments {
		msg.Attachments = append(msg.Attachments, Attachment{Filename: a.Filename, ContentType: a.ContentType, Data: a.Data})
	}
	return msg
}

// Deliver sends one domain mail; it is the job queue's delivery function
// when an SMTP server is configured. An invalid message fails with an error
// wrapping ErrInvalidMessage (retrying will not help).
func (s *SMTPSender) Deliver(ctx context.Context, m medic.Mail) error {
	err := s.Send(ctx, FromDomain(m))
	if errors.Is(err, ErrInvalidMessage) {
		// EINVALID tells the job queue not to retry.
		return fmt.Errorf("%w: %w", &medic.Error{Code: medic.EINVALID, Message: "The message is not valid."}, err)
	}
	return err
}
