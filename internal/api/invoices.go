package api

import (
	"net/http"
	"time"

	"medic"
)

func (h *Handler) invoiceRoutes(mux Router) {
	mux.HandleFunc("GET /api/v1/practices/{practice}/billing-settings", h.tenant(h.getBillingSettings))
	mux.HandleFunc("PUT /api/v1/practices/{practice}/billing-settings", h.tenant(h.putBillingSettings))
	mux.HandleFunc("POST /api/v1/practices/{practice}/invoices", h.tenant(h.createInvoice))
	mux.HandleFunc("GET /api/v1/practices/{practice}/invoices", h.tenant(h.listInvoices))
	mux.HandleFunc("GET /api/v1/practices/{practice}/invoices/{id}", h.tenant(h.getInvoice))
	mux.HandleFunc("PATCH /api/v1/practices/{practice}/invoices/{id}", h.tenant(h.updateInvoice))
	mux.HandleFunc("POST /api/v1/practices/{practice}/invoices/{id}/issue", h.tenant(h.issueInvoice))
	mux.HandleFunc("POST /api/v1/practices/{practice}/invoices/{id}/void", h.tenant(h.voidInvoice))
	mux.HandleFunc("GET /api/v1/practices/{practice}/invoices/{id}/payments", h.tenant(h.listPayments))
	mux.HandleFunc("POST /api/v1/practices/{practice}/invoices/{id}/payments", h.tenant(h.takePayment))
	mux.HandleFunc("POST /api/v1/practices/{practice}/encounters/{id}/invoice", h.tenant(h.billEncounter))
	mux.HandleFunc("GET /api/v1/practices/{practice}/cash-up", h.tenant(h.cashUp))
}

type invoiceLineDTO struct {
	ID             string               `json:"id"`
	TariffCodeID   *string              `json:"tariff_code_id"`
	Code           string               `json:"code"`
	Description    string               `json:"description"`
	Category       medic.TariffCategory `json:"category"`
	Quantity       int                  `json:"quantity"`
	UnitCents      int64                `json:"unit_cents"`
	DiscountCents  int64                `json:"discount_cents"`
	DiscountReason string               `json:"discount_reason"`
	VATable        bool                 `json:"vatable"`
	NetCents       int64                `json:"net_cents"`
	VATCents       int64                `json:"vat_cents"`
	TotalCents     int64                `json:"total_cents"`
	ICD10          []string             `json:"icd10"`
}

type paymentDTO struct {
	ID          string              `json:"id"`
	InvoiceID   string              `json:"invoice_id"`
	AmountCents int64               `json:"amount_cents"`
	Currency    string              `json:"currency,omitempty"`
	Method      medic.PaymentMethod `json:"method"`
	Reference   string              `json:"reference"`
	Reason      string              `json:"reason"`
	LocationID  *string             `json:"location_id"`
	TakenBy     string              `json:"taken_by"`
	TakenByName string              `json:"taken_by_name"`
	TakenAt     time.Time           `json:"taken_at"`
}

type invoiceDTO struct {
	ID               string              `json:"id"`
	PatientID        string              `json:"patient_id"`
	PatientName      string              `json:"patient_name"`
	EncounterID      *string             `json:"encounter_id"`
	LocationID       *string             `json:"location_id"`
	Number           *int64              `json:"number"`
	NumberLabel      string              `json:"number_label"`
	Status           medic.InvoiceStatus `json:"status"`
	InvoiceDate      medic.Date          `json:"invoice_date"`
	Currency         string              `json:"currency"`
	VATRateBP        int                 `json:"vat_rate_bp"`
	Lines            []invoiceLineDTO    `json:"lines"`
	SubtotalCents    int64               `json:"subtotal_cents"`
	DiscountCents    int64               `json:"discount_cents"`
	VATCents         int64               `json:"vat_cents"`
	TotalCents       int64               `json:"total_cents"`
	MedicalAidCents  int64               `json:"medical_aid_cents"`
	PatientCents     int64               `json:"patient_cents"`
	PaidCents        int64               `json:"paid_cents"`
	BalanceCents     int64               `json:"balance_cents"`
	CreatedAt        time.Time           `json:"created_at"`
	IssuedAt         *time.Time          `json:"issued_at"`
	VoidedAt         *time.Time          `json:"voided_at"`
	VoidReason       string              `json:"void_reason"`
	CreditNoteNumber *int64              `json:"credit_note_number"`
	Payments         []paymentDTO        `json:"payments,omitempty"`
}

func optString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func optInt(n int64) *int64 {
	if n == 0 {
		return nil
	}
	return &n
}

func optTime(t time.Time, loc *time.Location) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = t.In(loc)
	return &t
}

func toPayment(loc *time.Location) func(*medic.Payment) paymentDTO {
	return func(p *medic.Payment) paymentDTO {
		return paymentDTO{ID: p.ID, InvoiceID: p.InvoiceID, AmountCents: p.AmountCents, Method: p.Method, Reference: p.Reference, Reason: p.Reason,
			LocationID: optString(p.LocationID), TakenBy: p.TakenBy, TakenByName: p.TakenByName, TakenAt: p.TakenAt.In(loc)}
	}
}

func toInvoice(loc *time.Location) func(*medic.Invoice) invoiceDTO {
	return func(inv *medic.Invoice) invoiceDTO {
		d := invoiceDTO{ID: inv.ID, PatientID: inv.PatientID, PatientName: inv.PatientName, EncounterID: optString(inv.EncounterID),
			LocationID: optString(inv.LocationID), Number: optInt(inv.Number), NumberLabel: inv.NumberLabel(), Status: inv.Status,
			InvoiceDate: inv.InvoiceDate, Currency: inv.Currency, VATRateBP: inv.VATRateBP, Lines: []invoiceLineDTO{},
			SubtotalCents: inv.SubtotalCents, DiscountCents: inv.DiscountCents, VATCents: inv.VATCents, TotalCents: inv.TotalCents,
			MedicalAidCents: inv.MedicalAidCents, PatientCents: inv.PatientCents, PaidCents: inv.PaidCents, BalanceCents: inv.BalanceCents(),
			CreatedAt: inv.CreatedAt.In(loc), IssuedAt: optTime(inv.IssuedAt, loc), VoidedAt: optTime(inv.VoidedAt, loc), VoidReason: inv.VoidReason,
			CreditNoteNumber: optInt(inv.CreditNoteNumber)}
		for _, l := range inv.Lines {
			codes := l.ICD10
			if codes == nil {
				codes = []string{}
			}
			d.Lines = append(d.Lines, invoiceLineDTO{ID: l.ID, TariffCodeID: optString(l.TariffCodeID), Code: l.Code, Description: l.Description,
				Category: l.Category, Quantity: l.Quantity, UnitCents: l.UnitCents, DiscountCents: l.DiscountCents, DiscountReason: l.DiscountReason,
				VATable: l.VATable, NetCents: l.NetCents, VATCents: l.VATCents, TotalCents: l.TotalCents, ICD10: codes})
		}
		return d
	}
}

// invoiceInput is a new invoice or a draft's replacement. A line with a
// code takes the tariff's description, category, VAT flag and price on the
// invoice date unless unit_cents is given; a free-text line needs its
// description and price (vatable defaults to true).
type invoiceInput struct {
	PatientID       string      `json:"patient_id"`
	InvoiceDate     *medic.Date `json:"invoice_date"`
	MedicalAidCents int64       `json:"medical_aid_cents"`
	Lines           []struct {
		TariffCodeID   string   `json:"tariff_code_id"`
		Code           string   `json:"code"`
		Description    string   `json:"description"`
		Category       string   `json:"category"`
		Quantity       *int     `json:"quantity"`
		UnitCents      *int64   `json:"unit_cents"`
		DiscountCents  int64    `json:"discount_cents"`
		DiscountReason string   `json:"discount_reason"`
		VATable        *bool    `json:"vatable"`
		ICD10          []string `json:"icd10"`
	} `json:"lines"`
}

func (in invoiceInput) invoice(id string) *medic.Invoice {
	inv := &medic.Invoice{ID: id, PatientID: in.PatientID, MedicalAidCents: in.MedicalAidCents, Lines: []*medic.InvoiceLine{}}
	if in.InvoiceDate != nil {
		inv.InvoiceDate = *in.InvoiceDate
	}
	for _, l := range in.Lines {
		line := &medic.InvoiceLine{TariffCodeID: l.TariffCodeID, Code: l.Code, Description: l.Description, Category: medic.TariffCategory(l.Category),
			Quantity: 1, DiscountCents: l.DiscountCents, DiscountReason: l.DiscountReason, VATable: true, ICD10: l.ICD10}
		if l.Quantity != nil {
			line.Quantity = *l.Quantity
		}
		if l.UnitCents != nil {
			line.UnitCents, line.UnitGiven = *l.UnitCents, true
		}
		if l.VATable != nil {
			line.VATable = *l.VATable
		}
		inv.Lines = append(inv.Lines, line)
	}
	return inv
}

func (h *Handler) writeInvoice(w http.ResponseWriter, r *http.Request, status int, inv *medic.Invoice, ps []*medic.Payment) {
	loc := practiceZone(r.Context())
	d := toInvoice(loc)(inv)
	d.Payments = mapAll(ps, toPayment(loc))
	if d.Payments == nil {
		d.Payments = []paymentDTO{}
	}
	writeJSON(w, status, d)
}

// getBillingSettings: GET .../billing-settings -> {"currency", "vat_rate_bp"}.
func (h *Handler) getBillingSettings(w http.ResponseWriter, r *http.Request) {
	b, err := h.app.GetBillingSettings(r.Context())
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"currency": b.Currency, "vat_rate_bp": b.VATRateBP})
}

// putBillingSettings: PUT .../billing-settings {"currency", "vat_rate_bp"}.
func (h *Handler) putBillingSettings(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Currency  string `json:"currency"`
		VATRateBP int    `json:"vat_rate_bp"`
	}
	if err := decode(r, &in); err != nil {
		h.error(w, r, err)
		return
	}
	b := medic.BillingSettings{Currency: in.Currency, VATRateBP: in.VATRateBP}
	if err := h.app.SaveBillingSettings(r.Context(), b); err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"currency": b.Currency, "vat_rate_bp": b.VATRateBP})
}

// createInvoice: POST .../invoices {"patient_id", "invoice_date"?,
// "medical_aid_cents"?, "lines": [...]} -> 201 with the draft.
func (h *Handler) createInvoice(w http.ResponseWriter, r *http.Request) {
	var in invoiceInput
	if err := decode(r, &in); err != nil {
		h.error(w, r, err)
		return
	}
	inv := in.invoice("")
	if err := h.app.CreateInvoice(r.Context(), inv); err != nil {
		h.error(w, r, err)
		return
	}
	h.writeInvoice(w, r, http.StatusCreated, inv, nil)
}

// billEncounter: POST .../encounters/{id}/invoice -> 201 with the draft
// built from the finished visit.
func (h *Handler) billEncounter(w http.ResponseWriter, r *http.Request) {
	inv, err := h.app.BillEncounter(r.Context(), r.PathValue("id"))
	if err != nil {
		h.error(w, r, err)
		return
	}
	h.writeInvoice(w, r, http.StatusCreated, inv, nil)
}

// listInvoices: GET .../invoices ?patient= &encounter= &status= &from=
// &to= (invoice dates).
func (h *Handler) listInvoices(w http.ResponseWriter, r *http.Request) {
	pg, err := page(r)
	if err != nil {
		h.error(w, r, err)
		return
	}
	q := r.URL.Query()
	f := medic.InvoiceFilter{PatientID: q.Get("patient"), EncounterID: q.Get("encounter"), Status: medic.InvoiceStatus(q.Get("status"))}
	fe := medic.FieldErrors{}
	for _, d := range []struct {
		name string
		to   *medic.Date
	}{{"from", &f.From}, {"to", &f.To}} {
		if s := q.Get(d.name); s != "" {
			v, err := medic.ParseDate(s)
			if err != nil {
				fe.Add(d.name, medic.ErrorMessage(err))
			}
			*d.to = v
		}
	}
	if err := fe.Err(); err != nil {
		h.error(w, r, err)
		return
	}
	out, next, err := h.app.ListInvoices(r.Context(), f, pg)
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, newList(mapAll(out, toInvoice(practiceZone(r.Context()))), next))
}

func (h *Handler) getInvoice(w http.ResponseWriter, r *http.Request) {
	inv, ps, err := h.app.GetInvoice(r.Context(), r.PathValue("id"))
	if err != nil {
		h.error(w, r, err)
		return
	}
	h.writeInvoice(w, r, http.StatusOK, inv, ps)
}

// updateInvoice: PATCH .../invoices/{id} with the draft's lines (all of
// them), date and medical-aid share; 409 once issued.
func (h *Handler) updateInvoice(w http.ResponseWriter, r *http.Request) {
	var in invoiceInput
	if err := decode(r, &in); err != nil {
		h.error(w, r, err)
		return
	}
	inv := in.invoice(r.PathValue("id"))
	if err := h.app.UpdateInvoice(r.Context(), inv); err != nil {
		h.error(w, r, err)
		return
	}
	h.writeInvoice(w, r, http.StatusOK, inv, nil)
}

func (h *Handler) issueInvoice(w http.ResponseWriter, r *http.Request) {
	inv, err := h.app.IssueInvoice(r.Context(), r.PathValue("id"))
	if err != nil {
		h.error(w, r, err)
		return
	}
	h.writeInvoice(w, r, http.StatusOK, inv, nil)
}

// voidInvoice: POST .../invoices/{id}/void {"reason"}.
func (h *Handler) voidInvoice(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Reason string `json:"reason"`
	}
	if err := decode(r, &in); err != nil {
		h.error(w, r, err)
		return
	}
	inv, err := h.app.VoidInvoice(r.Context(), r.PathValue("id"), in.Reason)
	if err != nil {
		h.error(w, r, err)
		return
	}
	h.writeInvoice(w, r, http.StatusOK, inv, nil)
}

func (h *Handler) listPayments(w http.ResponseWriter, r *http.Request) {
	inv, ps, err := h.app.GetInvoice(r.Context(), r.PathValue("id"))
	if err != nil {
		h.error(w, r, err)
		return
	}
	loc := practiceZone(r.Context())
	items := mapAll(ps, toPayment(loc))
	for i := range items {
		items[i].Currency = inv.Currency
	}
	writeJSON(w, http.StatusOK, newList(items, ""))
}

// takePayment: POST .../invoices/{id}/payments {"amount_cents", "method":
// "cash|card|eft|medical_aid", "reference", "reason"?, "location_id"?} ->
// 201 with the invoice and its payments. A negative amount is a refund.
func (h *Handler) takePayment(w http.ResponseWriter, r *http.Request) {
	var in struct {
		AmountCents int64  `json:"amount_cents"`
		Method      string `json:"method"`
		Reference   string `json:"reference"`
		Reason      string `json:"reason"`
		LocationID  string `json:"location_id"`
	}
	if err := decode(r, &in); err != nil {
		h.error(w, r, err)
		return
	}
	p := &medic.Payment{InvoiceID: r.PathValue("id"), AmountCents: in.AmountCents, Method: medic.PaymentMethod(in.Method),
		Reference: in.Reference, Reason: in.Reason, LocationID: in.LocationID}
	inv, ps, err := h.app.TakePayment(r.Context(), p)
	if err != nil {
		h.error(w, r, err)
		return
	}
	h.writeInvoice(w, r, http.StatusCreated, inv, ps)
}

type cashUpRowDTO struct {
	LocationID   *string             `json:"location_id"`
	LocationName string              `json:"location_name"`
	UserID       string              `json:"user_id"`
	UserName     string              `json:"user_name"`
	Method       medic.PaymentMethod `json:"method"`
	Count        int                 `json:"count"`
	AmountCents  int64               `json:"amount_cents"`
}

// cashUp: GET .../cash-up?date=YYYY-MM-DD (today by default) -> {"date",
// "currency", "rows": [...], "total_cents"}; Accept: text/csv or
// ?format=csv gives the CSV.
func (h *Handler) cashUp(w http.ResponseWriter, r *http.Request) {
	var day medic.Date
	if s := r.URL.Query().Get("date"); s != "" {
		var err error
		if day, err = medic.ParseDate(s); err != nil {
			h.error(w, r, &medic.Error{Code: medic.EINVALID, Message: medic.ErrorMessage(err), Fields: map[string]string{"date": medic.ErrorMessage(err)}})
			return
		}
	}
	day, rows, err := h.app.CashUp(r.Context(), day)
	if err != nil {
		h.error(w, r, err)
		return
	}
	b, err := h.app.GetBillingSettings(r.Context())
	if err != nil {
		h.error(w, r, err)
		return
	}
	if r.URL.Query().Get("format") == "csv" || r.Header.Get("Accept") == "text/csv" {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="cash-up-`+day.String()+`.csv"`)
		_ = medic.WriteCashUpCSV(w, day, b.Currency, rows)
		return
	}
	out := make([]cashUpRowDTO, len(rows))
	for i, c := range rows {
		out[i] = cashUpRowDTO{LocationID: optString(c.LocationID), LocationName: c.LocationName, UserID: c.UserID, UserName: c.UserName,
			Method: c.Method, Count: c.Count, AmountCents: c.AmountCents}
	}
	writeJSON(w, http.StatusOK, map[string]any{"date": day, "currency": b.Currency, "rows": out, "total_cents": medic.CashUpTotal(rows)})
}
