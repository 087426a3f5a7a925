package medic

import (
	"context"
	"time"
)

// OutboxState is where a practice's mail stands.
type OutboxState string

const (
	OutboxQueued OutboxState = "queued" // waiting for a (first or next) attempt
	OutboxSent   OutboxState = "sent"
	OutboxFailed OutboxState = "failed" // refused for good or out of attempts; a retry queues it again
)

// Valid reports whether s is a known state.
func (s OutboxState) Valid() bool {
	return s == OutboxQueued || s == OutboxSent || s == OutboxFailed
}

// OutboxMail is one mail a practice sent, as its outbox shows it. The body
// is not part of it: the store keeps the mail to send only until it is sent,
// and only the sending job reads it.
type OutboxMail struct {
	ID         string
	PracticeID string
	Recipient  string
	Subject    string
	State      OutboxState
	Attempts   int
	LastError  string // a DeliveryError summary
	CreatedAt  time.Time
	UpdatedAt  time.Time
	SentAt     *time.Time
}

// OutboxJob sends one outbox mail. It carries ids only: the queue holds no
// mail body.
type OutboxJob struct {
	PracticeID string `json:"practice_id"`
	MailID     string `json:"mail_id"`
}

// Kind names the job that sends it.
func (OutboxJob) Kind() string { return "send_practice_mail" }

// NotificationMailFailed tells a practice's admins a mail could not be sent.
const NotificationMailFailed = "mail_failed"

// OutboxService keeps the mail of the practice in context; ENOTFOUND for
// another practice's. Mail queued with MailService.EnqueueMail under a
// tenant lands here.
type OutboxService interface {
	// ListOutbox lists newest first; state "" lists every state.
	ListOutbox(ctx context.Context, state OutboxState, p Page) ([]*OutboxMail, string, error)
	FindOutboxMail(ctx context.Context, id string) (*OutboxMail, error)
	// OutboxMailToSend returns a queued mail with what to send;
	// ENOTFOUND if there is none or it is no longer queued.
	OutboxMailToSend(ctx context.Context, id string) (*OutboxMail, Mail, error)
	// MarkOutboxSent records the delivery and forgets the body.
	MarkOutboxSent(ctx context.Context, id string, at time.Time) error
	// RecordOutboxFailure counts a failed attempt; failed ends the mail's
	// attempts (state failed) until a retry.
	RecordOutboxFailure(ctx context.Context, id, summary string, failed bool, at time.Time) (*OutboxMail, error)
	// RequeueOutboxMail turns a failed mail back to queued and queues its
	// job in the current transaction; ECONFLICT unless it is failed.
	RequeueOutboxMail(ctx context.Context, id string, at time.Time) error
}
