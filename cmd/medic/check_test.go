package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"medic/internal/demo"
	"medic/internal/postgres/pgtest"
)

// `medic check` passes the demo, then names (never shows) values written
// around the use cases that today's rules refuse; `medic serve` reports
// the settings among them at start.
func TestCheckStoredValues(t *testing.T) {
	db := pgtest.New(t)
	vars := map[string]string{"MEDIC_DATABASE_URL": db.OwnerURL}
	ctx := t.Context()
	if err := demo.Load(ctx, db.DB, demo.DefaultPassword, nil); err != nil {
		t.Fatal(err)
	}
	r := runCmd(t, vars, "", "check")
	if r.code != 0 || strings.TrimSpace(r.stdout) != "stored values valid" {
		t.Fatalf("the demo: exit %d, stdout %q, stderr %s", r.code, r.stdout, r.stderr)
	}

	owner, err := pgx.Connect(ctx, db.OwnerURL)
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close(context.Background())
	var practiceID, patientID, locationID string
	err = owner.QueryRow(ctx, `UPDATE practices SET name = E'Harbour\r\nBcc: victim@example.org', time_zone = 'Local'
		WHERE slug = 'harbour' RETURNING id`).Scan(&practiceID)
	if err != nil {
		t.Fatal(err)
	}
	err = owner.QueryRow(ctx, `UPDATE patients SET family_name = E'Secretname\u202E' WHERE id = (SELECT min(id::text)::uuid FROM patients
		WHERE practice_id = $1) RETURNING id`, practiceID).Scan(&patientID)
	if err != nil {
		t.Fatal(err)
	}
	err = owner.QueryRow(ctx, `UPDATE locations SET name = E'Main\nStreet' WHERE id = (SELECT min(id::text)::uuid FROM locations
		WHERE practice_id = $1) RETURNING id`, practiceID).Scan(&locationID)
	if err != nil {
		t.Fatal(err)
	}

	r = runCmd(t, vars, "", "check")
	if r.code != exitError || !strings.Contains(r.stderr, "4 stored values do not pass") {
		t.Fatalf("exit %d, stdout %q, stderr %s", r.code, r.stdout, r.stderr)
	}
	want := map[string]bool{"practices/name/" + practiceID: false, "practices/time_zone/" + practiceID: false,
		"patients/family_name/" + patientID: false, "locations/name/" + locationID: false}
	for _, line := range strings.Split(r.stderr, "\n") {
		var l map[string]any
		if json.Unmarshal([]byte(line), &l) != nil || l["msg"] != "stored value no longer valid" {
			continue
		}
		if l["level"] != "WARN" || l["practice_id"] != practiceID {
			t.Errorf("line %s", line)
		}
		key := l["table"].(string) + "/" + l["field"].(string) + "/" + l["id"].(string)
		if _, ok := want[key]; !ok {
			t.Errorf("unexpected report %s", key)
		}
		want[key] = true
	}
	for k, seen := range want {
		if !seen {
			t.Errorf("%s not reported:\n%s", k, r.stderr)
		}
	}
	for _, secret := range []string{"Secretname", "Bcc", "victim"} {
		if strings.Contains(r.stdout+r.stderr, secret) {
			t.Errorf("the report shows the value (%q)", secret)
		}
	}

	// At start, serve reports the settings (not the charts) at WARN.
	s := startServer(t, vars, "serve")
	waitFor(t, "the startup check", func() bool { return strings.Contains(s.stderr.String(), "stored values no longer valid") })
	s.stop(t)
	log := s.stderr.String()
	if !strings.Contains(log, `"table":"locations","field":"name","id":"`+locationID) || strings.Contains(log, patientID) ||
		strings.Contains(log, "Secretname") || strings.Contains(log, "Bcc") {
		t.Errorf("startup report:\n%s", log)
	}
}
