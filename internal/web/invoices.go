package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"medic"
)

// Invoices on the desk: the Billing list (status and date filters), a new
// draft for a chart, "bill this visit" from a finished encounter, the
// invoice's page where a draft's lines are added, changed and removed, then
// issued; payments and refunds on an issued one; void with a reason.

func (h *Handler) invoiceRoutes(mux Router) {
	mux.HandleFunc("GET /billing", h.member(h.invoiceList))
	mux.HandleFunc("GET /billing/cash-up", h.member(h.cashUp))
	mux.HandleFunc("GET /invoices/new", h.member(h.newInvoiceForm))
	mux.HandleFunc("POST /invoices/new", h.member(h.createInvoice))
	mux.HandleFunc("POST /encounters/{id}/invoice", h.member(h.billEncounter))
	mux.HandleFunc("GET /invoices/{id}", h.member(h.invoicePage))
	mux.HandleFunc("POST /invoices/{id}/lines", h.member(h.addInvoiceLine))
	mux.HandleFunc("POST /invoices/{id}/lines/{n}", h.member(h.changeInvoiceLine))
	mux.HandleFunc("POST /invoices/{id}/lines/{n}/remove", h.member(h.removeInvoiceLine))
	mux.HandleFunc("POST /invoices/{id}/split", h.member(h.splitInvoice))
	mux.HandleFunc("POST /invoices/{id}/issue", h.member(h.issueInvoice))
	mux.HandleFunc("POST /invoices/{id}/void", h.member(h.voidInvoice))
	mux.HandleFunc("POST /invoices/{id}/payments", h.member(h.takePayment))
}

var invoiceStatusOptions = func() []option {
	out := []option{}
	for _, s := range medic.InvoiceStatuses {
		out = append(out, option{Value: string(s), Label: s.Label()})
	}
	return out
}()

var paymentMethodOptions = func() []option {
	out := []option{}
	for _, m := range medic.PaymentMethods {
		out = append(out, option{Value: string(m), Label: m.Label()})
	}
	return out
}()

var tariffCategoryOptions = func() []option {
	out := []option{}
	for _, c := range medic.TariffCategories {
		out = append(out, option{Value: string(c), Label: strings.ToUpper(string(c[:1])) + string(c[1:])})
	}
	return out
}()

type invoiceListView struct {
	Invoices []*medic.Invoice
	NextURL  string
	Statuses []option
	CanNew   bool
}

func (h *Handler) invoiceList(w http.ResponseWriter, r *http.Request, v *visitor) {
	q := r.URL.Query()
	f := newForm("invoice-filter", q)
	filter := medic.InvoiceFilter{Status: medic.InvoiceStatus(q.Get("status"))}
	for _, d := range []struct {
		name string
		to   *medic.Date
	}{{"from", &filter.From}, {"to", &filter.To}} {
		if s := strings.TrimSpace(q.Get(d.name)); s != "" {
			day, err := medic.ParseDate(s)
			if err != nil {
				f.fail(d.name, medic.ErrorMessage(err))
			}
			*d.to = day
		}
	}
	d := invoiceListView{Statuses: invoiceStatusOptions, CanNew: v.tenant.Can(medic.PermInvoicesCreate)}
	status := http.StatusOK
	if err := f.err(); err != nil {
		f.setError(err)
		status = http.StatusUnprocessableEntity
	} else {
		out, next, err := h.app.ListInvoices(r.Context(), filter, medic.Page{Limit: 50, Cursor: q.Get("cursor")})
		if medic.ErrorCode(err) == medic.EINVALID {
			f.setError(err)
			status = http.StatusUnprocessableEntity
		} else if err != nil {
			h.fail(w, r, err)
			return
		}
		d.Invoices = out
		if next != "" {
			u := url.Values{}
			for k, vs := range q {
				u[k] = vs
			}
			u.Set("cursor", next)
			d.NextURL = "/billing?" + u.Encode()
		}
	}
	p := h.page(r, "Billing", "billing").withForm(f)
	p.Data = d
	h.render(w, r, status, "invoices", p)
}

type invoiceView struct {
	Inv        *medic.Invoice
	Payments   []*medic.Payment
	CanEdit    bool // a draft, by a role that creates invoices
	CanIssue   bool
	CanVoid    bool
	CanPay     bool
	CanRefund  bool
	Methods    []option
	Categories []option
	// LineForms are the draft's lines as editable forms, in order.
	LineForms []*form
}

func (h *Handler) invoicePage(w http.ResponseWriter, r *http.Request, v *visitor) {
	h.renderInvoice(w, r, http.StatusOK, v, r.PathValue("id"))
}

// renderInvoice shows the invoice with the forms given (the one that
// failed keeps what was typed).
func (h *Handler) renderInvoice(w http.ResponseWriter, r *http.Request, status int, v *visitor, id string, forms ...*form) {
	inv, ps, err := h.app.GetInvoice(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	create := v.tenant.Can(medic.PermInvoicesCreate)
	pay := v.tenant.Can(medic.PermPaymentsTake)
	open := inv.Status == medic.InvoiceIssued || inv.Status == medic.InvoicePartlyPaid
	d := invoiceView{Inv: inv, Payments: ps, CanEdit: inv.Editable() && create, CanIssue: inv.Editable() && create && len(inv.Lines) > 0,
		CanVoid: v.tenant.Can(medic.PermInvoicesVoid) && inv.Status != medic.InvoiceVoid && inv.PaidCents == 0, CanPay: pay && open && inv.BalanceCents() > 0,
		CanRefund: pay && inv.PaidCents > 0 && inv.Status != medic.InvoiceVoid, Methods: paymentMethodOptions, Categories: tariffCategoryOptions}
	given := map[string]*form{}
	for _, f := range forms {
		given[f.Name] = f
	}
	for i, l := range inv.Lines {
		name := "line-" + strconv.Itoa(i)
		f := given[name]
		if f == nil {
			f = newForm(name, url.Values{"quantity": {strconv.Itoa(l.Quantity)}, "unit": {medic.CentsInput(l.UnitCents)},
				"discount": {medic.CentsInput(l.DiscountCents)}, "discount_reason": {l.DiscountReason}, "icd10": {strings.Join(l.ICD10, ", ")}})
		}
		d.LineForms = append(d.LineForms, f)
	}
	p := h.page(r, inv.NumberLabel()+" · "+inv.PatientName, "billing")
	defaults := map[string]url.Values{
		"line":    {"quantity": {"1"}, "category": {string(medic.TariffProcedure)}},
		"split":   {"medical_aid": {medic.CentsInput(inv.MedicalAidCents)}},
		"payment": {"amount": {medic.CentsInput(inv.BalanceCents())}, "method": {string(medic.PayCash)}},
		"refund":  {"method": {string(medic.PayCash)}},
		"void":    nil,
	}
	for name, vals := range defaults {
		if f := given[name]; f != nil {
			p.withForm(f)
		} else {
			p.withForm(newForm(name, vals))
		}
	}
	for _, f := range d.LineForms {
		p.withForm(f)
	}
	p.Data = d
	h.render(w, r, status, "invoice", p)
}

type newInvoiceView struct {
	Patient    *medic.Patient
	Categories []option
}

func (h *Handler) newInvoiceForm(w http.ResponseWriter, r *http.Request, v *visitor) {
	if !h.offers(w, r, "invoice.create") {
		return
	}
	h.renderNewInvoice(w, r, http.StatusOK, r.URL.Query().Get("patient"), newForm("line", url.Values{"quantity": {"1"},
		"invoice_date": {h.today(v).String()}, "category": {string(medic.TariffProcedure)}}))
}

func (h *Handler) renderNewInvoice(w http.ResponseWriter, r *http.Request, status int, patientID string, f *form) {
	pt, err := h.app.GetPatient(r.Context(), patientID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := h.page(r, "New invoice for "+pt.FullName(), "billing").withForm(f)
	p.Data = newInvoiceView{Patient: pt, Categories: tariffCategoryOptions}
	h.render(w, r, status, "invoice_new", p)
}

// lineFrom reads a line form: a tariff code (its price unless one is
// typed) or a free-text item with its price. Amounts are in rand.
func lineFrom(f *form, l *medic.InvoiceLine) {
	if l.Quantity == 0 {
		l.Quantity = 1
	}
	if s := strings.TrimSpace(f.Get("code")); s != "" || f.Values.Has("code") {
		l.Code = s
	}
	if f.Values.Has("description") {
		l.Description = f.Get("description")
	}
	if f.Values.Has("category") {
		l.Category = medic.TariffCategory(f.Get("category"))
	}
	if f.Values.Has("quantity") {
		n, err := strconv.Atoi(strings.TrimSpace(f.Get("quantity")))
		if err != nil {
			f.fail("quantity", "Enter a whole number.")
		}
		l.Quantity = n
	}
	if s := strings.TrimSpace(f.Get("unit")); s != "" {
		c, ok := medic.ParseCents(s)
		if !ok {
			f.fail("unit", "Enter an amount such as 450.00.")
		}
		l.UnitCents, l.UnitGiven = c, true
	}
	if f.Values.Has("discount") {
		c, ok := medic.ParseCents(f.Get("discount"))
		if s := strings.TrimSpace(f.Get("discount")); s == "" {
			c, ok = 0, true
		}
		if !ok {
			f.fail("discount", "Enter an amount such as 50.00.")
		}
		l.DiscountCents = c
		l.DiscountReason = f.Get("discount_reason")
	}
	if f.Values.Has("icd10") {
		l.ICD10 = strings.FieldsFunc(f.Get("icd10"), func(r rune) bool { return r == ',' || r == ';' || r == ' ' })
	}
	if f.Values.Has("vatable") || f.Values.Has("vat_form") {
		l.VATable = f.Checked("vatable")
	}
}

// lineErrors moves the use case's "lines.N.field" messages of line n onto
// the form's own fields (unit and discount in rand, as typed).
func lineErrors(err error, n int) error {
	fields := medic.ErrorFields(err)
	if len(fields) == 0 {
		return err
	}
	out := medic.FieldErrors{}
	prefix := "lines." + strconv.Itoa(n) + "."
	for k, msg := range fields {
		k = strings.TrimPrefix(k, prefix)
		switch k {
		case "unit_cents":
			k = "unit"
		case "discount_cents":
			k = "discount"
		}
		out.Add(k, msg)
	}
	return out.Err()
}

func (h *Handler) createInvoice(w http.ResponseWriter, r *http.Request, v *visitor) {
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	f := newForm("line", r.PostForm)
	patientID := f.Get("patient_id")
	inv := &medic.Invoice{PatientID: patientID}
	if s := strings.TrimSpace(f.Get("invoice_date")); s != "" {
		day, err := medic.ParseDate(s)
		if err != nil {
			f.fail("invoice_date", medic.ErrorMessage(err))
		}
		inv.InvoiceDate = day
	}
	if f.Get("code") != "" || f.Get("description") != "" {
		l := &medic.InvoiceLine{VATable: true}
		lineFrom(f, l)
		inv.Lines = append(inv.Lines, l)
	}
	err := f.err()
	ran := err == nil // the use case decides (and audits) from here
	if err == nil {
		if err = h.app.CreateInvoice(r.Context(), inv); err == nil {
			seeOther(w, r, "/invoices/"+url.PathEscape(inv.ID)+"?m=invoice-created")
			return
		}
		err = lineErrors(err, 0)
	}
	if ran {
		h.formFail(w, r, err, f, func(status int) { h.renderNewInvoice(w, r, status, patientID, f) })
		return
	}
	h.actionFormFail(w, r, "invoice.create", err, f, func(status int) { h.renderNewInvoice(w, r, status, patientID, f) })
}

func (h *Handler) billEncounter(w http.ResponseWriter, r *http.Request, v *visitor) {
	inv, err := h.app.BillEncounter(r.Context(), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	seeOther(w, r, "/invoices/"+url.PathEscape(inv.ID)+"?m=invoice-created")
}

// editDraft applies change to a copy of the draft's lines (prices kept as
// they are) and saves them; a mistake comes back on form f.
func (h *Handler) editDraft(w http.ResponseWriter, r *http.Request, v *visitor, f *form, line *int, change func(inv *medic.Invoice)) {
	id := r.PathValue("id")
	if !h.offers(w, r, "invoice.update") {
		return
	}
	inv, _, err := h.app.GetInvoice(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	for _, l := range inv.Lines {
		l.UnitGiven = true
	}
	change(inv)
	err = f.err()
	if err == nil {
		if err = h.app.UpdateInvoice(r.Context(), inv); err == nil {
			seeOther(w, r, "/invoices/"+url.PathEscape(id)+"?m=invoice-saved")
			return
		}
		if line != nil {
			err = lineErrors(err, *line)
		}
	}
	h.formFail(w, r, err, f, func(status int) { h.renderInvoice(w, r, status, v, id, f) })
}

func (h *Handler) addInvoiceLine(w http.ResponseWriter, r *http.Request, v *visitor) {
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	f := newForm("line", r.PostForm)
	n := 0
	h.editDraft(w, r, v, f, &n, func(inv *medic.Invoice) {
		l := &medic.InvoiceLine{VATable: true}
		lineFrom(f, l)
		n = len(inv.Lines)
		inv.Lines = append(inv.Lines, l)
	})
}

// lineIndex reads {n}; -1 when it names no line of inv.
func lineIndex(r *http.Request, inv *medic.Invoice) int {
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n < 0 || n >= len(inv.Lines) {
		return -1
	}
	return n
}

func (h *Handler) changeInvoiceLine(w http.ResponseWriter, r *http.Request, v *visitor) {
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	n, _ := strconv.Atoi(r.PathValue("n"))
	f := newForm("line-"+strconv.Itoa(n), r.PostForm)
	h.editDraft(w, r, v, f, &n, func(inv *medic.Invoice) {
		if i := lineIndex(r, inv); i >= 0 {
			lineFrom(f, inv.Lines[i])
		} else {
			f.fail("quantity", "That line is no longer on the invoice.")
		}
	})
}

func (h *Handler) removeInvoiceLine(w http.ResponseWriter, r *http.Request, v *visitor) {
	f := newForm("line", nil)
	h.editDraft(w, r, v, f, nil, func(inv *medic.Invoice) {
		if i := lineIndex(r, inv); i >= 0 {
			inv.Lines = append(inv.Lines[:i], inv.Lines[i+1:]...)
		}
	})
}

func (h *Handler) splitInvoice(w http.ResponseWriter, r *http.Request, v *visitor) {
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	f := newForm("split", r.PostForm)
	h.editDraft(w, r, v, f, nil, func(inv *medic.Invoice) {
		c, ok := medic.ParseCents(f.Get("medical_aid"))
		if strings.TrimSpace(f.Get("medical_aid")) == "" {
			c, ok = 0, true
		}
		if !ok {
			f.fail("medical_aid", "Enter an amount such as 450.00.")
		}
		inv.MedicalAidCents = c
	})
}

func (h *Handler) issueInvoice(w http.ResponseWriter, r *http.Request, v *visitor) {
	id := r.PathValue("id")
	_, err := h.app.IssueInvoice(r.Context(), id)
	if err == nil {
		seeOther(w, r, "/invoices/"+url.PathEscape(id)+"?m=invoice-issued")
		return
	}
	f := newForm("void", nil)
	h.formFail(w, r, err, f, func(status int) { h.renderInvoice(w, r, status, v, id, f) })
}

func (h *Handler) voidInvoice(w http.ResponseWriter, r *http.Request, v *visitor) {
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	id := r.PathValue("id")
	f := newForm("void", r.PostForm)
	_, err := h.app.VoidInvoice(r.Context(), id, f.Get("reason"))
	if err == nil {
		seeOther(w, r, "/invoices/"+url.PathEscape(id)+"?m=invoice-voided")
		return
	}
	h.formFail(w, r, err, f, func(status int) { h.renderInvoice(w, r, status, v, id, f) })
}

// takePayment takes a payment (form "payment") or, with kind=refund, a
// refund (form "refund"); amounts in rand.
func (h *Handler) takePayment(w http.ResponseWriter, r *http.Request, v *visitor) {
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	id := r.PathValue("id")
	refund := r.PostForm.Get("kind") == "refund"
	name := "payment"
	if refund {
		name = "refund"
	}
	f := newForm(name, r.PostForm)
	p := &medic.Payment{InvoiceID: id, Method: medic.PaymentMethod(f.Get("method")), Reference: f.Get("reference"), Reason: f.Get("reason")}
	c, ok := medic.ParseCents(f.Get("amount"))
	if !ok || c <= 0 {
		f.fail("amount", "Enter an amount above 0, such as 200.00.")
	}
	p.AmountCents = c
	if refund {
		p.AmountCents = -c
	}
	err := f.err()
	action := "payment.take"
	if refund {
		action = "payment.refund"
	}
	ran := err == nil
	if err == nil {
		if _, _, err = h.app.TakePayment(r.Context(), p); err == nil {
			m := "payment-taken"
			if refund {
				m = "payment-refunded"
			}
			seeOther(w, r, "/invoices/"+url.PathEscape(id)+"?m="+m)
			return
		}
		if fields := medic.ErrorFields(err); fields["amount_cents"] != "" {
			fe := medic.FieldErrors{}
			for k, msg := range fields {
				if k == "amount_cents" {
					k = "amount"
				}
				fe.Add(k, msg)
			}
			if medic.ErrorCode(err) == medic.ECONFLICT {
				err = &medic.Error{Code: medic.ECONFLICT, Message: medic.ErrorMessage(err), Fields: map[string]string{"amount": fields["amount_cents"]}}
			} else {
				err = fe.Err()
			}
		}
	}
	if ran {
		h.formFail(w, r, err, f, func(status int) { h.renderInvoice(w, r, status, v, id, f) })
		return
	}
	h.actionFormFail(w, r, action, err, f, func(status int) { h.renderInvoice(w, r, status, v, id, f) })
}

type cashUpView struct {
	Day      medic.Date
	Rows     []medic.CashUpRow
	Total    int64
	Currency string
	CSVURL   string
}

// cashUp shows a day's takings by location, member and method
// (?date=, today by default), with a CSV download (?format=csv).
func (h *Handler) cashUp(w http.ResponseWriter, r *http.Request, v *visitor) {
	f := newForm("cash-up", r.URL.Query())
	var day medic.Date
	if s := strings.TrimSpace(f.Get("date")); s != "" {
		var err error
		if day, err = medic.ParseDate(s); err != nil {
			f.fail("date", medic.ErrorMessage(err))
		}
	}
	status := http.StatusOK
	var rows []medic.CashUpRow
	if err := f.err(); err != nil {
		f.setError(err)
		status = http.StatusUnprocessableEntity
	} else {
		if day, rows, err = h.app.CashUp(r.Context(), day); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	b, err := h.app.GetBillingSettings(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if status == http.StatusOK && r.URL.Query().Get("format") == "csv" {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="cash-up-`+day.String()+`.csv"`)
		_ = medic.WriteCashUpCSV(w, day, b.Currency, rows)
		return
	}
	if !day.IsZero() {
		f.Values.Set("date", day.String())
	}
	p := h.page(r, "Cash-up", "billing").withForm(f)
	p.Data = cashUpView{Day: day, Rows: rows, Total: medic.CashUpTotal(rows), Currency: b.Currency,
		CSVURL: "/billing/cash-up?" + url.Values{"date": {day.String()}, "format": {"csv"}}.Encode()}
	h.render(w, r, status, "cash_up", p)
}
