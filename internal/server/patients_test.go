package server_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"medic"
	"medic/internal/server/servertest"
)

// saID completes a 12-digit prefix with its Luhn check digit.
func saID(first12 string) string { return first12 + string(medic.SAIDCheckDigit(first12)) }

// ids lists the "id" of each item of a list response.
func ids(r *servertest.Response) []string {
	var out []string
	for _, it := range r.Items() {
		out = append(out, it["id"].(string))
	}
	return out
}

func TestPatientValidation(t *testing.T) {
	t.Parallel()
	env := servertest.New(t)
	d := newDesk(t, env, "charts")
	rc := d.c[medic.RoleReceptionist]
	male1980 := saID("800101" + "5009" + "0" + "8")
	valid := func() map[string]any {
		return map[string]any{"given_name": "Thabo", "family_name": "Nkosi", "date_of_birth": "1980-01-01", "sex": "male", "id_number": male1980}
	}
	with := func(changes map[string]any) map[string]any {
		b := valid()
		for k, v := range changes {
			b[k] = v
		}
		return b
	}

	for _, c := range []struct {
		name   string
		body   map[string]any
		fields []string
	}{
		{"bad checksum", with(map[string]any{"id_number": male1980[:12] + string('0'+(male1980[12]-'0'+1)%10)}), []string{"id_number"}},
		{"too short", with(map[string]any{"id_number": "80010150090"}), []string{"id_number"}},
		{"letters", with(map[string]any{"id_number": "80010150O9087"}), []string{"id_number"}},
		{"other birth date", with(map[string]any{"date_of_birth": "1980-01-02"}), []string{"id_number"}},
		{"other sex", with(map[string]any{"sex": "female"}), []string{"id_number"}},
		{"bad date part", with(map[string]any{"id_number": saID("801301" + "5009" + "08")}), []string{"id_number"}},
		{"several fields", with(map[string]any{"given_name": " ", "email": "not-an-email", "phone": "12", "date_of_birth": "2099-01-01", "sex": "robot"}),
			[]string{"given_name", "email", "phone", "date_of_birth", "sex"}},
		{"bad date format", with(map[string]any{"date_of_birth": "01/01/1980", "phone": "abc"}), []string{"date_of_birth", "phone"}},
		{"wrong type", with(map[string]any{"allergies": "penicillin"}), []string{"allergies"}},
		{"unknown field", with(map[string]any{"practice_id": d.p.ID}), []string{"practice_id"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := rc.Do("POST", d.base+"/patients", c.body)
			wantProblem(t, r, http.StatusUnprocessableEntity)
			errs, _ := r.Get("errors").(map[string]any)
			for _, f := range c.fields {
				if errs[f] == nil {
					t.Errorf("no %s field error: %s", f, r.Body)
				}
			}
		})
	}
	if r := want(t, rc.Do("GET", d.base+"/patients?include_inactive=true", nil), http.StatusOK); len(r.Items()) != 0 {
		t.Fatalf("a refused chart was stored: %s", r.Body)
	}

	t.Run("a valid chart is normalised and returned with every field", func(t *testing.T) {
		// A doctor: only doctors and admins write allergies and chronic
		// conditions (nurses read them).
		rc := d.c[medic.RoleDoctor]
		b := with(map[string]any{"email": " Thabo.Nkosi@Example.ORG ", "phone": "082 555 0100", "id_number": male1980[:6] + " " + male1980[6:],
			"medical_aid":        map[string]any{"scheme": "Discovery", "member_number": "123456789", "dependent_code": "01"},
			"emergency_contacts": []map[string]any{{"name": "Zanele Nkosi", "relationship": "spouse", "phone": "083 555 0111"}},
			"allergies":          []string{"Penicillin"}, "chronic_conditions": []string{"Hypertension"}, "address": "12 Long Street, Cape Town",
			"preferred_language": "isiZulu", "passport": ""})
		r := want(t, rc.Do("POST", d.base+"/patients", b), http.StatusCreated)
		for path, v := range map[string]any{"given_name": "Thabo", "family_name": "Nkosi", "date_of_birth": "1980-01-01", "sex": "male",
			"id_number": male1980, "email": "thabo.nkosi@example.org", "phone": "+27825550100", "status": "active",
			"medical_aid.scheme": "Discovery", "emergency_contacts.0.phone": "+27835550111", "allergies.0": "Penicillin",
			"chronic_conditions.0": "Hypertension", "preferred_language": "isiZulu", "merged_into": nil} {
			if got := r.Get(path); got != v {
				t.Errorf("%s = %v, want %v", path, got, v)
			}
		}
		for _, k := range []string{"id", "given_name", "family_name", "date_of_birth", "sex", "id_number", "email", "phone", "status"} {
			if _, ok := r.JSON[k]; !ok {
				t.Errorf("no %q in %s", k, r.Body)
			}
		}
		id := r.Str("id")
		// A partial update keeps the rest; a bad value changes nothing.
		r = want(t, rc.Do("PATCH", d.base+"/patients/"+id, map[string]any{"phone": "+27 21 555 0199", "allergies": []string{}}), http.StatusOK)
		if r.Str("phone") != "+27215550199" || r.Str("email") != "thabo.nkosi@example.org" || len(r.Get("allergies").([]any)) != 0 {
			t.Errorf("patched: %s", r)
		}
		bad := rc.Do("PATCH", d.base+"/patients/"+id, map[string]any{"family_name": "Dube", "date_of_birth": "1981-01-01"})
		wantProblem(t, bad, http.StatusUnprocessableEntity)
		if bad.Get("errors.id_number") == nil {
			t.Errorf("date of birth against the ID number: %s", bad)
		}
		if r := want(t, rc.Do("GET", d.base+"/patients/"+id, nil), http.StatusOK); r.Str("family_name") != "Nkosi" || r.Str("date_of_birth") != "1980-01-01" {
			t.Errorf("a refused update changed the chart: %s", r)
		}
		wantProblem(t, rc.Do("PATCH", d.base+"/patients/"+id, map[string]any{"status": "merged"}), http.StatusUnprocessableEntity)
	})
}

func TestPatientDuplicatesMergeAndDeactivate(t *testing.T) {
	t.Parallel()
	env := servertest.New(t)
	d := newDesk(t, env, "dupes")
	rc, admin := d.c[medic.RoleReceptionist], d.c[medic.RoleAdmin]
	female1985 := saID("850714" + "0042" + "0" + "8")
	first := want(t, rc.Do("POST", d.base+"/patients", map[string]any{"given_name": "Ayanda", "family_name": "Zulu", "date_of_birth": "1985-07-14",
		"sex": "female", "id_number": female1985, "email": "ayanda@example.org"}), http.StatusCreated).Str("id")
	var second string // the duplicate created on confirmation

	t.Run("likely duplicates are offered, then created on confirmation", func(t *testing.T) {
		for _, c := range []struct {
			name   string
			body   map[string]any
			reason string
		}{
			{"same ID number", map[string]any{"given_name": "Ayanda", "family_name": "Zulu-Mthembu", "date_of_birth": "1985-07-14", "id_number": female1985}, "id_number"},
			{"same email", map[string]any{"given_name": "A", "family_name": "Z", "date_of_birth": "1990-01-01", "email": "AYANDA@example.org"}, "email"},
			{"same name and birth date", map[string]any{"given_name": "ayanda", "family_name": "ZULU", "date_of_birth": "1985-07-14"}, "name_and_date_of_birth"},
		} {
			r := rc.Do("POST", d.base+"/patients", c.body)
			wantProblem(t, r, http.StatusConflict)
			if r.Str("duplicates.0.id") != first || r.Str("duplicates.0.reason") != c.reason || r.Str("duplicates.0.given_name") != "Ayanda" ||
				r.Str("duplicates.0.family_name") != "Zulu" || r.Str("duplicates.0.date_of_birth") != "1985-07-14" || len(r.Get("duplicates").([]any)) != 1 {
				t.Errorf("%s: %s", c.name, r.Body)
			}
		}
		if r := want(t, rc.Do("GET", d.base+"/patients?q=zulu", nil), http.StatusOK); len(r.Items()) != 1 {
			t.Fatalf("a warned chart was stored: %s", r.Body)
		}
		r := want(t, rc.Do("POST", d.base+"/patients", map[string]any{"given_name": "Ayanda", "family_name": "Zulu", "date_of_birth": "1985-07-14",
			"confirm_duplicate": true}), http.StatusCreated)
		second = r.Str("id")
		ev := want(t, admin.Do("GET", d.base+"/audit-events?action=patient.created&patient="+second, nil), http.StatusOK)
		if ev.Str("items.0.detail.confirmed_despite_duplicates") != "1" {
			t.Errorf("confirmation not audited: %s", ev.Body)
		}
	})

	t.Run("merging moves appointments, needs confirmation and is audited", func(t *testing.T) {
		dup := want(t, rc.Do("GET", d.base+"/patients?q=Ayanda", nil), http.StatusOK)
		if got := ids(dup); len(got) != 2 || !slices.Contains(got, first) || !slices.Contains(got, second) {
			t.Fatalf("two charts: %s", dup.Body)
		}
		appt := d.book(t, second, thu0900)
		r := rc.Do("POST", d.base+"/patients/"+second+"/merge", map[string]any{"into": first})
		wantProblem(t, r, http.StatusUnprocessableEntity)
		if r.Get("errors.confirm") == nil {
			t.Errorf("unconfirmed merge: %s", r)
		}
		wantProblem(t, rc.Do("POST", d.base+"/patients/"+second+"/merge", map[string]any{"into": second, "confirm": true}), http.StatusUnprocessableEntity)
		wantProblem(t, d.c[medic.RoleBilling].Do("POST", d.base+"/patients/"+second+"/merge", map[string]any{"into": first, "confirm": true}), http.StatusForbidden)
		r = want(t, rc.Do("POST", d.base+"/patients/"+second+"/merge", map[string]any{"into": first, "confirm": true}), http.StatusOK)
		if r.Str("id") != first || r.Str("status") != "active" {
			t.Errorf("merge answer: %s", r)
		}
		if r := want(t, rc.Do("GET", d.base+"/appointments/"+appt, nil), http.StatusOK); r.Str("patient_id") != first {
			t.Errorf("appointment did not move: %s", r)
		}
		if r := want(t, rc.Do("GET", d.base+"/patients/"+first+"/appointments", nil), http.StatusOK); !slices.Equal(ids(r), []string{appt}) {
			t.Errorf("survivor's appointments: %s", r.Body)
		}
		if r := want(t, rc.Do("GET", d.base+"/patients/"+second+"/appointments", nil), http.StatusOK); len(r.Items()) != 0 {
			t.Errorf("merged chart's appointments: %s", r.Body)
		}
		if r := want(t, rc.Do("GET", d.base+"/patients/"+second, nil), http.StatusOK); r.Str("status") != "merged" || r.Str("merged_into") != first {
			t.Errorf("merged chart: %s", r)
		}
		if r := want(t, rc.Do("GET", d.base+"/patients?q=Ayanda&include_inactive=true", nil), http.StatusOK); !slices.Equal(ids(r), []string{first}) {
			t.Errorf("search after merge: %s", r.Body)
		}
		// Irreversible: the merged chart can be neither merged again, edited nor booked.
		wantProblem(t, rc.Do("POST", d.base+"/patients/"+second+"/merge", map[string]any{"into": first, "confirm": true}), http.StatusConflict)
		wantProblem(t, rc.Do("PATCH", d.base+"/patients/"+second, map[string]any{"given_name": "Back"}), http.StatusConflict)
		wantProblem(t, rc.Do("POST", d.base+"/appointments", d.booking(second, thu0930)), http.StatusUnprocessableEntity)
		for _, c := range []struct{ action, patient, detail string }{{"patient.merged_away", second, "into"}, {"patient.merged_into", first, "from"}} {
			ev := want(t, admin.Do("GET", d.base+"/audit-events?action="+c.action+"&patient="+c.patient, nil), http.StatusOK)
			if len(ev.Items()) != 1 || ev.Str("items.0.actor_email") != "receptionist@dupes.example" || ev.Str("items.0.detail."+c.detail) == "" {
				t.Errorf("%s: %s", c.action, ev.Body)
			}
		}
	})

	t.Run("a deactivated chart leaves the default search and cannot be booked", func(t *testing.T) {
		r := want(t, rc.Do("POST", d.base+"/patients/"+first+"/deactivate", nil), http.StatusOK)
		if r.Str("status") != "inactive" {
			t.Errorf("deactivated: %s", r)
		}
		for _, q := range []string{"q=Ayanda", "q=ayanda@example.org", "q=" + female1985, ""} {
			if r := want(t, rc.Do("GET", d.base+"/patients?"+q, nil), http.StatusOK); slices.Contains(ids(r), first) {
				t.Errorf("%s finds the inactive chart: %s", q, r.Body)
			}
			if r := want(t, rc.Do("GET", d.base+"/patients?include_inactive=true&"+q, nil), http.StatusOK); !slices.Contains(ids(r), first) {
				t.Errorf("%s with include_inactive misses it: %s", q, r.Body)
			}
		}
		wantProblem(t, rc.Do("GET", d.base+"/patients?include_inactive=maybe", nil), http.StatusUnprocessableEntity)
		b := rc.Do("POST", d.base+"/appointments", d.booking(first, thu1000))
		wantProblem(t, b, http.StatusUnprocessableEntity)
		if b.Get("errors.patient_id") == nil {
			t.Errorf("booking an inactive chart: %s", b)
		}
		// Still readable, and back with reactivation.
		want(t, rc.Do("GET", d.base+"/patients/"+first, nil), http.StatusOK)
		want(t, rc.Do("POST", d.base+"/patients/"+first+"/reactivate", nil), http.StatusOK)
		if r := want(t, rc.Do("GET", d.base+"/patients?q=Ayanda", nil), http.StatusOK); !slices.Contains(ids(r), first) {
			t.Errorf("reactivated chart not found: %s", r.Body)
		}
		d.book(t, first, thu1000)
	})
}

func TestPatientSearch(t *testing.T) {
	t.Parallel()
	env := servertest.New(t)
	d := newDesk(t, env, "search")
	rc := d.c[medic.RoleReceptionist]
	for _, p := range []map[string]any{
		{"given_name": "Thabo", "family_name": "Nkosi", "date_of_birth": "1980-01-01", "phone": "082 555 0101", "email": "thabo@example.org"},
		{"given_name": "Thandiwe", "family_name": "Ndlovu", "date_of_birth": "1992-05-05", "phone": "082 555 0102"},
		{"given_name": "Pieter", "family_name": "van der Merwe", "date_of_birth": "1970-12-12", "phone": "021 555 0103"},
		{"given_name": "Nomsa", "family_name": "Nkosi", "date_of_birth": "2001-03-03"},
	} {
		want(t, rc.Do("POST", d.base+"/patients", p), http.StatusCreated)
	}
	names := func(r *servertest.Response) []string {
		var out []string
		for _, it := range r.Items() {
			out = append(out, it["given_name"].(string)+" "+it["family_name"].(string))
		}
		return out
	}
	for _, c := range []struct {
		query string
		want  []string
	}{
		{"q=nksoi", []string{"Nomsa Nkosi", "Thabo Nkosi"}}, // typo-tolerant
		{"q=%2B27825550102", []string{"Thandiwe Ndlovu"}},
		{"q=082+555+0101", []string{"Thabo Nkosi"}},
		{"q=THABO@example.org", []string{"Thabo Nkosi"}},
		{"sort=date_of_birth", []string{"Pieter van der Merwe", "Thabo Nkosi", "Thandiwe Ndlovu", "Nomsa Nkosi"}},
		{"sort=-name", []string{"Pieter van der Merwe", "Thabo Nkosi", "Nomsa Nkosi", "Thandiwe Ndlovu"}},
	} {
		r := want(t, rc.Do("GET", d.base+"/patients?"+c.query, nil), http.StatusOK)
		got := names(r)
		if c.query == "q=nksoi" {
			slices.Sort(got)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: got %v, want %v", c.query, got, c.want)
		}
	}
	// A full name ranks its chart first.
	if r := want(t, rc.Do("GET", d.base+"/patients?q=Thabo+Nkosi", nil), http.StatusOK); r.Str("items.0.given_name") != "Thabo" {
		t.Errorf("relevance: %v", names(r))
	}
	wantProblem(t, rc.Do("GET", d.base+"/patients?sort=shoe_size", nil), http.StatusUnprocessableEntity)
	wantProblem(t, rc.Do("GET", d.base+"/patients?limit=0", nil), http.StatusUnprocessableEntity)
	wantProblem(t, rc.Do("GET", d.base+"/patients?cursor=garbage", nil), http.StatusUnprocessableEntity)

	// Paging by name walks every chart once.
	var seen []string
	cursor := ""
	for range 10 {
		r := want(t, rc.Do("GET", d.base+"/patients?limit=1&cursor="+cursor, nil), http.StatusOK)
		seen = append(seen, names(r)...)
		if cursor = r.Str("next_cursor"); cursor == "" {
			break
		}
	}
	if !slices.Equal(seen, []string{"Thandiwe Ndlovu", "Nomsa Nkosi", "Thabo Nkosi", "Pieter van der Merwe"}) {
		t.Errorf("paged: %v", seen)
	}
}

func TestPatientReadsAreAudited(t *testing.T) {
	t.Parallel()
	env := servertest.New(t)
	d := newDesk(t, env, "audited")
	rc, admin := d.c[medic.RoleBilling], d.c[medic.RoleAdmin]
	id := d.patient(t, "Karabo", "")
	other := d.patient(t, "Lindiwe", "")
	events := func(action, patient string) []map[string]any {
		r := want(t, admin.Do("GET", d.base+"/audit-events?action="+action+"&patient="+patient+"&actor="+d.members[medic.RoleBilling].UserID, nil), http.StatusOK)
		return r.Items()
	}
	want(t, rc.Do("GET", d.base+"/patients/"+id, nil), http.StatusOK)
	if ev := events("patient.viewed", id); len(ev) != 1 || ev[0]["patient_id"] != id || ev[0]["entity_id"] != id {
		t.Errorf("view: %v", ev)
	}
	r := want(t, rc.Do("GET", d.base+"/patients?q=Karabo", nil), http.StatusOK)
	if !slices.Equal(ids(r), []string{id}) {
		t.Fatalf("search: %s", r.Body)
	}
	// One event for the search, naming the charts it showed.
	if ev := events("patient.searched", id); len(ev) != 1 || fmt.Sprint(ev[0]["patient_ids"]) != "["+id+"]" || ev[0]["detail"].(map[string]any)["results"] != "1" {
		t.Errorf("search result: %v", ev)
	}
	if ev := events("patient.searched", other); len(ev) != 0 {
		t.Errorf("a chart not shown is logged as listed: %v", ev)
	}
	want(t, rc.Do("GET", d.base+"/patients/"+id+"/appointments", nil), http.StatusOK)
	want(t, rc.Do("GET", d.base+"/appointments?patient="+id, nil), http.StatusOK)
	if ev := events("appointment.listed", id); len(ev) != 2 {
		t.Errorf("appointments tab: %v", ev)
	}
	// A filter naming no chart of this practice names no patient in the log.
	want(t, rc.Do("GET", d.base+"/appointments?patient=not-a-uuid", nil), http.StatusOK)
	want(t, rc.Do("GET", d.base+"/appointments?patient="+newUUID(), nil), http.StatusOK)
	// A missing chart is a 404 and no patient read.
	want(t, rc.Do("GET", d.base+"/patients/"+newUUID(), nil), http.StatusNotFound)
	// The query text itself never reaches the log.
	all := want(t, admin.Do("GET", d.base+"/audit-events?limit=200", nil), http.StatusOK)
	if strings.Contains(string(all.Body), "q=Karabo") || strings.Contains(string(all.Body), `"Karabo"`) {
		t.Errorf("the log holds the search text: %s", all.Body)
	}
}
