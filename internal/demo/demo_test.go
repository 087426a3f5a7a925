package demo_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"medic"
	"medic/internal/auth"
	"medic/internal/demo"
	"medic/internal/postgres/pgtest"
)

var clock = medic.ClockFunc(func() time.Time { return time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC) })

// snapshot is every demo table's content as text, owner-side (no RLS), so
// two snapshots differ if a load changed anything at all.
func snapshot(t *testing.T, conn *pgx.Conn) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, table := range []string{"practices", "users", "members", "locations", "audit_events", "platform_events",
		"patients", "practitioners", "practitioner_locations", "appointment_types", "schedule_rules", "schedule_exceptions",
		"appointments", "slot_places", "appointment_slots", "encounters", "encounter_vitals",
		"patient_allergies", "patient_no_known_allergies", "patient_conditions", "encounter_diagnoses", "referrals",
		"orders", "order_results", "sick_notes", "sick_note_codes"} {
		var s string
		err := conn.QueryRow(context.Background(), `SELECT coalesce(string_agg(t::text, E'\n' ORDER BY t::text), '') FROM `+table+` t`).Scan(&s)
		if err != nil {
			t.Fatalf("snapshot %s: %v", table, err)
		}
		out[table] = s
	}
	return out
}

func count(t *testing.T, conn *pgx.Conn, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := conn.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

func TestLoadIsIdempotent(t *testing.T) {
	db := pgtest.New(t)
	ctx := t.Context()
	owner, err := pgx.Connect(ctx, db.OwnerURL)
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close(context.Background())

	if err := demo.Load(ctx, db.DB, demo.DefaultPassword, clock); err != nil {
		t.Fatalf("first load: %v", err)
	}
	first := snapshot(t, owner)
	if err := demo.Load(ctx, db.DB, demo.DefaultPassword, clock); err != nil {
		t.Fatalf("second load: %v", err)
	}
	if second := snapshot(t, owner); len(second) != len(first) {
		t.Fatal("snapshots differ in shape")
	} else {
		for table := range first {
			if first[table] != second[table] {
				t.Errorf("the second load changed %s", table)
			}
		}
	}

	// 5 staff in each of 2 practices, both@, and the operator.
	if n := count(t, owner, `SELECT count(*) FROM practices`); n != 2 {
		t.Errorf("practices = %d, want 2", n)
	}
	if n := count(t, owner, `SELECT count(*) FROM users`); n != 12 {
		t.Errorf("users = %d, want 12", n)
	}
	if n := count(t, owner, `SELECT count(*) FROM users WHERE is_operator`); n != 1 {
		t.Errorf("operators = %d, want 1", n)
	}
	for _, slug := range []string{"sunrise", "harbour"} {
		if n := count(t, owner, `SELECT count(*) FROM members m JOIN practices p ON p.id = m.practice_id WHERE p.slug = $1 AND m.active`, slug); n != 6 {
			t.Errorf("%s: %d active members, want 6", slug, n)
		}
		if n := count(t, owner, `SELECT count(*) FROM locations l JOIN practices p ON p.id = l.practice_id WHERE p.slug = $1`, slug); n != 2 {
			t.Errorf("%s: %d locations, want 2", slug, n)
		}
		if n := count(t, owner, `SELECT count(*) FROM audit_events a JOIN practices p ON p.id = a.practice_id WHERE p.slug = $1 AND a.action = 'demo.loaded'`, slug); n != 1 {
			t.Errorf("%s: %d demo.loaded events, want 1", slug, n)
		}
	}
	if n := count(t, owner, `SELECT count(*) FROM platform_events WHERE action = 'demo.loaded'`); n != 1 {
		t.Errorf("platform demo.loaded events = %d, want 1", n)
	}

	// Through the store (app role, RLS): every account signs in with the
	// demo password and holds the roles the sign-in help promises.
	for _, a := range demo.Accounts() {
		u, err := db.FindUserByEmail(ctx, a.Email)
		if err != nil {
			t.Fatalf("%s: %v", a.Email, err)
		}
		if ok, err := auth.CheckPassword(u.PasswordHash, demo.DefaultPassword); !ok || err != nil {
			t.Errorf("%s: the demo password does not check (%v)", a.Email, err)
		}
		if u.IsOperator != a.Operator {
			t.Errorf("%s: is_operator = %v", a.Email, u.IsOperator)
		}
		ms, err := db.MembershipsOfUser(medic.WithActor(ctx, medic.Actor{UserID: u.ID}), u.ID)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]medic.Role{}
		for _, m := range ms {
			got[m.PracticeSlug] = m.Role
		}
		if len(got) != len(a.Roles) {
			t.Errorf("%s: memberships %v, want %v", a.Email, got, a.Roles)
		}
		for slug, role := range a.Roles {
			if got[slug] != role {
				t.Errorf("%s at %s: role %q, want %q", a.Email, slug, got[slug], role)
			}
		}
	}
	both := demo.Accounts()[10]
	if both.Email != "both@example.org" || both.Describe() != "doctor at sunrise, admin at harbour" {
		t.Errorf("both@ = %s: %s", both.Email, both.Describe())
	}

	p, err := db.FindPracticeByRef(ctx, "sunrise")
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "Sunrise Family Practice" || p.TimeZone != "Africa/Johannesburg" {
		t.Errorf("sunrise = %q in %q", p.Name, p.TimeZone)
	}
	ls, _, err := db.ListLocations(medic.WithTenant(ctx, medic.Tenant{PracticeID: p.ID}), medic.Page{})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range ls {
		if l.Address == "" || l.Phone == "" || l.Hours["mon"] == "" || l.Hours["sun"] != "" {
			t.Errorf("location %s: address %q phone %q hours %v", l.Name, l.Address, l.Phone, l.Hours)
		}
	}
}

// A visitor who changed a demo password or role, suspended a practice,
// required or enabled 2FA, put a practitioner on leave, removed its
// schedule or made a type unbookable online gets the demo back on the next
// load (a restart), and the repair is audited.
func TestLoadRepairsChanges(t *testing.T) {
	db := pgtest.New(t)
	ctx := t.Context()
	if err := demo.Load(ctx, db.DB, demo.DefaultPassword, clock); err != nil {
		t.Fatal(err)
	}
	u, err := db.FindUserByEmail(ctx, "doctor@sunrise.example")
	if err != nil {
		t.Fatal(err)
	}
	other, _ := auth.HashPassword("something-else-entirely")
	if err := db.SetPassword(ctx, u.ID, other); err != nil {
		t.Fatal(err)
	}
	p, err := db.FindPracticeByRef(ctx, "sunrise")
	if err != nil {
		t.Fatal(err)
	}
	tctx := medic.WithTenant(ctx, medic.Tenant{PracticeID: p.ID})
	m, err := db.FindMemberByUser(tctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	m.Role, m.Active = medic.RoleNurse, false
	if err := db.UpdateMember(tctx, m); err != nil {
		t.Fatal(err)
	}
	if err := db.SetTOTP(ctx, u.ID, "JBSWY3DPEHPK3PXP", true); err != nil {
		t.Fatal(err)
	}
	both, err := db.FindUserByEmail(ctx, "both@example.org")
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SetTOTP(ctx, both.ID, "JBSWY3DPEHPK3PXP", false); err != nil { // 2FA set-up begun, not finished
		t.Fatal(err)
	}
	if err := db.SetPracticeStatus(ctx, p.ID, medic.PracticeSuspended); err != nil {
		t.Fatal(err)
	}
	p.Require2FA = true
	if err := db.UpdatePractice(tctx, p); err != nil {
		t.Fatal(err)
	}
	prs, _, err := db.ListPractitioners(tctx, medic.Page{})
	if err != nil {
		t.Fatal(err)
	}
	pr := prs[0]
	pr.Status, pr.Assignments = medic.PractitionerOnLeave, pr.Assignments[:1]
	if err := db.UpdatePractitioner(tctx, pr); err != nil {
		t.Fatal(err)
	}
	rules, err := db.ListScheduleRules(tctx, pr.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rules {
		if err := db.DeleteScheduleRule(tctx, r.ID); err != nil {
			t.Fatal(err)
		}
	}
	types, err := db.ListAppointmentTypes(tctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, ty := range types {
		ty.OnlineBookable, ty.Active = false, false
		if err := db.UpdateAppointmentType(tctx, ty); err != nil {
			t.Fatal(err)
		}
	}

	if err := demo.Load(ctx, db.DB, demo.DefaultPassword, clock); err != nil {
		t.Fatal(err)
	}
	if p, _ = db.FindPracticeByRef(ctx, "sunrise"); p.Status != medic.PracticeActive || p.Require2FA {
		t.Errorf("sunrise: status %s, require 2FA %v; want active without", p.Status, p.Require2FA)
	}
	for _, email := range []string{"doctor@sunrise.example", "both@example.org"} {
		if u, _ := db.FindUserByEmail(ctx, email); u.TOTPEnabled || u.TOTPSecret != "" {
			t.Errorf("%s: 2FA still on (enabled %v)", email, u.TOTPEnabled)
		}
	}
	if pr, _ = db.FindPractitioner(tctx, pr.ID); pr.Status != medic.PractitionerActive || len(pr.Assignments) != 2 {
		t.Errorf("%s: %s with %d assignments, want active at 2 locations", pr.Name, pr.Status, len(pr.Assignments))
	}
	if rules, _ = db.ListScheduleRules(tctx, pr.ID); len(rules) == 0 {
		t.Errorf("%s: schedule not put back", pr.Name)
	}
	types, _ = db.ListAppointmentTypes(tctx)
	online := 0
	for _, ty := range types {
		if !ty.Active {
			t.Errorf("type %s left inactive", ty.Name)
		}
		if ty.OnlineBookable {
			online++
		}
	}
	if online != 3 {
		t.Errorf("%d online-bookable types after the repair, want 3", online)
	}
	u, _ = db.FindUserByEmail(ctx, u.Email)
	if ok, _ := auth.CheckPassword(u.PasswordHash, demo.DefaultPassword); !ok {
		t.Error("password not put back")
	}
	m, _ = db.FindMemberByUser(tctx, u.ID)
	if m.Role != medic.RoleDoctor || !m.Active {
		t.Errorf("member = %s active=%v, want an active doctor", m.Role, m.Active)
	}
	evs, _, err := db.ListAuditEvents(tctx, medic.AuditFilter{Action: "demo.loaded"}, medic.Page{})
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 2 {
		t.Errorf("sunrise has %d demo.loaded events, want 2 (load, repair)", len(evs))
	}
}

func TestLoadRefusesAWeakPassword(t *testing.T) {
	if err := demo.Load(t.Context(), nil, "short", clock); err == nil {
		t.Fatal("a password shorter than the policy was accepted")
	}
}

// practiceCtx is the store's context for the practice with slug.
func practiceCtx(t *testing.T, db *pgtest.DB, slug string) (context.Context, *medic.Practice) {
	t.Helper()
	p, err := db.FindPracticeByRef(t.Context(), slug)
	if err != nil {
		t.Fatal(err)
	}
	return medic.WithTenant(t.Context(), medic.Tenant{PracticeID: p.ID, Slug: p.Slug, Name: p.Name, TimeZone: p.TimeZone}), p
}

// The scheduling part of the demo: per practice at least 100 patients with
// emails and valid ID numbers, three active practitioners with weekday
// rules (one a doctor member), online-bookable types, and appointments
// over the next 14 days that hold exactly the slot places they should, so
// availability sees them as taken. A reload a day later adds the new
// day's appointments and nothing else.
func TestLoadScheduling(t *testing.T) {
	db := pgtest.New(t)
	ctx := t.Context()
	owner, err := pgx.Connect(ctx, db.OwnerURL)
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close(context.Background())
	if err := demo.Load(ctx, db.DB, demo.DefaultPassword, clock); err != nil {
		t.Fatal(err)
	}
	zone, _ := time.LoadLocation("Africa/Johannesburg")
	now := clock.Now()
	today := medic.DateOf(now.In(zone))
	from, to := today.In(zone), today.AddDays(14).In(zone)

	doctorOf := map[string][]string{"sunrise": {"doctor@sunrise.example", "both@example.org"}, "harbour": {"doctor@harbour.example"}}
	for _, slug := range []string{"sunrise", "harbour"} {
		tctx, _ := practiceCtx(t, db, slug)

		// Patients.
		ps, _, err := db.SearchPatients(tctx, medic.PatientFilter{}, medic.Page{Limit: medic.MaxLimit})
		if err != nil {
			t.Fatal(err)
		}
		if len(ps) < 100 {
			t.Errorf("%s: %d patients, want at least 100", slug, len(ps))
		}
		emails := map[string]bool{}
		for _, p := range ps {
			if !strings.HasSuffix(p.Email, "@example.com") && !strings.HasSuffix(p.Email, "@example.org") {
				t.Errorf("%s: %s has email %q", slug, p.FullName(), p.Email)
			}
			if emails[p.Email] {
				t.Errorf("%s: email %s twice", slug, p.Email)
			}
			emails[p.Email] = true
			if p.IDNumber == "" || !strings.HasPrefix(p.Phone, "+27") {
				t.Errorf("%s: %s has ID %q, phone %q", slug, p.FullName(), p.IDNumber, p.Phone)
			}
			check := *p
			if err := check.Validate(today); err != nil {
				t.Errorf("%s: %s (%s, %s, %s) is not valid: %v", slug, p.FullName(), p.DateOfBirth, p.Sex, p.IDNumber, err)
			}
		}

		// The desk has heard of the coming days' online bookings.
		ns, _, err := db.ListNotifications(tctx, medic.Page{Limit: medic.MaxLimit})
		if err != nil {
			t.Fatal(err)
		}
		booked := 0
		for _, n := range ns {
			if n.Kind == medic.NotificationOnlineBooking && n.AppointmentID != "" && strings.Contains(n.Title, "booked online") {
				booked++
			}
		}
		if booked == 0 {
			t.Errorf("%s: no notification of an online booking (%d notifications)", slug, len(ns))
		}

		// Appointment types.
		types, err := db.ListAppointmentTypes(tctx)
		if err != nil {
			t.Fatal(err)
		}
		online := 0
		for _, ty := range types {
			if ty.Active && ty.OnlineBookable {
				online++
			}
		}
		if len(types) != 4 || online != 3 {
			t.Errorf("%s: %d types, %d online-bookable; want 4 and 3", slug, len(types), online)
		}

		// Practitioners and their rules.
		prs, _, err := db.ListPractitioners(tctx, medic.Page{})
		if err != nil {
			t.Fatal(err)
		}
		if len(prs) != 3 {
			t.Fatalf("%s: %d practitioners, want 3", slug, len(prs))
		}
		linked := map[string]bool{}
		gridSlots, takenSlots := 0, 0
		for _, pr := range prs {
			if pr.Status != medic.PractitionerActive || !strings.HasPrefix(pr.RegistrationNumber, "MP") || len(pr.RegistrationNumber) != 9 || pr.Specialty == "" {
				t.Errorf("%s: practitioner %s: %s, %q, %q", slug, pr.Name, pr.Status, pr.RegistrationNumber, pr.Specialty)
			}
			if len(pr.Assignments) != 2 {
				t.Errorf("%s: %s has %d location assignments, want 2", slug, pr.Name, len(pr.Assignments))
			}
			if pr.MemberID != "" {
				m, err := db.FindMember(tctx, pr.MemberID)
				if err != nil {
					t.Fatal(err)
				}
				u, err := db.FindUserByID(ctx, m.UserID)
				if err != nil {
					t.Fatal(err)
				}
				linked[u.Email] = true
			}
			rules, err := db.ListScheduleRules(tctx, pr.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(rules) < 5 {
				t.Errorf("%s: %s has %d rules", slug, pr.Name, len(rules))
			}
			days := map[time.Weekday]bool{}
			for _, r := range rules {
				days[r.Weekday] = true
				if r.SlotMinutes != 15 || r.Capacity != 1 || !pr.AssignedAt(r.LocationID, today) {
					t.Errorf("%s: %s rule %s %s-%s: slots %d, capacity %d", slug, pr.Name, r.Weekday, r.Start, r.End, r.SlotMinutes, r.Capacity)
				}
			}
			if len(days) != 5 || days[time.Saturday] || days[time.Sunday] {
				t.Errorf("%s: %s works on %v, want Monday to Friday", slug, pr.Name, days)
			}

			// Availability sees every holding appointment as taken, and
			// still offers open slots.
			booked, err := db.BookedPlaces(tctx, pr.ID, from.Add(-24*time.Hour), to.Add(24*time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			in := medic.AvailabilityInput{Location: zone, Now: from, From: from, To: to, Practitioner: pr, Rules: rules, Booked: booked, IgnoreCapacity: true}
			grid := medic.ComputeSlots(in)
			gridSlots += len(grid)
			for _, s := range grid {
				if s.Remaining == 0 {
					takenSlots++
				}
			}
			in.IgnoreCapacity = false
			open := medic.ComputeSlots(in)
			if len(open) == 0 {
				t.Errorf("%s: %s has no open slots in the next 14 days", slug, pr.Name)
			}
			as, _, err := db.ListAppointments(tctx, medic.AppointmentFilter{PractitionerID: pr.ID, From: from, To: to}, medic.Page{Limit: medic.MaxLimit})
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range as {
				_, offered := medic.FindSlot(open, a.Start, a.LocationID)
				if a.Status.Holds() == offered {
					t.Errorf("%s: %s appointment at %s (%s) offered by availability: %v", slug, pr.Name, a.Start.In(zone), a.Status, offered)
				}
			}
		}
		for _, email := range doctorOf[slug] {
			if !linked[email] {
				t.Errorf("%s: no practitioner linked to %s's membership (linked: %v)", slug, email, linked)
			}
		}
		ratio := float64(takenSlots) / float64(gridSlots)
		t.Logf("%s: %d of %d slots in the next 14 days taken (%.0f%%)", slug, takenSlots, gridSlots, 100*ratio)
		if ratio < 0.35 || ratio > 0.65 {
			t.Errorf("%s: %d of %d slots taken (%.0f%%), want about 40-60%%", slug, takenSlots, gridSlots, 100*ratio)
		}

		// Appointments: statuses, types, reasons.
		var statuses, kinds, cancelledWithoutReason, total int
		err = owner.QueryRow(ctx, `SELECT count(DISTINCT a.status), count(DISTINCT a.appointment_type_id),
				count(*) FILTER (WHERE a.status = 'cancelled' AND a.cancel_reason = ''), count(*)
			FROM appointments a JOIN practices p ON p.id = a.practice_id
			WHERE p.slug = $1 AND a.starts_at >= $2 AND a.starts_at < $3`, slug, from, to).Scan(&statuses, &kinds, &cancelledWithoutReason, &total)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %d appointments in %d statuses of %d types", slug, total, statuses, kinds)
		if total < 150 || statuses < 4 || kinds != 4 || cancelledWithoutReason != 0 {
			t.Errorf("%s: %d appointments in %d statuses of %d types, %d cancelled without reason", slug, total, statuses, kinds, cancelledWithoutReason)
		}
		for _, status := range []medic.AppointmentStatus{medic.StatusCompleted, medic.StatusCancelled, medic.StatusBooked} {
			if n := count(t, owner, `SELECT count(*) FROM appointments a JOIN practices p ON p.id = a.practice_id WHERE p.slug = $1 AND a.status = $2`, slug, status); n == 0 {
				t.Errorf("%s: no %s appointments", slug, status)
			}
		}
		// Earlier today is over: nothing before now is still just booked.
		if n := count(t, owner, `SELECT count(*) FROM appointments a JOIN practices p ON p.id = a.practice_id
			WHERE p.slug = $1 AND a.ends_at <= $2 AND a.status = 'booked'`, slug, now); n != 0 {
			t.Errorf("%s: %d appointments over but still booked", slug, n)
		}
	}

	// Slot places agree with the appointments holding them: no slot over
	// capacity, each holding appointment holds one place per 15 minutes,
	// the others none.
	if n := count(t, owner, `SELECT count(*) FROM slot_places sp WHERE sp.booked > sp.capacity OR sp.overbooked <> 0 OR sp.booked <>
		(SELECT count(*) FROM appointment_slots s WHERE s.practice_id = sp.practice_id AND s.practitioner_id = sp.practitioner_id AND s.slot_start = sp.slot_start)`); n != 0 {
		t.Errorf("%d slot_places rows disagree with appointment_slots or exceed capacity", n)
	}
	if n := count(t, owner, `SELECT count(*) FROM appointments a WHERE
		(SELECT count(*) FROM appointment_slots s WHERE s.practice_id = a.practice_id AND s.appointment_id = a.id) <>
		CASE WHEN a.status IN ('cancelled', 'no_show') THEN 0 ELSE extract(epoch FROM a.ends_at - a.starts_at)::int / 900 END`); n != 0 {
		t.Errorf("%d appointments hold the wrong number of slot places", n)
	}
	if n := count(t, owner, `SELECT count(*) FROM appointments a JOIN appointments b ON a.practice_id = b.practice_id
		AND a.practitioner_id = b.practitioner_id AND a.id < b.id AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at`); n != 0 {
		t.Errorf("%d pairs of appointments of one practitioner overlap", n)
	}

	// A day later: the new fourteenth day gets appointments; nothing else
	// is added or doubled.
	patients := count(t, owner, `SELECT count(*) FROM patients`)
	appointments := count(t, owner, `SELECT count(*) FROM appointments`)
	later := medic.ClockFunc(func() time.Time { return clock.Now().Add(24 * time.Hour) })
	if err := demo.Load(ctx, db.DB, demo.DefaultPassword, later); err != nil {
		t.Fatal(err)
	}
	if n := count(t, owner, `SELECT count(*) FROM patients`); n != patients {
		t.Errorf("patients %d -> %d on a reload", patients, n)
	}
	if n := count(t, owner, `SELECT count(*) FROM appointments`); n <= appointments {
		t.Errorf("appointments %d -> %d on a reload a day later, want the new day's", appointments, n)
	}
	if n := count(t, owner, `SELECT count(*) FROM appointments a JOIN appointments b ON a.practice_id = b.practice_id
		AND a.practitioner_id = b.practitioner_id AND a.id < b.id AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at`); n != 0 {
		t.Errorf("after a later reload, %d pairs of appointments of one practitioner overlap", n)
	}
	if n := count(t, owner, `SELECT count(*) FROM practitioners`); n != 6 {
		t.Errorf("practitioners = %d after a later reload, want 6", n)
	}
}
