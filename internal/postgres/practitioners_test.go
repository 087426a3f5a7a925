package postgres_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"medic"
	"medic/internal/postgres/pgtest"
)

func TestPractitioners(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	f := newSchedFixture(t, db, "practitioners")
	other := newSchedFixture(t, db, "practitioners-other")
	ctx := f.ctx

	loc2 := &medic.Location{Name: "Sandton rooms", Active: true}
	if err := db.CreateLocation(ctx, loc2); err != nil {
		t.Fatal(err)
	}
	user := &medic.User{Email: "naledi@example.org", Name: "Naledi"}
	if err := db.CreateUser(ctx, user); err != nil {
		t.Fatal(err)
	}
	member := &medic.Member{UserID: user.ID, Role: medic.RoleDoctor, Active: true}
	if err := db.CreateMember(ctx, member); err != nil {
		t.Fatal(err)
	}

	p := &medic.Practitioner{MemberID: member.ID, Name: "Dr Ayanda Zulu", Specialty: "Paediatrics", RegistrationNumber: "MP7654321",
		PracticeNumber: "0123456", Qualifications: "MBChB (UCT)", Status: medic.PractitionerOnLeave,
		Assignments: []medic.LocationAssignment{
			{LocationID: loc2.ID, StartDate: medic.NewDate(2025, 1, 1), EndDate: medic.NewDate(2026, 12, 31)},
			{LocationID: f.loc.ID, Primary: true}, // since ever
		}}
	if err := db.CreatePractitioner(ctx, p); err != nil {
		t.Fatal(err)
	}
	got, err := db.FindPractitioner(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	wantAssignments := []medic.LocationAssignment{p.Assignments[1], p.Assignments[0]} // primary first
	if got.Name != p.Name || got.MemberID != member.ID || got.Status != medic.PractitionerOnLeave || got.Qualifications != p.Qualifications ||
		got.PracticeID != f.practice.ID || fmt.Sprint(got.Assignments) != fmt.Sprint(wantAssignments) {
		t.Errorf("found %+v", got)
	}
	if !got.AssignedAt(f.loc.ID, medic.NewDate(2000, 1, 1)) || got.AssignedAt(loc2.ID, medic.NewDate(2027, 1, 1)) {
		t.Errorf("assignment dates read back wrong: %+v", got.Assignments)
	}
	byMember, err := db.FindPractitionerByMember(ctx, member.ID)
	if err != nil || byMember.ID != p.ID {
		t.Errorf("FindPractitionerByMember: %v, %v", byMember, err)
	}
	if _, err := db.FindPractitionerByMember(ctx, "x"); !errors.Is(err, medic.ErrNotFound) {
		t.Errorf("FindPractitionerByMember(non-UUID): %v", err)
	}

	dup := &medic.Practitioner{MemberID: member.ID, Name: "Someone else"}
	wantCode(t, "second profile for a member", db.CreatePractitioner(ctx, dup), medic.ECONFLICT)
	wantCode(t, "member of another practice", db.CreatePractitioner(other.ctx, &medic.Practitioner{MemberID: member.ID, Name: "X"}), medic.ENOTFOUND)
	wantCode(t, "non-UUID location", db.CreatePractitioner(ctx, &medic.Practitioner{Name: "X",
		Assignments: []medic.LocationAssignment{{LocationID: "rosebank"}}}), medic.ENOTFOUND)

	// Update replaces the assignments, in one transaction.
	p.Name, p.Status, p.MemberID = "Dr Ayanda Zulu-Nkosi", medic.PractitionerActive, ""
	p.Assignments = []medic.LocationAssignment{{LocationID: loc2.ID, Primary: true, StartDate: medic.NewDate(2026, 2, 1)}}
	if err := db.UpdatePractitioner(ctx, p); err != nil {
		t.Fatal(err)
	}
	got, _ = db.FindPractitioner(ctx, p.ID)
	if got.Name != "Dr Ayanda Zulu-Nkosi" || got.MemberID != "" || fmt.Sprint(got.Assignments) != fmt.Sprint(p.Assignments) {
		t.Errorf("updated practitioner read back as %+v", got)
	}
	if _, err := db.FindPractitionerByMember(ctx, member.ID); !errors.Is(err, medic.ErrNotFound) {
		t.Errorf("the unlinked member still finds a practitioner: %v", err)
	}
	// A failing update (a location of another practice) changes nothing.
	bad := *p
	bad.Name = "Changed"
	bad.Assignments = []medic.LocationAssignment{{LocationID: f.loc.ID}, {LocationID: other.loc.ID}}
	wantCode(t, "update with another practice's location", db.UpdatePractitioner(ctx, &bad), medic.ENOTFOUND)
	got, _ = db.FindPractitioner(ctx, p.ID)
	if got.Name != p.Name || fmt.Sprint(got.Assignments) != fmt.Sprint(p.Assignments) {
		t.Errorf("a failed update changed the practitioner: %+v", got)
	}
	p.Assignments = nil
	if err := db.UpdatePractitioner(ctx, p); err != nil {
		t.Fatal(err)
	}
	if got, _ = db.FindPractitioner(ctx, p.ID); len(got.Assignments) != 0 {
		t.Errorf("assignments after clearing: %v", got.Assignments)
	}

	// List by name, paged.
	for _, name := range []string{"Dr Bongani Mahlangu", "Dr Charlotte du Plessis", "Dr Ayanda Zulu"} {
		if err := db.CreatePractitioner(ctx, &medic.Practitioner{Name: name}); err != nil {
			t.Fatal(err)
		}
	}
	var names []string
	page := medic.Page{Limit: 2}
	for {
		ps, next, err := db.ListPractitioners(ctx, page)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range ps {
			names = append(names, p.Name)
		}
		if next == "" {
			break
		}
		page.Cursor = next
	}
	want := []string{"Dr Ayanda Zulu", "Dr Ayanda Zulu-Nkosi", "Dr Bongani Mahlangu", "Dr Charlotte du Plessis", f.pr.Name}
	if !slices.Equal(names, want) {
		t.Errorf("listed %v, want %v", names, want)
	}
	ps, _, _ := db.ListPractitioners(ctx, medic.Page{})
	if len(ps[4].Assignments) != 1 || ps[4].Assignments[0].LocationID != f.loc.ID {
		t.Errorf("listed practitioners lack their assignments: %+v", ps[4])
	}
}

func TestPractitionerSignature(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	f := newSchedFixture(t, db, "signatures")
	other := newSchedFixture(t, db, "signatures-other")
	p := &medic.Practitioner{Name: "Dr Lindiwe Dube"}
	if err := db.CreatePractitioner(f.ctx, p); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Signature(f.ctx, p.ID); !errors.Is(err, medic.ErrNotFound) {
		t.Errorf("signature before any upload: %v", err)
	}
	for _, sig := range []*medic.Signature{{ContentType: "image/png", Data: []byte("first")}, {ContentType: "image/jpeg", Data: []byte("second")}} {
		if err := db.SetSignature(f.ctx, p.ID, sig); err != nil {
			t.Fatal(err)
		}
	}
	got, err := db.Signature(f.ctx, p.ID)
	if err != nil || got.ContentType != "image/jpeg" || string(got.Data) != "second" {
		t.Errorf("signature read back as %+v, %v; want the second upload", got, err)
	}
	if pr, _ := db.FindPractitioner(f.ctx, p.ID); !pr.HasSignature {
		t.Error("the practitioner does not show it has a signature")
	}
	if pr, _ := db.FindPractitioner(f.ctx, f.pr.ID); pr.HasSignature {
		t.Error("a practitioner without an upload shows a signature")
	}
	// Practice B neither reads nor replaces A's.
	if _, err := db.Signature(other.ctx, p.ID); !errors.Is(err, medic.ErrNotFound) {
		t.Errorf("practice B read A's signature: %v", err)
	}
	wantCode(t, "B sets A's signature", db.SetSignature(other.ctx, p.ID, &medic.Signature{ContentType: "image/png", Data: []byte("x")}), medic.ENOTFOUND)
	wantCode(t, "non-UUID", db.SetSignature(f.ctx, "dr-dube", &medic.Signature{ContentType: "image/png", Data: []byte("x")}), medic.ENOTFOUND)
	if got, _ := db.Signature(f.ctx, p.ID); string(got.Data) != "second" {
		t.Error("practice B's attempt changed A's signature")
	}
}
