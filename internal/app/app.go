// Package app holds the use cases: each checks the permission matrix, runs
// its store calls, audit events and jobs in one transaction, and returns
// domain errors. It imports the domain only, never HTTP or a driver.
package app

import (
	"context"
	"time"

	"medic"
)

// App is the set of use cases, wired in cmd/medic.
type App struct {
	Tx          medic.Transactor
	Users       medic.UserService
	Practices   medic.PracticeService
	Platform    medic.PlatformService
	Members     medic.MemberService
	Invitations medic.InvitationService
	Locations   medic.LocationService
	Sessions    medic.SessionService
	Tokens      medic.TokenService
	Audit       medic.AuditService
	Mail        medic.MailService
	// Outbox records a practice's mail; Mailer delivers it (SMTP or the
	// development mailbox).
	Outbox medic.OutboxService
	Mailer medic.Mailer

	Patients         medic.PatientService
	Practitioners    medic.PractitionerService
	Schedules        medic.ScheduleService
	AppointmentTypes medic.AppointmentTypeService
	Appointments     medic.AppointmentService
	Encounters       medic.EncounterService
	Vitals           medic.VitalsService

	// ICD10 is the platform's code catalog.
	ICD10 medic.ICD10Service
	// ClinicalLists holds charts' allergies and problem lists.
	ClinicalLists medic.ClinicalListService
	// EncounterDiagnoses holds encounters' ICD-10 diagnoses.
	EncounterDiagnoses medic.DiagnosisService
	Referrals          medic.ReferralService
	// Timelines reads charts' timelines.
	Timelines medic.TimelineService
	// Orders holds lab and imaging orders and their results.
	Orders medic.OrderService
	// Versions reads the kept versions of charts and appointments.
	Versions medic.VersionService

	Medicines     medic.MedicineService
	Prescriptions medic.PrescriptionService
	SickNotes     medic.SickNoteService
	// Documents reads sick notes, prescriptions and referral letters as
	// one list of documents.
	Documents medic.DocumentService
	// Tariffs holds the practice's tariff codes and prices; Invoices its
	// invoices and payments.
	Tariffs  medic.TariffService
	Invoices medic.InvoiceService
	CashUps  medic.CashUpService
	// BulkExports holds FHIR bulk exports and their files.
	BulkExports medic.BulkExportService

	// Claims holds medical-aid claims; Switch sends them (from jobs only).
	Claims medic.ClaimService
	Switch medic.ClaimSwitch
	// PaymentLinks keeps payment links and webhook events; Payments is the
	// provider (Stripe or the local twin); PaymentProviderName names it.
	PaymentLinks        medic.PaymentLinkService
	Payments            medic.PaymentProvider
	PaymentProviderName string

	// SMART holds SMART on FHIR clients, grants and signing keys.
	SMART medic.SMARTService
	// smartKeys caches the published signing keys (internal/app/smart_keys.go).
	smartKeys smartKeyring
	// JWKS fetches confidential SMART clients' keys from their JWKS URL
	// (nil: only pasted keys work).
	JWKS medic.JWKSFetcher
	// smartOrigins caches which browser origins are registered apps'
	// (internal/app/smart_cors.go).
	smartOrigins smartOriginCache

	// PublicBooking stores booking codes and finds charts for the public page.
	BookingCodes  medic.PublicBookingService
	Notifications medic.NotificationService
	// RateLimits counts anonymous requests across all practices.
	RateLimits medic.PublicRateService

	Clock medic.Clock

	// SigningKey signs the links emailed to patients (manage a booking).
	// Empty: a random key kept in the database is used.
	SigningKey []byte

	// BaseURL is where emailed links point, e.g. https://medic.example.
	BaseURL         string
	SessionIdle     time.Duration
	SessionAbsolute time.Duration
}

func (a *App) now() time.Time { return a.Clock.Now() }

// require fails with EFORBIDDEN unless the tenant in ctx holds p.
func require(ctx context.Context, p medic.Permission) (medic.Tenant, error) {
	t, ok := medic.TenantFrom(ctx)
	if !ok {
		return t, medic.ErrNotFound
	}
	if !t.Can(p) {
		return t, medic.Errorf(medic.EFORBIDDEN, "Your role does not allow this.")
	}
	return t, nil
}

// EnterPractice resolves ref (id or slug) to a practice the signed-in user is
// an active member of, and returns ctx working in it. A practice the user
// does not belong to is ENOTFOUND, exactly like one that does not exist; a
// suspended practice is EFORBIDDEN for its own members.
func (a *App) EnterPractice(ctx context.Context, ref string) (context.Context, *medic.Practice, error) {
	actor := medic.ActorFrom(ctx)
	if actor.UserID == "" {
		return ctx, nil, medic.Errorf(medic.EUNAUTHORIZED, "Sign in first.")
	}
	p, m, err := a.Members.FindPracticeWithMember(ctx, ref, actor.UserID)
	if err != nil {
		return ctx, nil, err
	}
	return a.enter(ctx, p, m)
}

// enter returns ctx working in practice p as member m (nil: not a member)
// of the signed-in user, refusing as EnterPractice says.
func (a *App) enter(ctx context.Context, p *medic.Practice, m *medic.Member) (context.Context, *medic.Practice, error) {
	actor := medic.ActorFrom(ctx)
	if m == nil || !m.Active || m.UserID != actor.UserID {
		return ctx, nil, medic.ErrNotFound
	}
	if p.Status != medic.PracticeActive {
		return ctx, nil, medic.Errorf(medic.EFORBIDDEN, "This practice is suspended. Contact the platform operator.")
	}
	if p.Require2FA {
		u := SignedInUserFrom(ctx)
		if u == nil || u.ID != actor.UserID {
			var err error
			if u, err = a.Users.FindUserByID(ctx, actor.UserID); err != nil {
				return ctx, nil, err
			}
		}
		if !u.TOTPEnabled {
			return ctx, p, ErrTwoFactorRequired
		}
	}
	t := medic.Tenant{PracticeID: p.ID, Slug: p.Slug, Name: p.Name, TimeZone: p.TimeZone, MemberID: m.ID, Role: m.Role}
	return medic.WithTenant(ctx, t), p, nil
}

// ErrTwoFactorRequired says the practice requires 2FA and the user has none yet.
var ErrTwoFactorRequired = &medic.Error{Code: medic.EFORBIDDEN, Message: "This practice requires two-factor sign-in. Set it up under Account first."}

// audit records an event for the practice in ctx.
func (a *App) audit(ctx context.Context, action, entityType, entityID string, detail map[string]string) error {
	return a.Audit.Record(ctx, medic.AuditEvent{Action: action, EntityType: entityType, EntityID: entityID, Detail: detail})
}

// denied records a refused attempt in the practice log, outside the
// caller's (rolled back) transaction, and returns err.
func (a *App) denied(ctx context.Context, action string, err error) error {
	if medic.ErrorCode(err) == medic.EFORBIDDEN {
		if _, ok := medic.TenantFrom(ctx); ok {
			_ = a.Tx.InTx(ctx, func(ctx context.Context) error {
				return a.Audit.Record(ctx, medic.AuditEvent{Action: action, Outcome: medic.OutcomeDenied})
			})
		}
	}
	return err
}
