package medic

import "context"

// MaxVersions bounds a history read (newest first).
const MaxVersions = 100

// VersionService reads the kept versions of the practice's charts and
// appointments (every change of updated_at keeps one, in the change's
// transaction), newest first, at most MaxVersions; ENOTFOUND when there
// is none (another practice's id, or no such record).
type VersionService interface {
	PatientVersions(ctx context.Context, id string) ([]*Patient, error)
	AppointmentVersions(ctx context.Context, id string) ([]*Appointment, error)
}
