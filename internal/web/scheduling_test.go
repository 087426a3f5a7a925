package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"medic"
	"medic/internal/app"
)

// --- builders for patients and scheduling ---

// zone is the test practices' time zone (mustPractice).
var zone = mustZone("Africa/Johannesburg")

func mustZone(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

func today() medic.Date { return medic.DateOf(time.Now().In(zone)) }

// saID completes a 12-digit prefix with its check digit.
func saID(first12 string) string { return first12 + string(medic.SAIDCheckDigit(first12)) }

// adminCtx works in p as an admin, for seeding through the use cases.
func adminCtx(p *medic.Practice) context.Context {
	return medic.WithTenant(context.Background(), medic.Tenant{PracticeID: p.ID, Slug: p.Slug, Name: p.Name, TimeZone: p.TimeZone, Role: medic.RoleAdmin})
}

func (e *env) mustPatient(p *medic.Practice, given, family, dob string) *medic.Patient {
	e.t.Helper()
	d, err := medic.ParseDate(dob)
	if err != nil {
		e.t.Fatal(err)
	}
	pt := &medic.Patient{GivenName: given, FamilyName: family, DateOfBirth: d}
	if err := pt.Validate(today()); err != nil {
		e.t.Fatal(err)
	}
	if err := e.db.CreatePatient(tenantCtx(p), pt); err != nil {
		e.t.Fatalf("create patient: %v", err)
	}
	return pt
}

func (e *env) patientCount(p *medic.Practice) int {
	e.t.Helper()
	n, err := e.db.CountPatients(tenantCtx(p), medic.PatientActive)
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

// clinic is a practitioner working at a location with one appointment type
// and one weekly rule on tomorrow's weekday, 08:00-12:00 in 30-minute slots
// of capacity 1.
type clinic struct {
	loc  *medic.Location
	pr   *medic.Practitioner
	typ  *medic.AppointmentType
	rule *medic.ScheduleRule
	day  medic.Date // tomorrow
}

func (e *env) mustClinic(p *medic.Practice, doctor string) clinic {
	e.t.Helper()
	ctx := tenantCtx(p)
	c := clinic{loc: e.mustLocation(p, doctor+" Rooms"), day: today().AddDays(1)}
	c.pr = &medic.Practitioner{Name: doctor, Specialty: "General practice", Status: medic.PractitionerActive,
		Assignments: []medic.LocationAssignment{{LocationID: c.loc.ID, Primary: true, StartDate: today().AddDays(-1)}}}
	if err := e.db.CreatePractitioner(ctx, c.pr); err != nil {
		e.t.Fatalf("create practitioner: %v", err)
	}
	c.typ = &medic.AppointmentType{Name: "Consultation", DurationMinutes: 30, Color: "#aa3355", Active: true}
	if err := e.db.CreateAppointmentType(ctx, c.typ); err != nil {
		e.t.Fatalf("create type: %v", err)
	}
	c.rule = &medic.ScheduleRule{PractitionerID: c.pr.ID, LocationID: c.loc.ID, Weekday: c.day.Weekday(), Start: 8 * 60, End: 12 * 60,
		SlotMinutes: 30, Capacity: 1, EffectiveFrom: today()}
	if err := e.db.CreateScheduleRule(ctx, c.rule); err != nil {
		e.t.Fatalf("create rule: %v", err)
	}
	return c
}

// at is the instant of hh:mm on the clinic's day.
func (c clinic) at(hhmm string) time.Time {
	t, err := medic.ParseClockTime(hhmm)
	if err != nil {
		panic(err)
	}
	return t.On(c.day, zone)
}

func (e *env) mustBook(p *medic.Practice, c clinic, pt *medic.Patient, hhmm string) *medic.Appointment {
	e.t.Helper()
	ap, err := e.app.BookAppointment(adminCtx(p), app.BookingRequest{PatientID: pt.ID, PractitionerID: c.pr.ID, LocationID: c.loc.ID,
		AppointmentTypeID: c.typ.ID, Start: c.at(hhmm)})
	if err != nil {
		e.t.Fatalf("book %s: %v", hhmm, err)
	}
	return ap
}

func (e *env) appointment(p *medic.Practice, id string) *medic.Appointment {
	e.t.Helper()
	ap, err := e.db.FindAppointment(tenantCtx(p), id)
	if err != nil {
		e.t.Fatalf("find appointment: %v", err)
	}
	return ap
}

// slotValue is the radio value the booking page gives a slot.
func slotValue(c clinic, hhmm string) string {
	return c.at(hhmm).UTC().Format(time.RFC3339) + "|" + c.pr.ID + "|" + c.loc.ID
}

// --- patients ---

func TestPatientCreateKeepsValuesThenWarnsOfDuplicate(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.mustPractice("sunrise", "Sunrise")
	// A doctor: the form's clinical fields are for the roles that write
	// them (doctors and admins; nurses read them).
	e.mustMember(p, e.mustUser("desk@sunrise.example", "Desk"), "doctor")
	c := e.signIn("desk@sunrise.example")

	form := wantStatusOf(t, c.get("/patients/new"), http.StatusOK)
	wantContains(t, form, `name="given_name"`, `name="date_of_birth"`, `name="id_number"`, `name="passport"`, `name="aid_scheme"`,
		`name="aid_member_number"`, `name="aid_dependent_code"`, `name="ec_name_0"`, `name="allergies"`, `name="chronic_conditions"`,
		`name="preferred_language"`, `name="address"`, `name="sex"`)

	bad := url.Values{"given_name": {"Thabo"}, "family_name": {""}, "date_of_birth": {"1985-07-14"}, "sex": {"male"},
		"id_number": {"8507145000081"}, "phone": {"call me"}, "email": {"thabo@"}, "aid_scheme": {"Discovery"},
		"aid_member_number": {"123456789"}, "ec_name_0": {"Naledi Nkosi"}, "ec_relationship_0": {"Sister"},
		"allergies": {"Penicillin\r\nSulfa"}, "chronic_conditions": {"Asthma"}}
	r := c.post("/patients/new", bad)
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, r, "Enter the family name.", "Enter a phone number such as", "Enter a valid email address.",
		`value="Thabo"`, `value="Discovery"`, `value="123456789"`, `value="Naledi Nkosi"`, `value="Sister"`, "Penicillin", "Sulfa",
		`value="1985-07-14"`, `<option value="male" selected>`, `aria-invalid="true"`)
	if e.patientCount(p) != 0 {
		t.Fatal("an invalid chart was saved")
	}

	// A wrong ID number checksum is refused; the right one matches the date of birth and sex.
	good := url.Values{"given_name": {"Thabo"}, "family_name": {"Nkosi"}, "date_of_birth": {"1985-07-14"}, "sex": {"male"},
		"id_number": {saID("850714500008")}, "phone": {"082 555 0100"}, "email": {"thabo@example.org"}, "aid_scheme": {"Discovery"},
		"ec_name_0": {"Naledi Nkosi"}, "ec_phone_0": {"083 555 0199"}, "allergies": {"Penicillin"}}
	wrong := cloneValues(good)
	wrong.Set("id_number", "8507145000089")
	if saID("850714500008") == "8507145000089" {
		wrong.Set("id_number", "8507145000088")
	}
	r = c.post("/patients/new", wrong)
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, r, `id="patient-id_number-error"`)

	r = c.post("/patients/new", good)
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r, "Patient added.", "Thabo Nkosi", "Penicillin", "&#43;27825550100", "Naledi Nkosi", "Discovery", `href="/appointments/new?patient=`)
	first := regexpFind(t, r.url, `^/patients/([0-9a-f-]{36})`)

	// The same name and date of birth again: the form warns and links the chart.
	again := url.Values{"given_name": {"thabo"}, "family_name": {"NKOSI"}, "date_of_birth": {"1985-07-14"}, "phone": {"072 555 0111"}}
	r = c.post("/patients/new", again)
	wantStatus(t, r, http.StatusConflict)
	wantContains(t, r, "looks like a patient who already has a chart", `href="/patients/`+first+`"`, "Same name and date of birth",
		"This is a different person", `value="072 555 0111"`)
	if e.patientCount(p) != 1 {
		t.Fatal("a duplicate was created without confirmation")
	}
	// The same email is a duplicate too.
	r = c.post("/patients/new", url.Values{"given_name": {"Sipho"}, "family_name": {"Dube"}, "date_of_birth": {"1990-01-01"}, "email": {"Thabo@Example.org"}})
	wantStatus(t, r, http.StatusConflict)
	wantContains(t, r, "Same email")

	again.Set("confirm_different", "on")
	r = c.post("/patients/new", again)
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r, "Patient added.")
	if e.patientCount(p) != 2 {
		t.Fatalf("patients = %d, want 2 after confirming a different person", e.patientCount(p))
	}

	// Edit keeps the values and shows errors in place.
	r = c.get("/patients/" + first + "/edit")
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r, `value="Thabo"`, `value="&#43;27825550100"`, `value="Naledi Nkosi"`)
	r = c.post("/patients/"+first+"/edit", url.Values{"given_name": {"Thabo"}, "family_name": {"Nkosi"}, "date_of_birth": {"not a date"}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, r, "Enter the date as YYYY-MM-DD", `value="not a date"`)
	r = c.post("/patients/"+first+"/edit", url.Values{"given_name": {"Thabo"}, "family_name": {"Nkosi-Mokoena"}, "date_of_birth": {"1985-07-14"},
		"sex": {"male"}, "id_number": {saID("850714500008")}})
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r, "Patient saved.", "Thabo Nkosi-Mokoena")

	// Deactivate and reactivate; never deleted.
	r = c.post("/patients/"+first+"/status", url.Values{"status": {"inactive"}})
	wantContains(t, r, "The chart is deactivated", "Reactivate chart")
	wantNotContains(t, c.get("/patients?q=Nkosi-Mokoena"), "/patients/"+first+`"`)
	wantContains(t, c.get("/patients?q=Nkosi-Mokoena&inactive=on"), "/patients/"+first+`"`)
	r = c.post("/patients/"+first+"/status", url.Values{"status": {"active"}})
	wantContains(t, r, "The chart is active again", "Deactivate chart")
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

func wantStatusOf(t *testing.T, p page, status int) page {
	t.Helper()
	wantStatus(t, p, status)
	return p
}

func TestPatientSearchToleratesTyposSortsAndPages(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.mustPractice("sunrise", "Sunrise")
	e.mustMember(p, e.mustUser("desk@sunrise.example", "Desk"), "receptionist")
	thabo := e.mustPatient(p, "Thabo", "Nkosi", "1985-07-14")
	e.mustPatient(p, "Lerato", "Dlamini", "1992-03-02")
	c := e.signIn("desk@sunrise.example")

	r := c.get("/patients?q=" + url.QueryEscape("nksoi"))
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r, `href="/patients/`+thabo.ID+`"`, "Nkosi, Thabo")
	wantNotContains(t, r, "Dlamini")
	r = c.get("/patients?q=" + url.QueryEscape("Thabo Nkos"))
	wantContains(t, r, "Nkosi, Thabo")
	r = c.get("/patients?q=zzzzqqq")
	wantContains(t, r, "No patients match")

	// Sorting by name both ways, with aria-sort on the column.
	asc := c.get("/patients?sort=name")
	wantContains(t, asc, `aria-sort="ascending"`)
	if strings.Index(asc.body, "Dlamini") > strings.Index(asc.body, "Nkosi") {
		t.Error("sort=name does not put Dlamini before Nkosi")
	}
	desc := c.get("/patients?sort=-name")
	wantContains(t, desc, `aria-sort="descending"`)
	if strings.Index(desc.body, "Dlamini") < strings.Index(desc.body, "Nkosi") {
		t.Error("sort=-name does not put Nkosi before Dlamini")
	}
	wantStatus(t, c.get("/patients?sort=nonsense"), http.StatusUnprocessableEntity)

	// 25 a page: the next page holds the rest.
	for i := range 26 {
		e.mustPatient(p, "Page", fmt.Sprintf("Person%02d", i), "2000-01-01")
	}
	first := c.get("/patients?q=Person&sort=name")
	wantContains(t, first, "Person00", "Person24", "Next page")
	wantNotContains(t, first, "Person25")
	next := regexpFind(t, first.body, `href="(/patients\?[^"]*cursor=[^"]+)"`)
	second := c.get(strings.ReplaceAll(next, "&amp;", "&"))
	wantStatus(t, second, http.StatusOK)
	wantContains(t, second, "Person25", "First page")
	wantNotContains(t, second, "Person24")
}

func TestMergePatientsNeedsConfirmation(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.mustPractice("sunrise", "Sunrise")
	e.mustMember(p, e.mustUser("desk@sunrise.example", "Desk"), "receptionist")
	cl := e.mustClinic(p, "Dr Naidoo")
	dup := e.mustPatient(p, "Thabo", "Nkosi", "1985-07-14")
	keep := e.mustPatient(p, "Thabo", "Nkosi", "1985-07-14")
	ap := e.mustBook(p, cl, dup, "09:00")
	c := e.signIn("desk@sunrise.example")

	r := c.get("/patients/" + dup.ID + "/merge?q=Nkosi")
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r, "into="+keep.ID)
	r = c.get("/patients/" + dup.ID + "/merge?q=Nkosi&into=" + keep.ID)
	wantContains(t, r, "I understand that merging cannot be undone", `name="into" value="`+keep.ID+`"`)
	r = c.post("/patients/"+dup.ID+"/merge", url.Values{"into": {keep.ID}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, r, "Tick to confirm the merge.")
	r = c.post("/patients/"+dup.ID+"/merge", url.Values{"into": {keep.ID}, "confirm": {"on"}})
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r, "The charts are merged.")
	if got := e.appointment(p, ap.ID).PatientID; got != keep.ID {
		t.Fatalf("the appointment stayed with %s", got)
	}
	wantContains(t, c.get("/patients/"+keep.ID+"?tab=appointments"), `href="/appointments/`+ap.ID+`"`)
	wantContains(t, c.get("/patients/"+dup.ID), "This chart was merged into")
}

// --- tenancy ---

func TestDeskRecordsOfAnotherPracticeAre404(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.mustPractice("alpha", "Alpha")
	b := e.mustPractice("beta", "Beta")
	e.mustMember(a, e.mustUser("admin@alpha.example", "Admin A"), "admin")
	mine := e.mustPatient(a, "Own", "Patient", "1980-01-01")
	cb := e.mustClinic(b, "Dr Secret")
	theirs := e.mustPatient(b, "Hidden", "Person", "1970-05-05")
	ap := e.mustBook(b, cb, theirs, "08:00")
	leave := &medic.ScheduleException{PractitionerID: cb.pr.ID, Kind: medic.ExceptionLeave, Start: cb.at("13:00"), End: cb.at("14:00")}
	if err := e.db.CreateScheduleException(tenantCtx(b), leave); err != nil {
		t.Fatal(err)
	}
	note := &medic.Notification{Kind: medic.NotificationOnlineBooking, Title: "Hidden Person booked online", AppointmentID: ap.ID}
	if err := e.db.CreateNotification(tenantCtx(b), note); err != nil {
		t.Fatal(err)
	}
	c := e.signIn("admin@alpha.example")

	missing := c.get("/patients/00000000-0000-4000-8000-000000000000")
	wantStatus(t, missing, http.StatusNotFound)
	gets := []string{
		"/patients/" + theirs.ID, "/patients/" + theirs.ID + "?tab=appointments", "/patients/" + theirs.ID + "/edit",
		"/patients/" + theirs.ID + "/merge", "/appointments/" + ap.ID, "/appointments/new?patient=" + theirs.ID,
		"/practitioners/" + cb.pr.ID, "/schedules?practitioner=" + cb.pr.ID, "/schedules/rules/" + cb.rule.ID,
		"/appointment-types/" + cb.typ.ID, "/calendar?practitioner=" + cb.pr.ID, "/calendar?location=" + cb.loc.ID,
		"/today?practitioner=" + cb.pr.ID,
	}
	for _, path := range gets {
		r := c.get(path)
		wantStatus(t, r, http.StatusNotFound)
		wantNotContains(t, r, "Hidden", "Dr Secret")
		if r.body != missing.body {
			t.Errorf("GET %s: the 404 differs from a missing record's", path)
		}
	}
	posts := map[string]url.Values{
		"/patients/" + theirs.ID + "/edit":           {"given_name": {"X"}, "family_name": {"Y"}, "date_of_birth": {"1970-05-05"}},
		"/patients/" + theirs.ID + "/status":         {"status": {"inactive"}},
		"/patients/" + theirs.ID + "/merge":          {"into": {mine.ID}, "confirm": {"on"}},
		"/patients/" + mine.ID + "/merge":            {"into": {theirs.ID}, "confirm": {"on"}},
		"/appointments/" + ap.ID + "/cancel":         {"reason": {"gone"}},
		"/appointments/" + ap.ID + "/status":         {"to": {"checked_in"}},
		"/appointments/" + ap.ID + "/reschedule":     {"slot": {slotValue(cb, "09:00")}},
		"/practitioners/" + cb.pr.ID:                 {"name": {"Hijacked"}},
		"/schedules/rules/" + cb.rule.ID:             {"weekday": {"1"}, "start": {"08:00"}, "end": {"09:00"}, "slot_minutes": {"30"}, "capacity": {"1"}, "effective_from": {today().String()}},
		"/schedules/rules/" + cb.rule.ID + "/delete": {"confirm": {"on"}},
		"/schedules/rules":                           {"practitioner_id": {cb.pr.ID}, "weekday": {"1"}, "location_id": {cb.loc.ID}, "start": {"13:00"}, "end": {"14:00"}, "slot_minutes": {"30"}, "capacity": {"1"}, "effective_from": {today().String()}},
		"/schedules/exceptions":                      {"practitioner_id": {cb.pr.ID}, "kind": {"leave"}, "from_date": {cb.day.String()}, "to_date": {cb.day.String()}, "confirm": {"on"}},
		"/appointment-types/" + cb.typ.ID:            {"name": {"Hijacked"}, "duration_minutes": {"10"}},
		"/notifications/" + note.ID + "/read":        {},
	}
	for path, f := range posts {
		r := c.post(path, f)
		if r.status != http.StatusNotFound {
			t.Errorf("POST %s: status %d, want 404", path, r.status)
		}
	}
	// Booking another practice's patient into one's own slot is refused too.
	ca := e.mustClinic(a, "Dr Own")
	r := c.post("/appointments/new", url.Values{"patient": {theirs.ID}, "type": {ca.typ.ID}, "date": {ca.day.String()}, "slot": {slotValue(ca, "08:00")}})
	if r.status == http.StatusOK || r.status == http.StatusSeeOther {
		t.Fatalf("booked another practice's patient: %d", r.status)
	}

	// Nothing of theirs moved, and no list shows it.
	if got := e.appointment(b, ap.ID); got.Status != medic.StatusBooked || !got.Start.Equal(cb.at("08:00")) {
		t.Fatalf("their appointment changed: %+v", got)
	}
	if pr, _ := e.db.FindPractitioner(tenantCtx(b), cb.pr.ID); pr.Name != "Dr Secret" {
		t.Fatal("their practitioner was renamed")
	}
	if rs, _ := e.db.ListScheduleRules(tenantCtx(b), cb.pr.ID); len(rs) != 1 || rs[0].Start != 8*60 {
		t.Fatal("their schedule changed")
	}
	if es, _ := e.db.ListScheduleExceptions(tenantCtx(b), cb.pr.ID, time.Time{}, time.Time{}); len(es) != 1 {
		t.Fatal("their leave changed")
	}
	if ns, _, _ := e.db.ListNotifications(tenantCtx(b), medic.Page{Limit: 10}); len(ns) != 1 || ns[0].ReadAt != nil {
		t.Fatal("their notification was marked read")
	}
	for _, path := range []string{"/patients?q=Hidden", "/patients", "/practitioners", "/appointment-types", "/schedules",
		"/calendar?view=week&date=" + cb.day.String(), "/today", "/", "/appointments/new?pq=Hidden&date=" + cb.day.String(), "/notifications"} {
		r := c.get(path)
		wantStatus(t, r, http.StatusOK)
		wantNotContains(t, r, "Hidden Person", "Person, Hidden", "Dr Secret", theirs.ID, cb.pr.ID, ap.ID)
	}
}

// --- booking ---

func TestBookRescheduleAndCancelThroughTheDesk(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.mustPractice("sunrise", "Sunrise")
	e.mustMember(p, e.mustUser("admin@sunrise.example", "Admin"), "admin")
	e.mustMember(p, e.mustUser("desk@sunrise.example", "Desk"), "receptionist")
	loc := e.mustLocation(p, "Main Street")
	pt := e.mustPatient(p, "Thabo", "Nkosi", "1985-07-14")
	other := e.mustPatient(p, "Lerato", "Dlamini", "1992-03-02")
	admin := e.signIn("admin@sunrise.example")
	day := today().AddDays(1)

	// The admin sets the practice up through the desk.
	r := admin.post("/appointment-types/new", url.Values{"name": {"Consultation"}, "duration_minutes": {"30"}, "color": {"#aa3355"}, "online_bookable": {"on"}})
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r, "Appointment type added.", "Consultation", "#aa3355")
	typeID := regexpFind(t, r.body, `href="/appointment-types/([0-9a-f-]{36})"`)
	r = admin.post("/appointment-types/new", url.Values{"name": {""}, "duration_minutes": {"three"}, "color": {"red"}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, r, "Enter a name.", "Enter the length in whole minutes", `value="three"`)

	r = admin.post("/practitioners/new", url.Values{"name": {"Dr Naidoo"}, "specialty": {"General practice"}, "registration_number": {"MP0123456"},
		"status": {"active"}, "assign_" + loc.ID: {"on"}, "primary": {loc.ID}})
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r, "Practitioner added.", "Dr Naidoo", "Main Street", "Primary")
	prID := regexpFind(t, r.body, `href="/practitioners/([0-9a-f-]{36})"`)

	r = admin.post("/schedules/rules", url.Values{"practitioner_id": {prID}, "weekday": {strconv.Itoa(int(day.Weekday()))}, "location_id": {loc.ID},
		"start": {"08:00"}, "end": {"12:00"}, "slot_minutes": {"30"}, "capacity": {"1"}, "effective_from": {today().String()}, "type_ids": {typeID}})
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r, "Schedule rule saved.", "08:00–12:00", "30 min × 1")
	// An overlapping rule is refused with a clear message.
	r = admin.post("/schedules/rules", url.Values{"practitioner_id": {prID}, "weekday": {strconv.Itoa(int(day.Weekday()))}, "location_id": {loc.ID},
		"start": {"11:00"}, "end": {"13:00"}, "slot_minutes": {"30"}, "capacity": {"1"}, "effective_from": {today().String()}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, r, "The practitioner already works then.", "Overlaps the", `value="11:00"`)

	// The receptionist books through the form.
	c := e.signIn("desk@sunrise.example")
	cl := clinic{loc: loc, pr: &medic.Practitioner{ID: prID}, typ: &medic.AppointmentType{ID: typeID}, day: day}
	bookURL := "/appointments/new?patient=" + pt.ID + "&type=" + typeID + "&date=" + day.String()
	r = c.get(bookURL)
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r, "Thabo Nkosi", "Open times on", `value="`+slotValue(cl, "08:00")+`"`, `value="`+slotValue(cl, "11:30")+`"`, "Dr Naidoo · Main Street")
	wantNotContains(t, r, "Book beyond capacity")
	// Without a slot the form says so.
	r = c.post("/appointments/new", url.Values{"patient": {pt.ID}, "type": {typeID}, "date": {day.String()}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, r, "Choose one of the open times.")

	r = c.post("/appointments/new", url.Values{"patient": {pt.ID}, "type": {typeID}, "date": {day.String()}, "slot": {slotValue(cl, "08:00")}, "notes": {"First visit"}})
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r, "Appointment booked.", "Thabo Nkosi", "Dr Naidoo", "Consultation", "08:00", "First visit", "Cancel appointment", "Reschedule")
	wantNotContains(t, r, ">Check in<") // tomorrow's: arrival only on its day
	apID := regexpFind(t, r.url, `^/appointments/([0-9a-f-]{36})`)

	// The same slot again: taken, and the form comes back with the other times.
	r = c.post("/appointments/new", url.Values{"patient": {other.ID}, "type": {typeID}, "date": {day.String()}, "slot": {slotValue(cl, "08:00")}})
	wantStatus(t, r, http.StatusConflict)
	wantContains(t, r, "That time was just taken", "Open times on", `value="`+slotValue(cl, "08:30")+`"`)
	wantNotContains(t, r, `value="`+slotValue(cl, "08:00")+`"`)

	// An admin may book beyond capacity, with a reason.
	r = admin.get("/appointments/new?patient=" + other.ID + "&type=" + typeID + "&date=" + day.String())
	wantContains(t, r, "Book beyond capacity", `value="`+slotValue(cl, "08:00")+`"`, "full")
	r = admin.post("/appointments/new", url.Values{"patient": {other.ID}, "type": {typeID}, "date": {day.String()}, "slot": {slotValue(cl, "08:00")}, "overbook": {"on"}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, r, "Give the reason for booking beyond capacity.")
	r = admin.post("/appointments/new", url.Values{"patient": {other.ID}, "type": {typeID}, "date": {day.String()}, "slot": {slotValue(cl, "08:00")},
		"overbook": {"on"}, "overbook_reason": {"Urgent review"}})
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r, "Appointment booked.", "Urgent review")

	// The calendar shows both, coloured by type, linking to each.
	r = c.get("/calendar?view=week&practitioner=" + prID + "&date=" + day.String())
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r, `href="/appointments/`+apID+`"`, "Thabo Nkosi", "Lerato Dlamini", `fill="#aa3355"`, "08:00–08:30", "2 appointments")
	r = c.get("/calendar?view=day&location=" + loc.ID + "&date=" + day.String())
	wantContains(t, r, `href="/appointments/`+apID+`"`, "Dr Naidoo")

	// Reschedule to 09:30 through the appointment page.
	r = c.get("/appointments/" + apID)
	wantContains(t, r, `value="`+slotValue(cl, "09:30")+`"`, "Move appointment")
	r = c.post("/appointments/"+apID+"/reschedule", url.Values{"slot": {slotValue(cl, "09:30")}, "date": {day.String()}})
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r, "Appointment moved.", "09:30")
	if got := e.appointment(p, apID); !got.Start.Equal(cl.at("09:30")) {
		t.Fatalf("moved to %v", got.Start)
	}

	// Cancel needs a reason; the appointment is kept.
	r = c.post("/appointments/"+apID+"/cancel", url.Values{"reason": {" "}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, r, "Give a reason for cancelling.")
	r = c.post("/appointments/"+apID+"/cancel", url.Values{"reason": {"Patient unwell"}})
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r, "Appointment cancelled.", "Patient unwell", "Cancelled")
	wantNotContains(t, r, ">Check in<", "Move appointment")
	// Only valid changes: a cancelled appointment cannot be checked in.
	wantStatus(t, c.post("/appointments/"+apID+"/status", url.Values{"to": {"checked_in"}}), http.StatusConflict)
}

func TestTodayListMovesAppointmentsAlong(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.mustPractice("sunrise", "Sunrise")
	e.mustMember(p, e.mustUser("desk@sunrise.example", "Desk"), "receptionist")
	cl := e.mustClinic(p, "Dr Naidoo")
	// Today's hours around now, so that a slot is still ahead.
	now := time.Now().In(zone)
	start := medic.ClockTime(now.Hour()*60+now.Minute()) + 10
	start -= start % 10
	if start+60 > 24*60 {
		t.Skip("too close to midnight for a slot today") // the other tests cover booking
	}
	rule := &medic.ScheduleRule{PractitionerID: cl.pr.ID, LocationID: cl.loc.ID, Weekday: today().Weekday(), Start: start, End: start + 60,
		SlotMinutes: 30, Capacity: 1, EffectiveFrom: today().AddDays(-1)}
	if err := e.db.CreateScheduleRule(tenantCtx(p), rule); err != nil {
		t.Fatal(err)
	}
	pt := e.mustPatient(p, "Thabo", "Nkosi", "1985-07-14")
	ap, err := e.app.BookAppointment(adminCtx(p), app.BookingRequest{PatientID: pt.ID, PractitionerID: cl.pr.ID, LocationID: cl.loc.ID,
		AppointmentTypeID: cl.typ.ID, Start: start.On(today(), zone)})
	if err != nil {
		t.Fatal(err)
	}
	c := e.signIn("desk@sunrise.example")
	r := c.get("/today")
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r, "Thabo Nkosi", "Check in", "No-show")
	r = c.post("/appointments/"+ap.ID+"/status", url.Values{"to": {"checked_in"}, "next": {"/today"}})
	wantStatus(t, r, http.StatusOK)
	if !strings.HasPrefix(r.url, "/today") {
		t.Fatalf("after checking in, at %s", r.url)
	}
	wantContains(t, r, "Appointment updated.", "Checked in", ">Start<")
	r = c.post("/appointments/"+ap.ID+"/status", url.Values{"to": {"in_progress"}, "next": {"/today"}})
	wantContains(t, r, "In progress", ">Complete<")
	r = c.post("/appointments/"+ap.ID+"/status", url.Values{"to": {"completed"}, "next": {"https://evil.example/"}})
	wantStatus(t, r, http.StatusOK)
	if !strings.HasPrefix(r.url, "/appointments/"+ap.ID) {
		t.Fatalf("an outside return address was followed: %s", r.url)
	}
	wantContains(t, r, "Completed")
	// The dashboard counts it, and draws the week.
	r = c.get("/")
	wantContains(t, r, "<svg class=\"chart\"", "Appointments per day this week", "Thabo Nkosi", "active chart")
}

// --- schedules ---

func TestScheduleChangeListsStrandedAppointmentsAndKeepsThem(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.mustPractice("sunrise", "Sunrise")
	e.mustMember(p, e.mustUser("admin@sunrise.example", "Admin"), "admin")
	cl := e.mustClinic(p, "Dr Naidoo")
	pt := e.mustPatient(p, "Thabo", "Nkosi", "1985-07-14")
	ap := e.mustBook(p, cl, pt, "09:00")
	c := e.signIn("admin@sunrise.example")

	r := c.get("/schedules?practitioner=" + cl.pr.ID)
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r, "08:00–12:00", `href="/schedules/rules/`+cl.rule.ID+`"`)

	// Deleting the rule asks first, listing the appointment; nothing changes
	// until confirmed.
	r = c.post("/schedules/rules/"+cl.rule.ID+"/delete", nil)
	wantStatus(t, r, http.StatusConflict)
	wantContains(t, r, "Delete this rule?", "Thabo Nkosi", `href="/appointments/`+ap.ID+`"`, "Delete anyway")
	if _, err := e.db.FindScheduleRule(tenantCtx(p), cl.rule.ID); err != nil {
		t.Fatalf("the rule is gone without confirmation: %v", err)
	}

	// Afternoons instead of mornings would strand the 09:00 appointment.
	edit := url.Values{"weekday": {strconv.Itoa(int(cl.day.Weekday()))}, "location_id": {cl.loc.ID}, "start": {"13:00"}, "end": {"17:00"},
		"slot_minutes": {"30"}, "capacity": {"1"}, "effective_from": {today().String()}}
	r = c.post("/schedules/rules/"+cl.rule.ID, edit)
	wantStatus(t, r, http.StatusConflict)
	wantContains(t, r, "would fall outside working hours", "Thabo Nkosi", `href="/appointments/`+ap.ID+`"`, "Save anyway", `value="13:00"`)
	if got, _ := e.db.FindScheduleRule(tenantCtx(p), cl.rule.ID); got.Start != 8*60 {
		t.Fatal("the rule changed without confirmation")
	}
	edit.Set("confirm", "on")
	r = c.post("/schedules/rules/"+cl.rule.ID, edit)
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r, "Schedule rule saved.", "13:00–17:00")
	if got := e.appointment(p, ap.ID); got.Status != medic.StatusBooked || !got.Start.Equal(cl.at("09:00")) {
		t.Fatalf("the stranded appointment changed: %+v", got)
	}

	// Leave over a booked day asks too; extra hours are added as they are.
	r = c.post("/schedules/exceptions", url.Values{"practitioner_id": {cl.pr.ID}, "kind": {"extra"}, "date": {cl.day.String()},
		"location_id": {cl.loc.ID}, "start": {"08:00"}, "end": {"10:00"}, "slot_minutes": {"30"}, "capacity": {"1"}, "reason": {"Catch-up"}})
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r, "Exception added.", "Extra hours", "Catch-up")
	r = c.post("/schedules/exceptions", url.Values{"practitioner_id": {cl.pr.ID}, "kind": {"leave"}, "from_date": {cl.day.String()},
		"to_date": {cl.day.String()}, "reason": {"Conference"}})
	wantStatus(t, r, http.StatusConflict)
	wantContains(t, r, "Add this leave?", "Thabo Nkosi", "Add leave anyway", `name="reason" value="Conference"`)
	r = c.post("/schedules/exceptions", url.Values{"practitioner_id": {cl.pr.ID}, "kind": {"leave"}, "from_date": {cl.day.String()},
		"to_date": {cl.day.String()}, "reason": {"Conference"}, "confirm": {"on"}})
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r, "Exception added.", "Leave", "Conference")
	if got := e.appointment(p, ap.ID); got.Status != medic.StatusBooked {
		t.Fatalf("the appointment is %s after leave", got.Status)
	}
	r = c.post("/schedules/rules/"+cl.rule.ID+"/delete", url.Values{"confirm": {"on"}})
	wantStatus(t, r, http.StatusOK)
	wantContains(t, r, "Schedule rule deleted.")
	if got := e.appointment(p, ap.ID); got.Status != medic.StatusBooked {
		t.Fatalf("the appointment is %s after deleting the rule", got.Status)
	}
	// A bad leave range keeps the form.
	r = c.post("/schedules/exceptions", url.Values{"practitioner_id": {cl.pr.ID}, "kind": {"leave"}, "from_date": {"soon"}, "to_date": {cl.day.String()}})
	wantStatus(t, r, http.StatusUnprocessableEntity)
	wantContains(t, r, "Enter the date as YYYY-MM-DD.", `value="soon"`)
}

func TestSchedulingPagesNeedTheirPermissions(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.mustPractice("sunrise", "Sunrise")
	e.mustMember(p, e.mustUser("desk@sunrise.example", "Desk"), "receptionist")
	e.mustMember(p, e.mustUser("billing@sunrise.example", "Billing"), "billing")
	cl := e.mustClinic(p, "Dr Naidoo")
	desk := e.signIn("desk@sunrise.example")
	for _, path := range []string{"/schedules", "/practitioners/new", "/appointment-types/new", "/schedules/rules/" + cl.rule.ID} {
		wantStatus(t, desk.get(path), http.StatusForbidden)
	}
	wantStatus(t, desk.post("/appointment-types/new", url.Values{"name": {"X"}, "duration_minutes": {"10"}}), http.StatusForbidden)
	dash := desk.get("/")
	wantContains(t, dash, `href="/patients"`, `href="/calendar"`, `href="/today"`)
	wantNotContains(t, dash, `href="/schedules"`)

	// Billing reads charts and appointments but changes neither: no
	// booking or patient forms, and the dashboard keeps its cards.
	billing := e.signIn("billing@sunrise.example")
	dash = billing.get("/")
	wantStatus(t, dash, http.StatusOK)
	wantContains(t, dash, "What you can do", `href="/patients"`, "active chart", "This week")
	wantNotContains(t, dash, `href="/appointments/new"`, `href="/patients/new"`)
	wantStatus(t, billing.get("/calendar"), http.StatusOK)
	wantStatus(t, billing.get("/appointments/new"), http.StatusForbidden)
	wantStatus(t, billing.get("/patients/new"), http.StatusForbidden)
}
