package medic

import (
	"context"
	"time"
)

// Mail is an outgoing email. It is sent by a durable job enqueued in the
// same transaction as the change that causes it.
type Mail struct {
	To          []string         `json:"to"`
	Subject     string           `json:"subject"`
	Text        string           `json:"text"`
	HTML        string           `json:"html,omitempty"`
	Attachments []MailAttachment `json:"attachments,omitempty"`
	// FromName and the Reply-To are set by the sender, from the practice
	// a mail is sent for; they may hold anything (encoded when sent).
	FromName    string `json:"from_name,omitempty"`
	ReplyTo     string `json:"reply_to,omitempty"`
	ReplyToName string `json:"reply_to_name,omitempty"`
}

// MailAttachment is a file attached to a Mail.
type MailAttachment struct {
	Filename    string `json:"filename"`
	ContentType string `json:"content_type"`
	Data        []byte `json:"data"`
}

// Kind names the job that sends it.
func (Mail) Kind() string { return "send_mail" }

// KeptMail is a message kept in the development mailbox.
type KeptMail struct {
	Mail
	ID        int64
	CreatedAt time.Time
}

// MailService queues mail in the current transaction and, in development,
// keeps it for the mailbox page.
type MailService interface {
	EnqueueMail(ctx context.Context, m Mail) error
	// EnqueueJob queues any durable job (e.g. an AppointmentReminder) in
	// the current transaction.
	EnqueueJob(ctx context.Context, job interface{ Kind() string }) error
	// EnqueueJobs queues several jobs at once (one round trip).
	EnqueueJobs(ctx context.Context, jobs ...interface{ Kind() string }) error
	KeepMail(ctx context.Context, m Mail) error
	ListKeptMail(ctx context.Context, limit int) ([]KeptMail, error)
}

// Transactor runs a use case in one transaction: store calls made with the
// ctx given to fn commit or roll back together. InReadTx runs a use case
// that only reads: its audit events are committed with other reads' and
// it returns once they are durable.
type Transactor interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
	InReadTx(ctx context.Context, fn func(ctx context.Context) error) error
}

// Mailer delivers one mail: over SMTP, or into the development mailbox.
// A failure is a *DeliveryError when the adapter can say why.
type Mailer interface {
	Deliver(ctx context.Context, m Mail) error
}

// MailerFunc adapts a function to Mailer.
type MailerFunc func(ctx context.Context, m Mail) error

func (f MailerFunc) Deliver(ctx context.Context, m Mail) error { return f(ctx, m) }

// DeliveryError is why a mail was not delivered, in words safe to show a
// practice: the SMTP server's reply (code and text) or a short cause; never
// the body, a stack or a secret. Permanent failures (a 5xx reply, an invalid
// message) are not retried.
type DeliveryError struct {
	Summary   string
	Permanent bool
	Err       error // the full cause, for logs
}

func (e *DeliveryError) Error() string { return e.Summary }
func (e *DeliveryError) Unwrap() error { return e.Err }
