package app

import (
	"context"
	"errors"
	"fmt"

	"medic"
)

// The outbox shows a practice's admins every mail the practice sent, so a
// mail that could not be delivered is never lost in silence. Recipients and
// subjects name patients: only members who manage the practice see them,
// and each one shown is a read in the audit log.

// ListOutbox lists the practice's mail, newest first; state "" is every
// state.
func (a *App) ListOutbox(ctx context.Context, state medic.OutboxState, page medic.Page) ([]*medic.OutboxMail, string, error) {
	if _, err := a.allow(ctx, "outbox.list"); err != nil {
		return nil, "", err
	}
	if state != "" && !state.Valid() {
		return nil, "", &medic.Error{Code: medic.EINVALID, Message: "Unknown state.",
			Fields: map[string]string{"state": "Use queued, sent or failed."}}
	}
	var out []*medic.OutboxMail
	var next string
	err := a.Tx.InTx(ctx, func(ctx context.Context) error {
		var err error
		if out, next, err = a.Outbox.ListOutbox(ctx, state, page); err != nil {
			return err
		}
		es := make([]medic.AuditEvent, len(out))
		for i, m := range out {
			es[i] = medic.AuditEvent{Action: "outbox.shown", EntityType: "mail", EntityID: m.ID}
		}
		return a.Audit.RecordMany(ctx, es)
	})
	if err != nil {
		return nil, "", err
	}
	return out, next, nil
}

// RetryOutboxMail queues a failed mail again; ENOTFOUND for another
// practice's, ECONFLICT unless it failed.
func (a *App) RetryOutboxMail(ctx context.Context, id string) (*medic.OutboxMail, error) {
	if _, err := a.allow(ctx, "outbox.retry"); err != nil {
		return nil, err
	}
	var m *medic.OutboxMail
	err := a.Tx.InTx(ctx, func(ctx context.Context) error {
		if err := a.Outbox.RequeueOutboxMail(ctx, id, a.now()); err != nil {
			return err
		}
		var err error
		if m, err = a.Outbox.FindOutboxMail(ctx, id); err != nil {
			return err
		}
		return a.audit(ctx, "outbox.retried", "mail", id, nil)
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// SendOutboxMail runs an outbox job: it sends the mail as its practice
// (the practice's name as the sender's, its address for replies) and
// records the outcome. A refusal for good, or the last attempt failing,
// leaves the mail failed with the reason and tells the practice's admins.
// A mail that is no longer queued sends nothing.
func (a *App) SendOutboxMail(ctx context.Context, j medic.OutboxJob, final bool) error {
	p, err := a.Practices.FindPracticeByRef(ctx, j.PracticeID)
	if medic.ErrorCode(err) == medic.ENOTFOUND {
		return nil
	} else if err != nil {
		return err
	}
	ctx = medic.WithTenant(ctx, medic.Tenant{PracticeID: p.ID, Slug: p.Slug, Name: p.Name, TimeZone: p.TimeZone})
	om, m, err := a.Outbox.OutboxMailToSend(ctx, j.MailID)
	if medic.ErrorCode(err) == medic.ENOTFOUND {
		return nil
	} else if err != nil {
		return err
	}
	m.FromName = p.Name
	if email, err := medic.NormalizeEmail(p.Email); err == nil {
		m.ReplyTo, m.ReplyToName = email, p.Name
	}
	sendErr := a.Mailer.Deliver(ctx, m)
	if sendErr == nil {
		if err := a.Outbox.MarkOutboxSent(ctx, om.ID, a.now()); medic.ErrorCode(err) != medic.ENOTFOUND {
			return err
		}
		return nil
	}

	summary, permanent := "The mail could not be delivered.", medic.ErrorCode(sendErr) == medic.EINVALID
	var de *medic.DeliveryError
	if errors.As(sendErr, &de) {
		summary, permanent = de.Summary, de.Permanent
	}
	failed := permanent || final
	err = a.Tx.InTx(ctx, func(ctx context.Context) error {
		om, err := a.Outbox.RecordOutboxFailure(ctx, om.ID, summary, failed, a.now())
		if err != nil || !failed {
			return err
		}
		n := &medic.Notification{Kind: medic.NotificationMailFailed, AdminOnly: true,
			Title: "A mail could not be sent",
			Body: fmt.Sprintf("To %s, subject %q: %s (attempts: %d). The outbox can send it again.",
				om.Recipient, om.Subject, summary, om.Attempts)}
		if err := a.Notifications.CreateNotification(ctx, n); err != nil {
			return err
		}
		return a.audit(ctx, "outbox.failed", "mail", om.ID, map[string]string{"reason": summary})
	})
	if medic.ErrorCode(err) == medic.ENOTFOUND {
		return nil // no longer queued: someone else recorded it
	} else if err != nil {
		return err
	}
	if permanent {
		return &medic.DeliveryError{Summary: summary, Permanent: true, Err: sendErr}
	}
	return sendErr
}
