package claimswitch_test

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"medic"
	"medic/internal/claimswitch"
)

func TestBatchRoundTrip(t *testing.T) {
	a, b := claimFor("k-1", "12345678"), claimFor("k-2", "87654321")
	b.Lines = b.Lines[:1]
	var buf bytes.Buffer
	if err := claimswitch.WriteBatch(&buf, "batch-7", a, b); err != nil {
		t.Fatal(err)
	}
	text := buf.String()
	for _, want := range []string{
		"H|MEDIC-CLAIMS|1|batch-7\n",
		"C|k-1|INV-000042|0123456|MP0123456|2026-12-05|ZAR\n",
		"P|Discovery Health|Classic Saver|12345678|00|Mokoena|Thandi|1984-03-02\n",
		"L|2|0308|1|31050|S52.5;W19.9|Wound care\n",
		"L|1|0190|1|52000|J06.9|Consultation   GP\n", // a "|" in a field becomes a space
		"T|2|3|135050\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("batch lacks %q:\n%s", want, text)
		}
	}
	id, got, err := claimswitch.ParseBatch(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	a.Lines[0].Description = "Consultation   GP"
	b.Lines[0].Description = "Consultation   GP"
	if id != "batch-7" || !reflect.DeepEqual(got, []*medic.ClaimSubmission{a, b}) {
		t.Errorf("parsed %s %+v", id, got)
	}
}

func TestBatchRefusesDamagedFiles(t *testing.T) {
	var buf bytes.Buffer
	if err := claimswitch.WriteBatch(&buf, "b", claimFor("k-1", "12345678")); err != nil {
		t.Fatal(err)
	}
	good := buf.String()
	lines := strings.SplitAfter(good, "\n")
	tests := map[string]string{
		"cut off before the trailer": strings.Join(lines[:len(lines)-2], ""),
		"totals that do not add up":  strings.Replace(good, "T|1|2|83050", "T|1|2|83051", 1),
		"another format":             strings.Replace(good, "MEDIC-CLAIMS", "OTHER", 1),
		"a line before its claim":    lines[0] + lines[3] + strings.Join(lines[1:], ""),
		"an amount in rand":          strings.Replace(good, "|52000|", "|520.00|", 1),
	}
	for name, text := range tests {
		if _, _, err := claimswitch.ParseBatch(strings.NewReader(text)); err == nil {
			t.Errorf("%s: parsed", name)
		}
	}
}

func TestSafeKey(t *testing.T) {
	for k, want := range map[string]bool{
		"claim-0b6c.v2": true, "": false, ".hidden": false, "../etc/passwd": false, "a/b": false, strings.Repeat("a", 101): false,
	} {
		if claimswitch.SafeKey(k) != want {
			t.Errorf("SafeKey(%q) = %v", k, !want)
		}
	}
}
