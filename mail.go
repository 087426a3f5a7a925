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
// ctx given to fn commit or roll back together.
type Transactor interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
}
