package medic

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// MaxMedicineImportBytes bounds an uploaded list (a national price
// registry export is a few MB).
const MaxMedicineImportBytes = 16 << 20

// RejectedRow is a line of an import that was not taken, and why.
type RejectedRow struct {
	Line   int // 1-based line of the file (the header is line 1)
	Name   string
	Reason string
}

// medicineColumns maps header names (lower-case) to fields; the aliases
// are the headings of registry exports.
var medicineColumns = map[string]string{
	"name": "name", "generic name": "name", "product name": "name", "proprietary name": "name",
	"ingredients": "ingredients", "active ingredients": "ingredients", "active ingredient": "ingredients", "ingredient": "ingredients",
	"atc": "atc", "atc code": "atc", "atc class": "atc",
	"strength": "strength",
	"form":     "form", "dosage form": "form",
	"route": "route", "route of administration": "route",
	"schedule":  "schedule",
	"dose unit": "dose_unit", "dose_unit": "dose_unit",
	"unit mg": "unit_mg", "unit_mg": "unit_mg", "mg per unit": "unit_mg",
	"paediatric max mg/kg/day": "paed_max_mg_kg_day", "paed_max_mg_kg_day": "paed_max_mg_kg_day",
}

// ParseMedicineCSV reads a medicines list: a header row naming the columns
// (name, ingredients and schedule are required; ingredients separated by
// ";" or "+"), then one medicine per row. Each row is validated alone: a
// bad row is reported and the others are kept. A file that is not CSV or
// lacks a required column is an error.
func ParseMedicineCSV(r io.Reader) ([]*Medicine, []RejectedRow, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	head, err := cr.Read()
	if err != nil {
		return nil, nil, invalidImport("The file is empty or not CSV.")
	}
	col := map[string]int{}
	for i, h := range head {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if f, ok := medicineColumns[h]; ok {
			if _, dup := col[f]; !dup {
				col[f] = i
			}
		}
	}
	for _, need := range []string{"name", "ingredients", "schedule"} {
		if _, ok := col[need]; !ok {
			return nil, nil, invalidImport(fmt.Sprintf("The header row has no %q column (columns: name, ingredients, atc, strength, form, route, schedule, dose unit, unit mg, paediatric max mg/kg/day).", need))
		}
	}
	var out []*Medicine
	var rejected []RejectedRow
	seen := map[string]int{}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		line, _ := cr.FieldPos(0)
		var perr *csv.ParseError
		if errors.As(err, &perr) {
			rejected = append(rejected, RejectedRow{Line: perr.Line, Reason: "Not valid CSV: " + perr.Err.Error() + "."})
			continue
		}
		if err != nil {
			return nil, nil, invalidImport("The file could not be read.")
		}
		get := func(f string) string {
			if i, ok := col[f]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		m := &Medicine{Name: get("name"), ATC: get("atc"), Strength: get("strength"), Form: get("form"), Route: get("route"),
			Schedule: DrugSchedule(get("schedule")), DoseUnit: get("dose_unit"), Source: MedicineImport, Active: true}
		m.Ingredients = strings.FieldsFunc(get("ingredients"), func(r rune) bool { return r == ';' || r == '+' })
		var numErr string
		for _, n := range []struct {
			f   string
			dst *float64
		}{{"unit_mg", &m.UnitMg}, {"paed_max_mg_kg_day", &m.PaedMaxMgKgDay}} {
			f, dst := n.f, n.dst
			if s := get(f); s != "" && numErr == "" {
				v, err := strconv.ParseFloat(strings.ReplaceAll(s, ",", "."), 64)
				if err != nil {
					numErr = fmt.Sprintf("%s is not a number: %q.", strings.ReplaceAll(f, "_", " "), s)
				}
				*dst = v
			}
		}
		reason := numErr
		if reason == "" {
			if err := m.Validate(); err != nil {
				reason = fieldReasons(err)
			}
		}
		key := strings.ToLower(m.Name + "\x00" + m.Strength + "\x00" + m.Form)
		if reason == "" {
			if first, dup := seen[key]; dup {
				reason = fmt.Sprintf("Same name, strength and form as line %d.", first)
			}
		}
		if reason != "" {
			rejected = append(rejected, RejectedRow{Line: line, Name: m.Name, Reason: reason})
			continue
		}
		seen[key] = line
		out = append(out, m)
	}
	return out, rejected, nil
}

func invalidImport(msg string) error {
	return &Error{Code: EINVALID, Message: msg, Fields: map[string]string{"file": msg}}
}

// fieldReasons joins a validation error's field messages in field order.
func fieldReasons(err error) string {
	var e *Error
	if !errors.As(err, &e) || len(e.Fields) == 0 {
		return "Not a valid medicine."
	}
	var parts []string
	for _, f := range []string{"name", "ingredients", "atc", "strength", "form", "route", "schedule", "unit_mg", "paed_max_mg_kg_day"} {
		if msg, ok := e.Fields[f]; ok {
			parts = append(parts, msg)
		}
	}
	return strings.Join(parts, " ")
}
