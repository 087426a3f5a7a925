package medic

import "sort"

// Role is a member's role in one practice.
type Role string

const (
	RoleAdmin        Role = "admin"
	RoleDoctor       Role = "doctor"
	RoleNurse        Role = "nurse"
	RoleReceptionist Role = "receptionist"
	RoleBilling      Role = "billing"
)

// Roles lists every role in display order.
var Roles = []Role{RoleAdmin, RoleDoctor, RoleNurse, RoleReceptionist, RoleBilling}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	_, ok := permissions[r]
	return ok
}

// Permission is one thing a member may do in a practice.
type Permission string

const (
	PermSettingsManage  Permission = "settings.manage"
	PermMembersManage   Permission = "members.manage"
	PermSchedulesManage Permission = "schedules.manage"
	PermAuditRead       Permission = "audit.read"

	PermPatientsRead  Permission = "patients.read"
	PermPatientsWrite Permission = "patients.write"

	PermAppointmentsRead  Permission = "appointments.read"
	PermAppointmentsWrite Permission = "appointments.write"

	PermClinicalRead       Permission = "clinical.read"
	PermClinicalWrite      Permission = "clinical.write"
	PermVitalsWrite        Permission = "vitals.write"
	PermNotesWrite         Permission = "notes.write"
	PermDiagnosesRead      Permission = "diagnoses.read"
	PermPrescriptionsRead  Permission = "prescriptions.read"
	PermPrescriptionsIssue Permission = "prescriptions.issue"
	PermSickNotesRead      Permission = "sick_notes.read"
	PermSickNotesIssue     Permission = "sick_notes.issue"

	PermInvoicesRead   Permission = "invoices.read"
	PermInvoicesCreate Permission = "invoices.create"
	// PermInvoicesVoid voids an invoice (a credit note for an issued one):
	// money already billed, so not the front desk's to take back.
	PermInvoicesVoid  Permission = "invoices.void"
	PermPaymentsTake  Permission = "payments.take"
	PermClaimsManage  Permission = "claims.manage"
	PermTariffsManage Permission = "tariffs.manage"
)

// permissions is the one permission matrix (DOMAIN.md "Roles"). Every handler
// checks against it through Can.
var permissions = map[Role]map[Permission]bool{
	RoleAdmin: set(
		PermSettingsManage, PermMembersManage, PermSchedulesManage, PermAuditRead,
		PermPatientsRead, PermPatientsWrite,
		PermAppointmentsRead, PermAppointmentsWrite,
		PermClinicalRead, PermClinicalWrite, PermVitalsWrite, PermNotesWrite, PermDiagnosesRead,
		PermPrescriptionsRead, PermSickNotesRead,
		PermInvoicesRead, PermInvoicesCreate, PermInvoicesVoid, PermPaymentsTake, PermClaimsManage, PermTariffsManage,
	),
	RoleDoctor: set(
		PermPatientsRead, PermPatientsWrite,
		PermAppointmentsRead, PermAppointmentsWrite,
		PermClinicalRead, PermClinicalWrite, PermVitalsWrite, PermNotesWrite, PermDiagnosesRead,
		PermPrescriptionsRead, PermPrescriptionsIssue, PermSickNotesRead, PermSickNotesIssue,
		PermInvoicesRead,
	),
	RoleNurse: set(
		PermPatientsRead, PermPatientsWrite,
		PermAppointmentsRead, PermAppointmentsWrite,
		PermClinicalRead, PermVitalsWrite, PermNotesWrite, PermDiagnosesRead,
		PermPrescriptionsRead, PermSickNotesRead,
	),
	RoleReceptionist: set(
		PermPatientsRead, PermPatientsWrite,
		PermAppointmentsRead, PermAppointmentsWrite,
		PermSickNotesRead,
		PermInvoicesRead, PermInvoicesCreate, PermPaymentsTake,
	),
	RoleBilling: set(
		PermPatientsRead,
		PermAppointmentsRead,
		PermDiagnosesRead,
		PermInvoicesRead, PermInvoicesCreate, PermInvoicesVoid, PermPaymentsTake, PermClaimsManage, PermTariffsManage,
	),
}

func set(ps ...Permission) map[Permission]bool {
	m := make(map[Permission]bool, len(ps))
	for _, p := range ps {
		m[p] = true
	}
	return m
}

// Can reports whether role r holds permission p.
func (r Role) Can(p Permission) bool { return permissions[r][p] }

// Permissions lists r's permissions, sorted.
func (r Role) Permissions() []Permission {
	out := make([]Permission, 0, len(permissions[r]))
	for p := range permissions[r] {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// AllPermissions lists every permission any role holds, sorted.
func AllPermissions() []Permission {
	seen := map[Permission]bool{}
	for _, ps := range permissions {
		for p := range ps {
			seen[p] = true
		}
	}
	out := make([]Permission, 0, len(seen))
	for p := range seen {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}
