package app

import (
	"medic"
)

// Store is everything the use cases keep and read: one value (the
// PostgreSQL store) serves every service, so New wires them in one place.
type Store interface {
	medic.Transactor
	medic.UserService
	medic.PracticeService
	medic.PlatformService
	medic.MemberService
	medic.InvitationService
	medic.LocationService
	medic.SessionService
	medic.TokenService
	medic.AuditService
	medic.MailService
	medic.OutboxService
	medic.PatientService
	medic.PractitionerService
	medic.ScheduleService
	medic.AppointmentTypeService
	medic.AppointmentService
	medic.EncounterService
	medic.VitalsService
	medic.ICD10Service
	medic.ClinicalListService
	medic.DiagnosisService
	medic.ReferralService
	medic.TimelineService
	medic.OrderService
	medic.VersionService
	medic.MedicineService
	medic.PrescriptionService
	medic.SickNoteService
	medic.DocumentService
	medic.BulkExportService
	medic.TariffService
	medic.InvoiceService
	medic.CashUpService
	medic.ClaimService
	medic.PaymentLinkService
	medic.SMARTService
	medic.PublicBookingService
	medic.NotificationService
	medic.PublicRateService
}

// New wires the use cases to store, for serve, the commands and the tests
// alike (so none of them can miss a service). The caller sets what differs
// between them: the Mailer, the SigningKey, session lengths.
func New(store Store, clock medic.Clock, baseURL string) *App {
	return &App{
		Tx: store, Users: store, Practices: store, Platform: store, Members: store, Invitations: store,
		Locations: store, Sessions: store, Tokens: store, Audit: store, Mail: store, Outbox: store,
		Patients: store, Practitioners: store, Schedules: store, AppointmentTypes: store, Appointments: store,
		Encounters: store, Vitals: store, ICD10: store, ClinicalLists: store, EncounterDiagnoses: store,
		Referrals: store, Timelines: store, Orders: store, Versions: store, Medicines: store,
		Prescriptions: store, SickNotes: store, Documents: store, BulkExports: store, SMART: store,
		Tariffs: store, Invoices: store, CashUps: store, Claims: store, PaymentLinks: store,
		BookingCodes: store, Notifications: store, RateLimits: store,
		Clock: clock, BaseURL: baseURL,
		SessionIdle: medic.DefaultSessionIdle, SessionAbsolute: medic.DefaultSessionAbsolute,
	}
}
