package medic

import (
	"encoding/csv"
	"io"
	"strconv"
)

// CashUpTotal sums rows' amounts.
func CashUpTotal(rows []CashUpRow) int64 {
	var t int64
	for _, r := range rows {
		t += r.AmountCents
	}
	return t
}

// WriteCashUpCSV writes a day's cash-up as CSV: one row per location,
// member and method, amounts in cents and as printed, then the total.
func WriteCashUpCSV(w io.Writer, day Date, currency string, rows []CashUpRow) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"date", "location", "taken_by", "method", "payments", "amount_cents", "amount"})
	for _, r := range rows {
		_ = cw.Write([]string{day.String(), r.LocationName, r.UserName, string(r.Method), strconv.Itoa(r.Count),
			strconv.FormatInt(r.AmountCents, 10), CentsInput(r.AmountCents)})
	}
	total := CashUpTotal(rows)
	_ = cw.Write([]string{day.String(), "", "", "total", "", strconv.FormatInt(total, 10), CentsInput(total)})
	cw.Flush()
	return cw.Error()
}
