package medic

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
)

// tariffColumns maps header names (lower-case) to fields.
var tariffColumns = map[string]string{
	"code": "code", "tariff code": "code", "item code": "code",
	"description": "description", "item": "description",
	"category": "category", "type": "category",
	"vat": "vat", "vatable": "vat", "vat applies": "vat",
	"price": "price", "unit price": "price", "amount": "price",
}

// ParseTariffCSV reads a tariff: a header row naming the columns (code,
// description and price required; category defaults to procedure; vat
// yes/no, default yes; price in rand with up to two decimals, "450" or
// "450.00"), then one code per row. Each row is checked alone: a bad row
// is reported and the others kept. A file that is not CSV or lacks a
// required column is an error.
func ParseTariffCSV(r io.Reader) ([]*TariffCode, []RejectedRow, error) {
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
		if f, ok := tariffColumns[h]; ok {
			if _, dup := col[f]; !dup {
				col[f] = i
			}
		}
	}
	for _, need := range []string{"code", "description", "price"} {
		if _, ok := col[need]; !ok {
			return nil, nil, invalidImport(fmt.Sprintf("The header row has no %q column (columns: code, description, category, vat, price).", need))
		}
	}
	var out []*TariffCode
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
		t := &TariffCode{Code: get("code"), Description: get("description"), Category: TariffCategory(get("category")), VATable: true,
			Source: MedicineImport, Active: true}
		if t.Category == "" {
			t.Category = TariffProcedure
		}
		var reasons []string
		switch strings.ToLower(get("vat")) {
		case "", "yes", "y", "true", "1":
		case "no", "n", "false", "0":
			t.VATable = false
		default:
			reasons = append(reasons, fmt.Sprintf("vat is not yes or no: %q.", get("vat")))
		}
		cents, ok := ParseCents(get("price"))
		if !ok || cents < 0 || cents > MaxUnitCents {
			reasons = append(reasons, fmt.Sprintf("price is not an amount such as 450.00: %q.", get("price")))
		}
		t.UnitCents = cents
		if err := t.Validate(); err != nil {
			var e *Error
			if errors.As(err, &e) {
				for _, f := range []string{"code", "description", "category"} {
					if msg, ok := e.Fields[f]; ok {
						reasons = append(reasons, msg)
					}
				}
			}
		}
		if len(reasons) == 0 {
			if first, dup := seen[t.Code]; dup {
				reasons = append(reasons, fmt.Sprintf("Same code as line %d.", first))
			}
		}
		if len(reasons) > 0 {
			rejected = append(rejected, RejectedRow{Line: line, Name: t.Code, Reason: strings.Join(reasons, " ")})
			continue
		}
		seen[t.Code] = line
		out = append(out, t)
	}
	return out, rejected, nil
}
