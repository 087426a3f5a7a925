package postgres_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"medic"
	"medic/internal/postgres"
	"medic/internal/postgres/pgtest"
)

func mustPatient(t *testing.T, db *pgtest.DB, ctx context.Context, p *medic.Patient) *medic.Patient {
	t.Helper()
	if err := db.CreatePatient(ctx, p); err != nil {
		t.Fatalf("create patient %s: %v", p.FullName(), err)
	}
	return p
}

// saID returns a valid South African ID number for dob and sex.
func saID(dob medic.Date, sex medic.Sex, seq int) string {
	g := 5000 + seq
	if sex == medic.SexFemale {
		g = seq
	}
	s := fmt.Sprintf("%02d%02d%02d%04d08", dob.Year()%100, int(dob.Month()), dob.Day(), g)
	for d := range 10 {
		if _, err := medic.ParseSAID(fmt.Sprint(s, d)); err == nil {
			return fmt.Sprint(s, d)
		}
	}
	panic("no check digit")
}

// stepClock makes every now() one second after the last, so creation and
// change times order the rows.
func stepClock(db *pgtest.DB) {
	var n atomic.Int64
	base := time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)
	db.Clock = medic.ClockFunc(func() time.Time { return base.Add(time.Duration(n.Add(1)) * time.Second) })
}

func patientIDs(ps []*medic.Patient) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.ID
	}
	return out
}

func patientNames(ps []*medic.Patient) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.FullName()
	}
	return out
}

// searchAll pages through a search with small pages and returns every row.
func searchAll(t *testing.T, db *pgtest.DB, ctx context.Context, f medic.PatientFilter, limit int) []*medic.Patient {
	t.Helper()
	var all []*medic.Patient
	page := medic.Page{Limit: limit}
	for i := 0; ; i++ {
		ps, next, err := db.SearchPatients(ctx, f, page)
		if err != nil {
			t.Fatalf("search %+v: %v", f, err)
		}
		if len(ps) > limit {
			t.Fatalf("page of %d rows, limit %d", len(ps), limit)
		}
		all = append(all, ps...)
		if next == "" {
			return all
		}
		if i > 100 {
			t.Fatal("pagination does not end")
		}
		page.Cursor = next
	}
}

func TestPatientSearch(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	stepClock(db)
	pr := mustCreatePractice(t, db, "search")
	ctx := asPractice(t.Context(), pr)
	other := asPractice(t.Context(), mustCreatePractice(t, db, "search-other"))

	thaboDOB := medic.NewDate(1985, 3, 14)
	thabo := mustPatient(t, db, ctx, &medic.Patient{GivenName: "Thabo", FamilyName: "Nkosi", DateOfBirth: thaboDOB, Sex: medic.SexMale,
		IDNumber: saID(thaboDOB, medic.SexMale, 1), Phone: "+27825550101", Email: "thabo@example.org"})
	lerato := mustPatient(t, db, ctx, &medic.Patient{GivenName: "Lerato", FamilyName: "Nkosi", DateOfBirth: medic.NewDate(1990, 7, 2), Sex: medic.SexFemale})
	nkomo := mustPatient(t, db, ctx, &medic.Patient{GivenName: "Nokuthula", FamilyName: "Nkomo", DateOfBirth: medic.NewDate(1978, 11, 30)})
	sipho := mustPatient(t, db, ctx, &medic.Patient{GivenName: "Sipho", FamilyName: "Dlamini", DateOfBirth: medic.NewDate(2001, 1, 15), Phone: "+27215550199"})
	anna := mustPatient(t, db, ctx, &medic.Patient{GivenName: "Anna", FamilyName: "van der Merwe", DateOfBirth: medic.NewDate(1988, 9, 9)})
	aaron := mustPatient(t, db, ctx, &medic.Patient{GivenName: "aaron", FamilyName: "nkosi", DateOfBirth: medic.NewDate(1988, 9, 9)}) // lower case sorts with the rest
	thandi := mustPatient(t, db, ctx, &medic.Patient{GivenName: "Thandi", FamilyName: "Mokoena", DateOfBirth: medic.NewDate(1995, 5, 5), Status: medic.PatientInactive})
	smith := mustPatient(t, db, ctx, &medic.Patient{GivenName: "John", FamilyName: "Smith", DateOfBirth: medic.NewDate(1970, 2, 2)})
	if err := db.MergePatients(ctx, smith.ID, sipho.ID); err != nil {
		t.Fatal(err)
	}
	mustPatient(t, db, other, &medic.Patient{GivenName: "Thabo", FamilyName: "Nkosi", DateOfBirth: thaboDOB, Phone: "+27825550101", Email: "thabo@example.org",
		IDNumber: thabo.IDNumber})
	active := []*medic.Patient{thabo, lerato, nkomo, sipho, anna, aaron}
	withInactive := append(slices.Clone(active), thandi)

	search := func(t *testing.T, f medic.PatientFilter) []*medic.Patient {
		t.Helper()
		ps, _, err := db.SearchPatients(ctx, f, medic.Page{})
		if err != nil {
			t.Fatalf("search %q: %v", f.Query, err)
		}
		for _, p := range ps {
			if p.PracticeID != pr.ID {
				t.Fatalf("search %q returned a chart of another practice", f.Query)
			}
		}
		return ps
	}

	t.Run("names, typo-tolerant and ranked", func(t *testing.T) {
		for _, tc := range []struct {
			query     string
			wantFirst []*medic.Patient // in this order (as a set when wantSet)
			wantSet   bool
			contains  []*medic.Patient
			absent    []*medic.Patient
		}{
			{query: "Nkosi", wantFirst: []*medic.Patient{aaron, lerato, thabo}, wantSet: true, absent: []*medic.Patient{sipho, anna}},
			{query: "nkos", wantFirst: []*medic.Patient{aaron, lerato, thabo}, wantSet: true},
			// A transposition keeps few trigrams: every "nk..." name scores
			// the same, so the Nkosis are found but not ranked first.
			{query: "Nksoi", contains: []*medic.Patient{thabo, lerato, aaron}, absent: []*medic.Patient{sipho, anna}},
			{query: "  thabo   NKOSI ", wantFirst: []*medic.Patient{thabo}},
			{query: "Tabo Nkosi", wantFirst: []*medic.Patient{thabo}},
			{query: "Dlamini Sipho", wantFirst: []*medic.Patient{sipho}},
			{query: "Dlamni", wantFirst: []*medic.Patient{sipho}},
			{query: "van der", wantFirst: []*medic.Patient{anna}},
			{query: "xyzzy"},
			{query: "%", absent: active},
			{query: "_", absent: active},
			{query: "Mokoena", absent: []*medic.Patient{thandi}}, // inactive
			{query: "Smith", absent: []*medic.Patient{smith}},    // merged
		} {
			ps := search(t, medic.PatientFilter{Query: tc.query})
			names := patientNames(ps)
			if len(ps) < len(tc.wantFirst) {
				t.Errorf("%q found %v, want %v first", tc.query, names, patientNames(tc.wantFirst))
				continue
			}
			got := patientIDs(ps[:len(tc.wantFirst)])
			want := patientIDs(tc.wantFirst)
			if tc.wantSet {
				slices.Sort(got)
				slices.Sort(want)
			}
			if !slices.Equal(got, want) {
				t.Errorf("%q found %v, want %v first", tc.query, names, patientNames(tc.wantFirst))
			}
			for _, c := range tc.contains {
				if !slices.Contains(patientIDs(ps), c.ID) {
					t.Errorf("%q did not find %s: %v", tc.query, c.FullName(), names)
				}
			}
			if len(tc.wantFirst) == 0 && tc.contains == nil && tc.absent == nil && len(ps) != 0 {
				t.Errorf("%q found %v, want nothing", tc.query, names)
			}
			for _, a := range tc.absent {
				if slices.Contains(patientIDs(ps), a.ID) {
					t.Errorf("%q found %s: %v", tc.query, a.FullName(), names)
				}
			}
		}
	})

	t.Run("inactive and merged", func(t *testing.T) {
		ps := search(t, medic.PatientFilter{Query: "Mokoena", IncludeInactive: true})
		if len(ps) != 1 || ps[0].ID != thandi.ID {
			t.Errorf("with inactive, Mokoena found %v", patientNames(ps))
		}
		ps = search(t, medic.PatientFilter{Query: "Smith", IncludeInactive: true})
		if slices.Contains(patientIDs(ps), smith.ID) {
			t.Error("a merged chart was listed")
		}
		if got := search(t, medic.PatientFilter{}); len(got) != len(active) {
			t.Errorf("listed %d charts, want the %d active ones", len(got), len(active))
		}
		if got := search(t, medic.PatientFilter{IncludeInactive: true}); len(got) != len(withInactive) {
			t.Errorf("listed %d charts with inactive ones, want %d", len(got), len(withInactive))
		}
	})

	t.Run("phone, email and ID number", func(t *testing.T) {
		for _, q := range []string{"082 555 0101", "+27 82 555 0101", "0825550101", "THABO@Example.org", thabo.IDNumber,
			thabo.IDNumber[:6] + " " + thabo.IDNumber[6:10] + " " + thabo.IDNumber[10:], "5550101", thabo.IDNumber[:6]} {
			ps := search(t, medic.PatientFilter{Query: q})
			if len(ps) != 1 || ps[0].ID != thabo.ID {
				t.Errorf("%q found %v, want only Thabo Nkosi", q, patientNames(ps))
			}
		}
		for _, q := range []string{"082 555 0102", "nobody@example.org", saID(thaboDOB, medic.SexMale, 2)} {
			if ps := search(t, medic.PatientFilter{Query: q}); len(ps) != 0 {
				t.Errorf("%q found %v, want nothing", q, patientNames(ps))
			}
		}
	})

	t.Run("sorting and pagination", func(t *testing.T) {
		byName := func(a, b *medic.Patient) int {
			return cmpChain(strings.Compare(strings.ToLower(a.FamilyName), strings.ToLower(b.FamilyName)),
				strings.Compare(strings.ToLower(a.GivenName), strings.ToLower(b.GivenName)), strings.Compare(a.ID, b.ID))
		}
		orders := map[string]func(a, b *medic.Patient) int{
			"":         byName,
			"name":     byName,
			"-name":    func(a, b *medic.Patient) int { return -byName(a, b) },
			"created":  func(a, b *medic.Patient) int { return a.CreatedAt.Compare(b.CreatedAt) },
			"-created": func(a, b *medic.Patient) int { return -a.CreatedAt.Compare(b.CreatedAt) },
			"date_of_birth": func(a, b *medic.Patient) int {
				return cmpChain(a.DateOfBirth.Time().Compare(b.DateOfBirth.Time()), byName(a, b))
			},
		}
		for sort, cmp := range orders {
			want := slices.Clone(withInactive)
			slices.SortFunc(want, cmp)
			for _, limit := range []int{1, 2, 3, 200} {
				got := searchAll(t, db, ctx, medic.PatientFilter{Sort: sort, IncludeInactive: true}, limit)
				if !slices.Equal(patientIDs(got), patientIDs(want)) {
					t.Errorf("sort %q, pages of %d: %v, want %v", sort, limit, patientNames(got), patientNames(want))
				}
			}
		}
		// A name query with a sort keeps the sort.
		got := searchAll(t, db, ctx, medic.PatientFilter{Query: "nkosi", Sort: "-name"}, 1)
		if len(got) < 3 || !slices.IsSortedFunc(got, func(a, b *medic.Patient) int { return -byName(a, b) }) {
			t.Errorf("nkosi by -name: %v", patientNames(got))
		}
	})

	t.Run("relevance pagination", func(t *testing.T) {
		for _, q := range []string{"nkosi", "nksoi", "n", "th"} {
			want := search(t, medic.PatientFilter{Query: q, IncludeInactive: true})
			for _, limit := range []int{1, 2} {
				got := searchAll(t, db, ctx, medic.PatientFilter{Query: q, IncludeInactive: true}, limit)
				if !slices.Equal(patientIDs(got), patientIDs(want)) {
					t.Errorf("%q in pages of %d: %v, want %v", q, limit, patientNames(got), patientNames(want))
				}
			}
		}
	})

	t.Run("bad sort and cursors", func(t *testing.T) {
		_, _, err := db.SearchPatients(ctx, medic.PatientFilter{Sort: "shoe_size"}, medic.Page{})
		wantCode(t, "unknown sort", err, medic.EINVALID)
		_, next, err := db.SearchPatients(ctx, medic.PatientFilter{Sort: "created"}, medic.Page{Limit: 1})
		if err != nil || next == "" {
			t.Fatalf("first page: %q, %v", next, err)
		}
		_, _, err = db.SearchPatients(ctx, medic.PatientFilter{Sort: "name"}, medic.Page{Limit: 1, Cursor: next})
		wantCode(t, "cursor of another sort", err, medic.EINVALID)
		_, _, err = db.SearchPatients(ctx, medic.PatientFilter{}, medic.Page{Cursor: "bm9wZQ"})
		wantCode(t, "garbage cursor", err, medic.EINVALID)
		forged := base64.RawURLEncoding.EncodeToString([]byte(`["created","yesterday","not-a-uuid"]`))
		_, _, err = db.SearchPatients(ctx, medic.PatientFilter{Sort: "created"}, medic.Page{Cursor: forged})
		wantCode(t, "forged cursor", err, medic.EINVALID)
	})

	t.Run("counts", func(t *testing.T) {
		for status, want := range map[medic.PatientStatus]int{"": 7, medic.PatientActive: 6, medic.PatientInactive: 1, medic.PatientMerged: 1} {
			if n, err := db.CountPatients(ctx, status); err != nil || n != want {
				t.Errorf("CountPatients(%q) = %d, %v; want %d", status, n, err, want)
			}
		}
	})
}

func cmpChain(cs ...int) int {
	for _, c := range cs {
		if c != 0 {
			return c
		}
	}
	return 0
}

func TestPatientCRUD(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	stepClock(db)
	ctx := asPractice(t.Context(), mustCreatePractice(t, db, "crud"))

	dob := medic.NewDate(1992, 12, 31)
	p := mustPatient(t, db, ctx, &medic.Patient{GivenName: "Zanele", FamilyName: "Mthembu", DateOfBirth: dob, Sex: medic.SexFemale,
		IDNumber: saID(dob, medic.SexFemale, 7), Passport: "A1234567", Email: "zanele@example.org", Phone: "+27835550123",
		Address: "12 Jan Smuts Ave, Johannesburg", PreferredLanguage: "zu",
		MedicalAid:        medic.MedicalAid{Scheme: "Discovery", MemberNumber: "123456789", DependentCode: "01"},
		EmergencyContacts: []medic.EmergencyContact{{Name: "Sibusiso Mthembu", Relationship: "brother", Phone: "+27825550999"}},
		Allergies:         []string{"penicillin"}, ChronicConditions: []string{"asthma", "hypertension"}})
	if p.ID == "" || p.Status != medic.PatientActive || p.CreatedAt.IsZero() || !p.CreatedAt.Equal(p.UpdatedAt) {
		t.Fatalf("created %+v", p)
	}
	got, err := db.FindPatient(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprintf("%+v", *got) != fmt.Sprintf("%+v", *p) {
		t.Errorf("found\n%+v\nwant\n%+v", *got, *p)
	}

	bare := mustPatient(t, db, ctx, &medic.Patient{GivenName: "Bare", FamilyName: "Minimum", DateOfBirth: medic.NewDate(2020, 2, 29)})
	got, _ = db.FindPatient(ctx, bare.ID)
	if got.Sex != medic.SexUnknown || got.Allergies == nil || got.EmergencyContacts == nil || got.MergedInto != "" || !got.DateOfBirth.Equal(medic.NewDate(2020, 2, 29)) {
		t.Errorf("minimal chart read back as %+v", got)
	}

	p.FamilyName, p.Status, p.Allergies = "Mthembu-Dube", medic.PatientInactive, nil
	if err := db.UpdatePatient(ctx, p); err != nil {
		t.Fatal(err)
	}
	got, _ = db.FindPatient(ctx, p.ID)
	if got.FamilyName != "Mthembu-Dube" || got.Status != medic.PatientInactive || len(got.Allergies) != 0 || !got.UpdatedAt.After(got.CreatedAt) {
		t.Errorf("updated chart read back as %+v", got)
	}

	for _, id := range []string{"", "nope", "00000000-0000-4000-8000-000000000000"} {
		if _, err := db.FindPatient(ctx, id); !errors.Is(err, medic.ErrNotFound) {
			t.Errorf("FindPatient(%q): %v", id, err)
		}
		if err := db.UpdatePatient(ctx, &medic.Patient{ID: id, GivenName: "X", FamilyName: "Y", DateOfBirth: dob}); !errors.Is(err, medic.ErrNotFound) {
			t.Errorf("UpdatePatient(%q): %v", id, err)
		}
	}
	p.Status = medic.PatientMerged
	wantCode(t, "update to merged", db.UpdatePatient(ctx, p), medic.EINVALID)

	if err := db.MergePatients(ctx, bare.ID, p.ID); err != nil {
		t.Fatal(err)
	}
	bare.GivenName = "Changed"
	wantCode(t, "update a merged chart", db.UpdatePatient(ctx, bare), medic.ECONFLICT)

	recent, err := db.RecentPatients(ctx, 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(recent) != 1 || recent[0].ID != p.ID {
		t.Errorf("recent patients %v, want only the surviving chart", patientNames(recent))
	}
}

func TestRecentPatients(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	stepClock(db)
	ctx := asPractice(t.Context(), mustCreatePractice(t, db, "recent"))
	var ps []*medic.Patient
	for i := range 5 {
		ps = append(ps, mustPatient(t, db, ctx, &medic.Patient{GivenName: fmt.Sprint("P", i), FamilyName: "Recent", DateOfBirth: medic.NewDate(1980, 1, 1+i)}))
	}
	ps[1].Address = "touched"
	if err := db.UpdatePatient(ctx, ps[1]); err != nil {
		t.Fatal(err)
	}
	got, err := db.RecentPatients(ctx, 3)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{ps[1].ID, ps[4].ID, ps[3].ID}; !slices.Equal(patientIDs(got), want) {
		t.Errorf("recent %v", patientNames(got))
	}
}

func TestFindDuplicates(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	ctx := asPractice(t.Context(), mustCreatePractice(t, db, "dups"))
	other := asPractice(t.Context(), mustCreatePractice(t, db, "dups-other"))
	dob := medic.NewDate(1985, 3, 14)
	id := saID(dob, medic.SexMale, 3)

	byID := mustPatient(t, db, ctx, &medic.Patient{GivenName: "T", FamilyName: "Nkosi", DateOfBirth: dob, IDNumber: id})
	byEmail := mustPatient(t, db, ctx, &medic.Patient{GivenName: "Thabiso", FamilyName: "Nkosi", DateOfBirth: medic.NewDate(1986, 1, 1), Email: "thabo@example.org"})
	byName := mustPatient(t, db, ctx, &medic.Patient{GivenName: "THABO", FamilyName: "nkosi", DateOfBirth: dob, Status: medic.PatientInactive})
	mustPatient(t, db, ctx, &medic.Patient{GivenName: "Thabo", FamilyName: "Nkosi", DateOfBirth: medic.NewDate(1985, 3, 15)}) // another day
	merged := mustPatient(t, db, ctx, &medic.Patient{GivenName: "Thabo", FamilyName: "Nkosi", DateOfBirth: dob})
	if err := db.MergePatients(ctx, merged.ID, byName.ID); err != nil {
		t.Fatal(err)
	}
	mustPatient(t, db, other, &medic.Patient{GivenName: "Thabo", FamilyName: "Nkosi", DateOfBirth: dob, IDNumber: id, Email: "thabo@example.org"})

	candidate := &medic.Patient{GivenName: "Thabo", FamilyName: "Nkosi", DateOfBirth: dob, IDNumber: id, Email: "thabo@example.org"}
	ds, err := db.FindDuplicates(ctx, candidate)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range ds {
		got = append(got, d.Reason+":"+d.Patient.ID)
	}
	want := []string{"id_number:" + byID.ID, "email:" + byEmail.ID, "name_and_date_of_birth:" + byName.ID}
	if !slices.Equal(got, want) {
		t.Errorf("duplicates %v, want %v", got, want)
	}

	// An existing chart is not its own duplicate.
	ds, _ = db.FindDuplicates(ctx, byID)
	if len(ds) != 0 {
		t.Errorf("byID's duplicates: %d, want none (only it has its ID number)", len(ds))
	}
	// Empty fields never match empty fields.
	ds, _ = db.FindDuplicates(ctx, &medic.Patient{GivenName: "Nobody", FamilyName: "Here", DateOfBirth: dob})
	if len(ds) != 0 {
		t.Errorf("a chart without ID number or email matched %d charts", len(ds))
	}
}

func TestMergePatients(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	f := newSchedFixture(t, db, "merge")
	into := mustPatient(t, db, f.ctx, &medic.Patient{GivenName: "Thabo", FamilyName: "Nkosi", DateOfBirth: f.pat.DateOfBirth, Phone: "+27825550101"})
	a1 := f.mustBook(t, 2, 0)
	a2 := f.mustBook(t, 2, 1)
	a3 := f.appt(2)
	a3.PatientID = into.ID
	if err := db.BookAppointment(f.ctx, a3, claims(2, 2)); err != nil {
		t.Fatal(err)
	}

	wantCode(t, "merge into itself", db.MergePatients(f.ctx, into.ID, into.ID), medic.EINVALID)
	wantCode(t, "merge a missing chart", db.MergePatients(f.ctx, "00000000-0000-4000-8000-000000000000", into.ID), medic.ENOTFOUND)
	wantCode(t, "merge a non-UUID", db.MergePatients(f.ctx, "x", into.ID), medic.ENOTFOUND)

	if err := db.MergePatients(f.ctx, f.pat.ID, into.ID); err != nil {
		t.Fatal(err)
	}
	as, _, err := db.ListAppointments(f.ctx, medic.AppointmentFilter{PatientID: into.ID}, medic.Page{})
	if err != nil {
		t.Fatal(err)
	}
	if got := patientApptIDs(as); !slices.Equal(got, []string{a1.ID, a2.ID, a3.ID}) {
		t.Errorf("the surviving chart has appointments %v", got)
	}
	if as, _, _ := db.ListAppointments(f.ctx, medic.AppointmentFilter{PatientID: f.pat.ID}, medic.Page{}); len(as) != 0 {
		t.Errorf("the merged chart still has %d appointments", len(as))
	}
	from, err := db.FindPatient(f.ctx, f.pat.ID)
	if err != nil {
		t.Fatal(err)
	}
	if from.Status != medic.PatientMerged || from.MergedInto != into.ID {
		t.Errorf("merged chart: status %q merged into %q", from.Status, from.MergedInto)
	}
	ps, _, _ := db.SearchPatients(f.ctx, medic.PatientFilter{Query: "Thabo Nkosi", IncludeInactive: true}, medic.Page{})
	if !slices.Equal(patientIDs(ps), []string{into.ID}) {
		t.Errorf("search after the merge: %v", patientIDs(ps))
	}
	wantCode(t, "book for a merged chart", db.BookAppointment(f.ctx, f.appt(3), claims(2, 3)), medic.ECONFLICT)
	wantCode(t, "merge a merged chart", db.MergePatients(f.ctx, f.pat.ID, into.ID), medic.ECONFLICT)
	wantCode(t, "merge into a merged chart", db.MergePatients(f.ctx, into.ID, f.pat.ID), medic.ECONFLICT)

	// A chain: into is merged on into a third chart; the first merged
	// chart now points at the survivor.
	third := mustPatient(t, db, f.ctx, &medic.Patient{GivenName: "Thabo", FamilyName: "Nkosi", DateOfBirth: f.pat.DateOfBirth, Email: "t@example.org"})
	if err := db.MergePatients(f.ctx, into.ID, third.ID); err != nil {
		t.Fatal(err)
	}
	from, _ = db.FindPatient(f.ctx, f.pat.ID)
	if from.MergedInto != third.ID {
		t.Errorf("the first merged chart points at %s, want the survivor %s", from.MergedInto, third.ID)
	}
	if as, _, _ := db.ListAppointments(f.ctx, medic.AppointmentFilter{PatientID: third.ID}, medic.Page{}); len(as) != 3 {
		t.Errorf("the survivor has %d appointments, want 3", len(as))
	}
}

func patientApptIDs(as []*medic.Appointment) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.ID
	}
	return out
}

// TestMergeRacesBookings: bookings for a chart racing its merge either land
// before the merge (and move with it) or are refused; none is left on the
// merged chart.
func TestMergeRacesBookings(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	f := newSchedFixture(t, db, "merge-race")
	into := mustPatient(t, db, f.ctx, &medic.Patient{GivenName: "Thabo", FamilyName: "Nkosi", DateOfBirth: f.pat.DateOfBirth})
	var wg sync.WaitGroup
	start := make(chan struct{})
	var booked, refused atomic.Int32
	some := make(chan struct{}) // the merge starts once some bookings are in
	var once sync.Once
	for w := range 4 { // four desks, fewer than the pool's connections
		wg.Go(func() {
			<-start
			for i := w * 10; i < w*10+10; i++ {
				err := db.BookAppointment(f.ctx, f.appt(i), claims(1, i))
				switch medic.ErrorCode(err) {
				case "":
					if booked.Add(1) == 5 {
						once.Do(func() { close(some) })
					}
				case medic.ECONFLICT:
					refused.Add(1)
				default:
					t.Errorf("booking: %v", err)
				}
			}
		})
	}
	wg.Go(func() {
		<-some
		if err := db.MergePatients(f.ctx, f.pat.ID, into.ID); err != nil {
			t.Errorf("merge: %v", err)
		}
	})
	close(start)
	wg.Wait()
	left, _, _ := db.ListAppointments(f.ctx, medic.AppointmentFilter{PatientID: f.pat.ID}, medic.Page{})
	moved, _, _ := db.ListAppointments(f.ctx, medic.AppointmentFilter{PatientID: into.ID}, medic.Page{})
	if len(left) != 0 || len(moved) != int(booked.Load()) {
		t.Errorf("%d appointments left on the merged chart, %d on the survivor; %d booked, %d refused", len(left), len(moved), booked.Load(), refused.Load())
	}
	t.Logf("%d booked before the merge, %d refused after", booked.Load(), refused.Load())
}

// searchPlanFamilies and searchPlanGivens make a practice whose names repeat
// like real ones: each family name is shared by a hundred charts or so.
var (
	searchPlanFamilies = []string{"Dlamini", "Nkosi", "Ndlovu", "Khumalo", "Mkhize", "Zulu", "Ngcobo", "Buthelezi", "Mthembu", "Zungu",
		"Cele", "Ntuli", "Shabalala", "Gumede", "Mabaso", "Msomi", "Nxumalo", "Sithole", "Hadebe", "Zwane", "Botha", "van der Merwe",
		"Pillay", "Naidoo", "Govender", "Smith", "Jacobs", "Williams", "Mokoena", "Molefe", "Nkomo", "Mahlangu", "Moloi", "Sibiya",
		"du Plessis", "Pretorius", "Venter", "Coetzee", "Nel", "Kruger"}
	searchPlanGivens = []string{"Thabo", "Lerato", "Sipho", "Anna", "Nokuthula", "Johan", "Priya", "Bongani", "Zanele", "Pieter",
		"Ayesha", "Lindiwe", "Musa", "Karabo", "Refilwe", "Kagiso", "Naledi", "Tshepo", "Mpho", "Palesa"}
)

// TestPatientSearchPlanAsAppRole: as medic_app, under forced row-level
// security, a name search reads an index on its search path and never the
// whole practice. pg_trgm's operators and LIKE are not leakproof, so a
// search written with them is planned as a scan of every chart of the
// practice, filtered (that was the search before migration 0008).
func TestPatientSearchPlanAsAppRole(t *testing.T) {
	t.Parallel()
	td := pgtest.New(t)
	ctx := t.Context()
	a := mustCreatePractice(t, td, "plan-a")
	b := mustCreatePractice(t, td, "plan-b")
	owner := rlsOwnerConn(t, td)
	const charts = 6000
	for _, pr := range []struct {
		id string
		n  int
	}{{a.ID, charts}, {b.ID, 2000}} {
		if _, err := owner.Exec(ctx, `INSERT INTO patients (practice_id, given_name, family_name, date_of_birth, created_at, updated_at)
			SELECT $1, ($2::text[])[1 + (i * 7) % cardinality($2::text[])], ($3::text[])[1 + (i * 13) % cardinality($3::text[])],
				date '1940-01-01' + i % 30000, now(), now()
			FROM generate_series(1, $4::int) i`, pr.id, searchPlanGivens, searchPlanFamilies, pr.n); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := owner.Exec(ctx, `ANALYZE`); err != nil {
		t.Fatal(err)
	}
	appURL, err := postgres.AppURL(td.OwnerURL)
	if err != nil {
		t.Fatal(err)
	}
	app, err := pgx.Connect(ctx, appURL)
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close(ctx)

	for _, mode := range []string{"force_custom_plan", "force_generic_plan"} { // SearchPatients uses the generic plan
		for _, f := range []medic.PatientFilter{
			{Query: "nkos"},               // a prefix
			{Query: "Dlamini"},            // a whole family name
			{Query: "nksoi"},              // a typo
			{Query: "lamin"},              // inside a name
			{Query: "thabo nkosi"},        // two words
			{Query: "van der merwe"},      // three
			{Query: "n"},                  // one letter
			{Query: "nkos", Sort: "name"}, // a name query in name order
			{Query: "mkhize", Sort: "-created"},
		} {
			sql, args, err := postgres.PatientSearchSQL(a.ID, f, medic.Page{Limit: 20})
			if err != nil {
				t.Fatal(err)
			}
			var plan []byte
			err = pgx.BeginFunc(ctx, app, func(tx pgx.Tx) error {
				// The threshold is what the search before 0008 set with its query.
				if _, err := tx.Exec(ctx, `SELECT set_config('app.practice_id', $1, true), set_config('pg_trgm.word_similarity_threshold', '0.3', true),
				set_config('plan_cache_mode', $2, true)`, a.ID, mode); err != nil {
					return err
				}
				return tx.QueryRow(ctx, `EXPLAIN (ANALYZE, FORMAT JSON) `+sql, args...).Scan(&plan)
			})
			if err != nil {
				t.Fatalf("%+v: explain: %v", f, err)
			}
			var root []struct{ Plan searchPlanNode }
			if err := json.Unmarshal(plan, &root); err != nil || len(root) != 1 {
				t.Fatalf("%+v: plan %s: %v", f, plan, err)
			}
			var indexes []string
			var problems []string
			root[0].Plan.walk(func(n *searchPlanNode) {
				if n.IndexName != "" {
					indexes = append(indexes, n.IndexName)
				}
				if n.NodeType == "Seq Scan" && n.RelationName != "" {
					problems = append(problems, "a Seq Scan on "+n.RelationName)
				}
				// A filter may drop the charts of a matched word that miss
				// another typed word (150 per family name here), never the
				// practice's.
				if removed := (n.RowsRemovedByFilter + n.RowsRemovedByIndexRecheck) * n.ActualLoops; removed > charts/4 {
					problems = append(problems, fmt.Sprintf("%s on %s removed %.0f rows by a filter", n.NodeType, n.RelationName, removed))
				}
			})
			if !slices.ContainsFunc(indexes, func(ix string) bool { return strings.HasPrefix(ix, "patient_name_") }) {
				problems = append(problems, fmt.Sprintf("no patient_name_* index on the search path (indexes used: %v)", indexes))
			}
			if len(problems) > 0 {
				t.Errorf("search %+v as medic_app, %s: %s\nplan: %s", f, mode, strings.Join(problems, "; "), plan)
			}
		}
	}
}

// searchPlanNode is what the plan test reads of an EXPLAIN (FORMAT JSON) node.
type searchPlanNode struct {
	NodeType                  string           `json:"Node Type"`
	RelationName              string           `json:"Relation Name"`
	IndexName                 string           `json:"Index Name"`
	ActualLoops               float64          `json:"Actual Loops"`
	ActualRows                float64          `json:"Actual Rows"`
	RowsRemovedByFilter       float64          `json:"Rows Removed by Filter"`
	RowsRemovedByIndexRecheck float64          `json:"Rows Removed by Index Recheck"`
	Plans                     []searchPlanNode `json:"Plans"`
}

func (n *searchPlanNode) walk(fn func(*searchPlanNode)) {
	fn(n)
	for i := range n.Plans {
		n.Plans[i].walk(fn)
	}
}

// TestPatientNameWordsFollowCharts: the words search looks up change with
// the chart, in the transaction that changes it, under the practice's RLS.
func TestPatientNameWordsFollowCharts(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	stepClock(db)
	ctx := asPractice(t.Context(), mustCreatePractice(t, db, "words"))
	other := asPractice(t.Context(), mustCreatePractice(t, db, "words-other"))
	owner := rlsOwnerConn(t, db)
	words := func(id string) []string {
		t.Helper()
		rows, _ := owner.Query(t.Context(), `SELECT word || '/' || part || '/' || family || '/' || given FROM patient_name_words WHERE patient_id = $1 ORDER BY word`, id)
		ws, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		return ws
	}
	vocabulary := func(word string) bool {
		t.Helper()
		var ok bool
		if err := owner.QueryRow(t.Context(), `SELECT EXISTS (SELECT 1 FROM patient_name_trigrams WHERE trigram = '' AND word = $1)`, word).Scan(&ok); err != nil {
			t.Fatal(err)
		}
		return ok
	}
	finds := func(ctx context.Context, q string, p *medic.Patient) bool {
		t.Helper()
		ps, _, err := db.SearchPatients(ctx, medic.PatientFilter{Query: q, IncludeInactive: true}, medic.Page{})
		if err != nil {
			t.Fatal(err)
		}
		return slices.Contains(patientIDs(ps), p.ID)
	}

	p := mustPatient(t, db, ctx, &medic.Patient{GivenName: "Thabo", FamilyName: "Nkosi", DateOfBirth: medic.NewDate(1985, 3, 14)})
	if got, want := words(p.ID), []string{"nkosi/0/nkosi/thabo", "thabo/1/nkosi/thabo"}; !slices.Equal(got, want) {
		t.Errorf("created: words %v, want %v", got, want)
	}
	if !finds(ctx, "nkos", p) || !finds(ctx, "thab", p) || !finds(ctx, "nkxsi", p) {
		t.Error("a new chart is not found by its names")
	}
	if finds(other, "nkosi", p) {
		t.Error("another practice's search found the chart")
	}

	// A chart whose transaction rolls back leaves no word behind.
	rollback := errors.New("roll back")
	err := db.InTx(ctx, func(ctx context.Context) error {
		mustPatient(t, db, ctx, &medic.Patient{GivenName: "Zanele", FamilyName: "Zwane", DateOfBirth: medic.NewDate(1990, 1, 1)})
		return rollback
	})
	if !errors.Is(err, rollback) {
		t.Fatal(err)
	}
	if vocabulary("zwane") {
		t.Error("a rolled-back chart left its name in the vocabulary")
	}

	// A rename replaces the words; other changes keep them.
	p.FamilyName = "Mokoena-Smith"
	if err := db.UpdatePatient(ctx, p); err != nil {
		t.Fatal(err)
	}
	if got, want := words(p.ID), []string{"mokoena/0/mokoena-smith/thabo", "smith/0/mokoena-smith/thabo", "thabo/1/mokoena-smith/thabo"}; !slices.Equal(got, want) {
		t.Errorf("renamed: words %v, want %v", got, want)
	}
	if finds(ctx, "nkosi", p) || !finds(ctx, "smith", p) || !finds(ctx, "mokoena smi", p) {
		t.Error("search does not follow the rename")
	}
	p.Phone = "+27825550101"
	if err := db.UpdatePatient(ctx, p); err != nil {
		t.Fatal(err)
	}
	if got := words(p.ID); len(got) != 3 {
		t.Errorf("after a phone change: words %v", got)
	}

	// A merged chart is no longer listed.
	q := mustPatient(t, db, ctx, &medic.Patient{GivenName: "Lerato", FamilyName: "Dube", DateOfBirth: medic.NewDate(1990, 7, 2)})
	if err := db.MergePatients(ctx, q.ID, p.ID); err != nil {
		t.Fatal(err)
	}
	if finds(ctx, "dube", q) {
		t.Error("a merged chart was found")
	}

	// A deleted chart takes its words with it.
	r := mustPatient(t, db, ctx, &medic.Patient{GivenName: "Sipho", FamilyName: "Dlamini", DateOfBirth: medic.NewDate(2001, 1, 15)})
	appURL, err := postgres.AppURL(db.OwnerURL)
	if err != nil {
		t.Fatal(err)
	}
	app, err := pgx.Connect(t.Context(), appURL)
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close(t.Context())
	err = pgx.BeginFunc(t.Context(), app, func(tx pgx.Tx) error {
		if _, err := tx.Exec(t.Context(), `SELECT set_config('app.practice_id', $1, true)`, r.PracticeID); err != nil {
			return err
		}
		_, err := tx.Exec(t.Context(), `DELETE FROM patients WHERE practice_id = $1 AND id = $2`, r.PracticeID, r.ID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := words(r.ID); len(got) != 0 {
		t.Errorf("a deleted chart left words %v", got)
	}
}
