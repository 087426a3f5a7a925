package postgres

import "medic"

// The store implements every domain service.
var (
	_ medic.UserService       = (*DB)(nil)
	_ medic.MemberService     = (*DB)(nil)
	_ medic.InvitationService = (*DB)(nil)
	_ medic.LocationService   = (*DB)(nil)
	_ medic.SessionService    = (*DB)(nil)
	_ medic.TokenService      = (*DB)(nil)
	_ medic.PracticeService   = (*DB)(nil)
	_ medic.PlatformService   = (*DB)(nil)
	_ medic.AuditService      = (*DB)(nil)
	_ medic.MailService       = (*DB)(nil)
	_ medic.Transactor        = (*DB)(nil)

	_ medic.PatientService         = (*DB)(nil)
	_ medic.PractitionerService    = (*DB)(nil)
	_ medic.ScheduleService        = (*DB)(nil)
	_ medic.AppointmentTypeService = (*DB)(nil)
	_ medic.AppointmentService     = (*DB)(nil)
	_ medic.EncounterService       = (*DB)(nil)
	_ medic.VitalsService          = (*DB)(nil)
	_ medic.SickNoteService        = (*DB)(nil)
)
