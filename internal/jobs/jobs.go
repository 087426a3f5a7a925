// Package jobs runs durable background jobs on River. Jobs are inserted in
// the same transaction as the change that causes them (Insert), so a crash
// never loses one and a rolled-back change never sends one.
package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"medic"
)

// Deliver sends (or, in development, keeps) one mail.
type Deliver func(ctx context.Context, m medic.Mail) error

// Remind handles a due appointment reminder (the app checks it is not stale).
type Remind func(ctx context.Context, r medic.AppointmentReminder) error

// CheckTokens emails the owners of API tokens about to expire (the app
// decides which, by its clock, and notifies each token once).
type CheckTokens func(ctx context.Context) (notified int, err error)

// SendOutbox sends one mail of a practice's outbox and records the
// outcome; final says this is the last attempt. A *medic.DeliveryError that
// is Permanent ends the job (no retry).
type SendOutbox func(ctx context.Context, j medic.OutboxJob, final bool) error

// ImportICD10 reads an operator's uploaded ICD-10 code table into the catalog.
type ImportICD10 func(ctx context.Context, j medic.ICD10ImportJob) error

// ExportFHIR writes one FHIR bulk export's files; final says this is the
// last attempt (the export then fails rather than waits for a retry).
type ExportFHIR func(ctx context.Context, j medic.BulkExportJob, final bool) error

// SubmitClaim moves a submitted medical-aid claim on at the switch;
// medic.ErrClaimWaiting means look again later.
type SubmitClaim func(ctx context.Context, j medic.ClaimJob) error

// Handlers are what the workers call. A nil Deliver makes an insert-only
// queue (commands that must not process jobs).
type Handlers struct {
	Deliver     Deliver
	Remind      Remind
	CheckTokens CheckTokens
	SendOutbox  SendOutbox
	ImportICD10 ImportICD10
	ExportFHIR  ExportFHIR
	SubmitClaim SubmitClaim
}

// tokenCheckEvery is how often the token expiry check runs; a notice is
// due a week ahead, so an hour late is no loss.
const tokenCheckEvery = time.Hour

// outboxMaxAttempts bounds a practice mail's tries: River's backoff
// (attempt^4 seconds) spreads ten over about four hours, after which the
// mail shows as failed and the practice's admins are told.
const outboxMaxAttempts = 10

// Queue is the River client.
type Queue struct {
	client *river.Client[pgx.Tx]
}

// New builds the queue with its workers.
func New(pool *pgxpool.Pool, logger *slog.Logger, h Handlers) (*Queue, error) {
	cfg := &river.Config{Logger: logger, JobTimeout: time.Minute}
	if h.Deliver != nil {
		workers := river.NewWorkers()
		if err := river.AddWorkerSafely(workers, &mailWorker{deliver: h.Deliver}); err != nil {
			return nil, err
		}
		if h.SendOutbox != nil {
			if err := river.AddWorkerSafely(workers, &outboxWorker{send: h.SendOutbox}); err != nil {
				return nil, err
			}
		}
		if h.ImportICD10 != nil {
			if err := river.AddWorkerSafely(workers, &icd10ImportWorker{run: h.ImportICD10}); err != nil {
				return nil, err
			}
		}
		if h.ExportFHIR != nil {
			if err := river.AddWorkerSafely(workers, &bulkExportWorker{run: h.ExportFHIR}); err != nil {
				return nil, err
			}
		}
		if h.SubmitClaim != nil {
			if err := river.AddWorkerSafely(workers, &claimWorker{submit: h.SubmitClaim}); err != nil {
				return nil, err
			}
		}
		if h.Remind != nil {
			if err := river.AddWorkerSafely(workers, &reminderWorker{remind: h.Remind}); err != nil {
				return nil, err
			}
		}
		if h.CheckTokens != nil {
			if err := river.AddWorkerSafely(workers, &tokenCheckWorker{check: h.CheckTokens}); err != nil {
				return nil, err
			}
			// Periodic jobs run on the elected leader only: one check at a
			// time across replicas (and the check is safe to repeat anyway).
			cfg.PeriodicJobs = append(cfg.PeriodicJobs, river.NewPeriodicJob(river.PeriodicInterval(tokenCheckEvery),
				func() (river.JobArgs, *river.InsertOpts) { return tokenCheck{}, nil },
				&river.PeriodicJobOpts{RunOnStart: true}))
		}
		cfg.Workers = workers
		cfg.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 10}}
	}
	c, err := river.NewClient(riverpgxv5.New(pool), cfg)
	if err != nil {
		return nil, fmt.Errorf("river client: %w", err)
	}
	return &Queue{client: c}, nil
}

// Start begins working jobs until Stop.
func (q *Queue) Start(ctx context.Context) error { return q.client.Start(ctx) }

// Stop finishes running jobs and stops.
func (q *Queue) Stop(ctx context.Context) error { return q.client.Stop(ctx) }

// Insert adds jobs in tx, in one statement; they run only if tx commits.
func (q *Queue) Insert(ctx context.Context, tx pgx.Tx, jobs ...interface{ Kind() string }) error {
	params := make([]river.InsertManyParams, len(jobs))
	for i, job := range jobs {
		args, ok := job.(river.JobArgs)
		if !ok {
			return fmt.Errorf("jobs: %T is not a job", job)
		}
		params[i] = river.InsertManyParams{Args: args, InsertOpts: insertOpts(job)}
	}
	switch len(params) {
	case 0:
		return nil
	case 1:
		_, err := q.client.InsertTx(ctx, tx, params[0].Args, params[0].InsertOpts)
		return err
	}
	_, err := q.client.InsertManyTx(ctx, tx, params)
	return err
}

// insertOpts are a job's schedule and uniqueness.
func insertOpts(job interface{ Kind() string }) *river.InsertOpts {
	opts := &river.InsertOpts{}
	if s, ok := job.(interface{ RunAt() time.Time }); ok && !s.RunAt().IsZero() {
		opts.ScheduledAt = s.RunAt()
	}
	if u, ok := job.(interface{ UniqueByArgs() bool }); ok && u.UniqueByArgs() {
		// A job with the same arguments waiting, running or done makes this
		// insert a no-op.
		opts.UniqueOpts = river.UniqueOpts{ByArgs: true}
	}
	switch job.(type) {
	case medic.OutboxJob:
		opts.MaxAttempts = outboxMaxAttempts
	case medic.BulkExportJob:
		opts.MaxAttempts = exportMaxAttempts
	}
	return opts
}

type mailWorker struct {
	river.WorkerDefaults[medic.Mail]
	deliver Deliver
}

func (w *mailWorker) Work(ctx context.Context, job *river.Job[medic.Mail]) error {
	err := w.deliver(ctx, job.Args)
	if permanent(err) {
		return river.JobCancel(err) // a bad message stays bad: do not retry
	}
	return err
}

// permanent reports whether retrying cannot help: an invalid message, or
// a mail server's 5xx refusal.
func permanent(err error) bool {
	var de *medic.DeliveryError
	return medic.ErrorCode(err) == medic.EINVALID || errors.As(err, &de) && de.Permanent
}

type outboxWorker struct {
	river.WorkerDefaults[medic.OutboxJob]
	send SendOutbox
}

func (w *outboxWorker) Work(ctx context.Context, job *river.Job[medic.OutboxJob]) error {
	err := w.send(ctx, job.Args, job.Attempt >= job.MaxAttempts)
	if permanent(err) {
		return river.JobCancel(err) // recorded as failed; a retry queues a new job
	}
	return err
}

type reminderWorker struct {
	river.WorkerDefaults[medic.AppointmentReminder]
	remind Remind
}

func (w *reminderWorker) Work(ctx context.Context, job *river.Job[medic.AppointmentReminder]) error {
	return w.remind(ctx, job.Args)
}

// tokenCheck is the periodic API token expiry check.
type tokenCheck struct{}

func (tokenCheck) Kind() string { return "token_expiry_check" }

type tokenCheckWorker struct {
	river.WorkerDefaults[tokenCheck]
	check CheckTokens
}

func (w *tokenCheckWorker) Work(ctx context.Context, _ *river.Job[tokenCheck]) error {
	_, err := w.check(ctx)
	return err
}

// icd10ImportTimeout bounds one import: the full Master Industry Table
// (about 41,000 codes) takes seconds; a minute (the default) could cut a
// slow database short, and the job would start over.
const icd10ImportTimeout = 15 * time.Minute

type icd10ImportWorker struct {
	river.WorkerDefaults[medic.ICD10ImportJob]
	run ImportICD10
}

func (w *icd10ImportWorker) Timeout(*river.Job[medic.ICD10ImportJob]) time.Duration {
	return icd10ImportTimeout
}

func (w *icd10ImportWorker) Work(ctx context.Context, job *river.Job[medic.ICD10ImportJob]) error {
	return w.run(ctx, job.Args)
}

// exportMaxAttempts bounds an export's tries: each starts over, and the
// client is waiting on the status URL.
const exportMaxAttempts = 3

// bulkExportTimeout bounds one export: a practice of 200,000 charts is
// read one chart at a time.
const bulkExportTimeout = time.Hour

type bulkExportWorker struct {
	river.WorkerDefaults[medic.BulkExportJob]
	run ExportFHIR
}

func (w *bulkExportWorker) Timeout(*river.Job[medic.BulkExportJob]) time.Duration {
	return bulkExportTimeout
}

func (w *bulkExportWorker) Work(ctx context.Context, job *river.Job[medic.BulkExportJob]) error {
	return w.run(ctx, job.Args, job.Attempt >= job.MaxAttempts)
}

// claimPollEvery is how often a claim waiting for the switch's answer or
// the scheme's remittance is looked at again (schemes pay in days).
const claimPollEvery = time.Hour

type claimWorker struct {
	river.WorkerDefaults[medic.ClaimJob]
	submit SubmitClaim
}

// Work submits or polls; a switch that fails is retried with River's
// backoff (attempt^4 seconds), a claim that waits is snoozed, which does
// not use up its attempts.
func (w *claimWorker) Work(ctx context.Context, job *river.Job[medic.ClaimJob]) error {
	err := w.submit(ctx, job.Args)
	if errors.Is(err, medic.ErrClaimWaiting) {
		return river.JobSnooze(claimPollEvery)
	}
	return err
}
