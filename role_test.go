package medic_test

import (
	"slices"
	"testing"

	"medic"
)

// roleMatrix is DOMAIN.md's "Roles" table written out by hand, one
// permission per row, columns admin, doctor, nurse, receptionist, billing.
// It is deliberately not derived from role.go: a change to either the
// design or the code must be made in both.
//
// How the table's rows map onto permissions:
//   - "practice settings, members, schedules, audit log": admin only.
//   - "patient demographics read / write": everyone reads; billing does not write.
//   - "appointments, check-in": everyone but billing writes; billing reads.
//   - "clinical notes, vitals, diagnoses, orders": admin all; doctor writes
//     (and so reads); nurse writes vitals and notes and reads the rest;
//     receptionist nothing; billing reads diagnosis codes only.
//   - "prescriptions, sick notes (issue)": only the doctor issues. Reading
//     them is clinical reading (admin, doctor, nurse); the receptionist reads
//     sick notes only; billing neither.
//   - "invoices, payments, claims": admin and billing all; doctor reads
//     invoices; nurse nothing; receptionist creates invoices and takes
//     payments (reading the invoices it works on), no claims.
type roleRow struct {
	perm                                        medic.Permission
	admin, doctor, nurse, receptionist, billing bool
}

var roleMatrix = expectedRoleMatrix()

func expectedRoleMatrix() []roleRow {
	const yes, no = true, false
	return []roleRow{
		// practice settings, members, schedules, audit log
		{medic.PermSettingsManage, yes, no, no, no, no},
		{medic.PermMembersManage, yes, no, no, no, no},
		{medic.PermSchedulesManage, yes, no, no, no, no},
		{medic.PermAuditRead, yes, no, no, no, no},

		// patient demographics read / write
		{medic.PermPatientsRead, yes, yes, yes, yes, yes},
		{medic.PermPatientsWrite, yes, yes, yes, yes, no},

		// appointments, check-in
		{medic.PermAppointmentsRead, yes, yes, yes, yes, yes},
		{medic.PermAppointmentsWrite, yes, yes, yes, yes, no},

		// clinical notes, vitals, diagnoses, orders
		{medic.PermClinicalRead, yes, yes, yes, no, no},
		{medic.PermClinicalWrite, yes, yes, no, no, no},
		{medic.PermVitalsWrite, yes, yes, yes, no, no},
		{medic.PermNotesWrite, yes, yes, yes, no, no},
		{medic.PermDiagnosesRead, yes, yes, yes, no, yes},

		// prescriptions, sick notes (issue)
		{medic.PermPrescriptionsRead, yes, yes, yes, no, no},
		{medic.PermPrescriptionsIssue, no, yes, no, no, no},
		{medic.PermSickNotesRead, yes, yes, yes, yes, no},
		{medic.PermSickNotesIssue, no, yes, no, no, no},

		// invoices, payments, claims
		{medic.PermInvoicesRead, yes, yes, no, yes, yes},
		{medic.PermInvoicesCreate, yes, no, no, yes, yes},
		{medic.PermPaymentsTake, yes, no, no, yes, yes},
		{medic.PermClaimsManage, yes, no, no, no, yes},
		// tariff codes and prices: admin and billing (issue 14)
		{medic.PermTariffsManage, yes, no, no, no, yes},
		{medic.PermInvoicesVoid, yes, no, no, no, yes},
	}
}

// roleColumns are the matrix's columns, in order.
var roleColumns = []medic.Role{
	medic.RoleAdmin, medic.RoleDoctor, medic.RoleNurse, medic.RoleReceptionist, medic.RoleBilling,
}

func expectedAllowed(row int, r medic.Role) bool {
	m := roleMatrix[row]
	switch r {
	case medic.RoleAdmin:
		return m.admin
	case medic.RoleDoctor:
		return m.doctor
	case medic.RoleNurse:
		return m.nurse
	case medic.RoleReceptionist:
		return m.receptionist
	case medic.RoleBilling:
		return m.billing
	}
	panic("unknown role " + string(r))
}

func TestRoleMatrix(t *testing.T) {
	for i, row := range roleMatrix {
		for _, r := range roleColumns {
			want := expectedAllowed(i, r)
			t.Run(string(r)+"/"+string(row.perm), func(t *testing.T) {
				if got := r.Can(row.perm); got != want {
					t.Errorf("%s.Can(%s) = %v, DOMAIN.md says %v", r, row.perm, got, want)
				}
				if got := (medic.Tenant{Role: r}).Can(row.perm); got != want {
					t.Errorf("Tenant{Role: %s}.Can(%s) = %v, want %v", r, row.perm, got, want)
				}
			})
		}
	}
}

func TestRolePermissionsListsExactlyTheMatrix(t *testing.T) {
	for _, r := range roleColumns {
		var want []medic.Permission
		for i, row := range roleMatrix {
			if expectedAllowed(i, r) {
				want = append(want, row.perm)
			}
		}
		slices.Sort(want)
		if got := r.Permissions(); !slices.Equal(got, want) {
			t.Errorf("%s.Permissions() = %v, want %v", r, got, want)
		}
	}
}

func TestRoleRolesAreTheMatrixColumns(t *testing.T) {
	if !slices.Equal(medic.Roles, roleColumns) {
		t.Errorf("medic.Roles = %v, want %v", medic.Roles, roleColumns)
	}
}

func TestRoleValid(t *testing.T) {
	for _, r := range roleColumns {
		if !r.Valid() {
			t.Errorf("%q.Valid() = false, want true", r)
		}
	}
	for _, r := range []medic.Role{"", "Admin", "ADMIN", " admin", "owner", "operator", "patient", "superuser"} {
		if r.Valid() {
			t.Errorf("%q.Valid() = true, want false", r)
		}
	}
}

func TestRoleUnknownHasNoPermissions(t *testing.T) {
	all := medic.AllPermissions()
	if len(all) == 0 {
		t.Fatal("AllPermissions() is empty")
	}
	for _, r := range []medic.Role{"", "Admin", "owner", "operator", "patient", "superuser"} {
		for _, p := range all {
			if r.Can(p) {
				t.Errorf("unknown role %q can %s", r, p)
			}
			if (medic.Tenant{Role: r}).Can(p) {
				t.Errorf("Tenant with unknown role %q can %s", r, p)
			}
		}
		if ps := r.Permissions(); len(ps) != 0 {
			t.Errorf("unknown role %q has permissions %v", r, ps)
		}
	}
	// And an unknown permission is held by no role.
	for _, r := range roleColumns {
		for _, p := range []medic.Permission{"", "patients.delete", "*", "admin"} {
			if r.Can(p) {
				t.Errorf("%s can unknown permission %q", r, p)
			}
		}
	}
}

func TestRoleAllPermissions(t *testing.T) {
	all := medic.AllPermissions()
	if !slices.IsSorted(all) {
		t.Errorf("AllPermissions() is not sorted: %v", all)
	}
	if len(slices.Compact(slices.Clone(all))) != len(all) {
		t.Errorf("AllPermissions() has duplicates: %v", all)
	}
	seen := map[medic.Permission]bool{}
	for _, row := range roleMatrix {
		if seen[row.perm] {
			t.Errorf("the expected matrix lists %s twice", row.perm)
		}
		seen[row.perm] = true
		if !slices.Contains(all, row.perm) {
			t.Errorf("permission %s is missing from AllPermissions()", row.perm)
		}
	}
	for _, p := range all {
		if !seen[p] {
			t.Errorf("AllPermissions() has %s, which DOMAIN.md's table (roleMatrix) does not list", p)
		}
	}
}
