package web

import (
	"bytes"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"medic"
)

// The practice's tariff: every role that reads invoices looks codes up;
// admin and billing add codes, edit them, add price versions (an invoice
// keeps the price of its date) and import a CSV file, whose rejected rows
// the page reports.

func (h *Handler) tariffRoutes(mux Router) {
	mux.HandleFunc("GET /tariffs", h.member(h.tariffs))
	mux.HandleFunc("POST /tariffs/new", h.member(h.createTariff))
	mux.HandleFunc("POST /tariffs/import", h.member(h.importTariffs))
	mux.HandleFunc("POST /tariffs/settings", h.member(h.saveBillingSettings))
	mux.HandleFunc("GET /tariffs/{id}", h.member(h.tariffPage))
	mux.HandleFunc("POST /tariffs/{id}", h.member(h.updateTariff))
	mux.HandleFunc("POST /tariffs/{id}/prices", h.member(h.addTariffPrice))
}

type tariffsView struct {
	Query      string
	Codes      []*medic.TariffCode
	NextURL    string
	Report     *medic.TariffImportReport
	CanManage  bool
	Categories []option
}

func (h *Handler) tariffs(w http.ResponseWriter, r *http.Request, v *visitor) {
	h.renderTariffs(w, r, http.StatusOK, v, nil)
}

func (h *Handler) renderTariffs(w http.ResponseWriter, r *http.Request, status int, v *visitor, rep *medic.TariffImportReport, forms ...*form) {
	q := r.URL.Query()
	d := tariffsView{Query: q.Get("q"), Report: rep, CanManage: v.tenant.Can(medic.PermTariffsManage), Categories: tariffCategoryOptions}
	codes, next, err := h.app.ListTariffCodes(r.Context(), medic.TariffFilter{Query: d.Query, WithInactive: true}, medic.Page{Limit: 100, Cursor: q.Get("cursor")})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d.Codes = codes
	if next != "" {
		d.NextURL = "/tariffs?" + url.Values{"q": {d.Query}, "cursor": {next}}.Encode()
	}
	p := h.page(r, "Tariff codes", "tariffs")
	given := map[string]bool{}
	for _, f := range forms {
		p.withForm(f)
		given[f.Name] = true
	}
	if !given["tariff"] {
		p.withForm(newForm("tariff", url.Values{"category": {string(medic.TariffProcedure)}, "vatable": {"on"}, "effective_from": {h.today(v).String()}}))
	}
	if !given["billing-settings"] {
		b, err := h.app.GetBillingSettings(r.Context())
		if err != nil {
			h.fail(w, r, err)
			return
		}
		p.withForm(newForm("billing-settings", url.Values{"currency": {b.Currency}, "vat_rate": {strconv.FormatFloat(float64(b.VATRateBP)/100, 'f', -1, 64)}}))
	}
	if !given["tariff-import"] {
		p.withForm(newForm("tariff-import", url.Values{"effective_from": {h.today(v).String()}}))
	}
	p.Data = d
	h.render(w, r, status, "tariffs", p)
}

func (h *Handler) createTariff(w http.ResponseWriter, r *http.Request, v *visitor) {
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	f := newForm("tariff", r.PostForm)
	t := &medic.TariffCode{Code: f.Get("code"), Description: f.Get("description"), Category: medic.TariffCategory(f.Get("category")),
		VATable: f.Checked("vatable"), Active: true, Prices: []medic.TariffPrice{{}}}
	readPrice(f, &t.Prices[0])
	err := f.err()
	ran := err == nil // the use case decides (and audits) from here
	if err == nil {
		if err = h.app.CreateTariffCode(r.Context(), t); err == nil {
			seeOther(w, r, "/tariffs/"+url.PathEscape(t.ID)+"?m=tariff-saved")
			return
		}
		err = renameField(err, "unit_cents", "unit")
	}
	if ran {
		h.formFail(w, r, err, f, func(status int) { h.renderTariffs(w, r, status, v, nil, f) })
		return
	}
	h.actionFormFail(w, r, "tariff.manage", err, f, func(status int) { h.renderTariffs(w, r, status, v, nil, f) })
}

// readPrice reads a price form's date and amount (in rand).
func readPrice(f *form, p *medic.TariffPrice) {
	if s := strings.TrimSpace(f.Get("effective_from")); s != "" {
		day, err := medic.ParseDate(s)
		if err != nil {
			f.fail("effective_from", medic.ErrorMessage(err))
		}
		p.EffectiveFrom = day
	}
	c, ok := medic.ParseCents(f.Get("unit"))
	if !ok || c < 0 {
		f.fail("unit", "Enter a price such as 450.00.")
	}
	p.UnitCents = c
}

// renameField moves a use case's message from one field to the form's.
func renameField(err error, from, to string) error {
	fields := medic.ErrorFields(err)
	msg, ok := fields[from]
	if !ok {
		return err
	}
	out := &medic.Error{Code: medic.ErrorCode(err), Message: medic.ErrorMessage(err), Fields: map[string]string{}}
	for k, v := range fields {
		out.Fields[k] = v
	}
	delete(out.Fields, from)
	out.Fields[to] = msg
	return out
}

func (h *Handler) importTariffs(w http.ResponseWriter, r *http.Request, v *visitor) {
	if !h.offers(w, r, "tariff.manage") {
		return
	}
	f := newForm("tariff-import", nil)
	rerender := func(status int) { h.renderTariffs(w, r, status, v, nil, f) }
	data, err := readMedicineCSV(r)
	if err != nil {
		h.formFail(w, r, err, f, rerender)
		return
	}
	f.Values = r.PostForm
	var from medic.Date
	if s := strings.TrimSpace(r.FormValue("effective_from")); s != "" {
		if from, err = medic.ParseDate(s); err != nil {
			f.fail("effective_from", medic.ErrorMessage(err))
			h.formFail(w, r, f.err(), f, rerender)
			return
		}
	}
	rep, err := h.app.ImportTariffCSV(r.Context(), bytes.NewReader(data), from)
	if err != nil {
		h.formFail(w, r, err, f, rerender)
		return
	}
	h.renderTariffs(w, r, http.StatusOK, v, rep, f)
}

type tariffView struct {
	T          *medic.TariffCode
	CanManage  bool
	Categories []option
}

func (h *Handler) tariffPage(w http.ResponseWriter, r *http.Request, v *visitor) {
	h.renderTariff(w, r, http.StatusOK, v)
}

func (h *Handler) renderTariff(w http.ResponseWriter, r *http.Request, status int, v *visitor, forms ...*form) {
	t, err := h.app.GetTariffCode(r.Context(), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := h.page(r, t.Code+" · "+t.Description, "tariffs")
	given := map[string]bool{}
	for _, f := range forms {
		p.withForm(f)
		given[f.Name] = true
	}
	if !given["tariff"] {
		vals := url.Values{"description": {t.Description}, "category": {string(t.Category)}}
		if t.VATable {
			vals.Set("vatable", "on")
		}
		if t.Active {
			vals.Set("active", "on")
		}
		p.withForm(newForm("tariff", vals))
	}
	if !given["price"] {
		p.withForm(newForm("price", url.Values{"effective_from": {h.today(v).String()}}))
	}
	p.Data = tariffView{T: t, CanManage: v.tenant.Can(medic.PermTariffsManage), Categories: tariffCategoryOptions}
	h.render(w, r, status, "tariff", p)
}

func (h *Handler) updateTariff(w http.ResponseWriter, r *http.Request, v *visitor) {
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	if !h.offers(w, r, "tariff.manage") {
		return
	}
	f := newForm("tariff", r.PostForm)
	cur, err := h.app.GetTariffCode(r.Context(), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	cur.Description, cur.Category = f.Get("description"), medic.TariffCategory(f.Get("category"))
	cur.VATable, cur.Active = f.Checked("vatable"), f.Checked("active")
	if err = h.app.UpdateTariffCode(r.Context(), cur); err == nil {
		seeOther(w, r, "/tariffs/"+url.PathEscape(cur.ID)+"?m=tariff-saved")
		return
	}
	h.formFail(w, r, err, f, func(status int) { h.renderTariff(w, r, status, v, f) })
}

func (h *Handler) addTariffPrice(w http.ResponseWriter, r *http.Request, v *visitor) {
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	f := newForm("price", r.PostForm)
	var price medic.TariffPrice
	readPrice(f, &price)
	err := f.err()
	ran := err == nil
	if err == nil {
		if _, err = h.app.SetTariffPrice(r.Context(), r.PathValue("id"), price); err == nil {
			seeOther(w, r, "/tariffs/"+url.PathEscape(r.PathValue("id"))+"?m=tariff-saved")
			return
		}
		err = renameField(err, "unit_cents", "unit")
	}
	if ran {
		h.formFail(w, r, err, f, func(status int) { h.renderTariff(w, r, status, v, f) })
		return
	}
	h.actionFormFail(w, r, "tariff.manage", err, f, func(status int) { h.renderTariff(w, r, status, v, f) })
}

// saveBillingSettings sets the practice's currency and VAT rate (a
// percentage with up to two decimals).
func (h *Handler) saveBillingSettings(w http.ResponseWriter, r *http.Request, v *visitor) {
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	f := newForm("billing-settings", r.PostForm)
	b := medic.BillingSettings{Currency: f.Get("currency")}
	rate, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(f.Get("vat_rate")), "%")), 64)
	if err != nil || rate < 0 || rate > 100 {
		f.fail("vat_rate", "Enter the VAT rate as a percentage, such as 15.")
	}
	b.VATRateBP = int(math.Round(rate * 100))
	err = f.err()
	ran := err == nil
	if err == nil {
		if err = h.app.SaveBillingSettings(r.Context(), b); err == nil {
			seeOther(w, r, "/tariffs?m=billing-settings-saved")
			return
		}
		err = renameField(err, "vat_rate_bp", "vat_rate")
	}
	rerender := func(status int) { h.renderTariffs(w, r, status, v, nil, f) }
	if ran {
		h.formFail(w, r, err, f, rerender)
		return
	}
	h.actionFormFail(w, r, "billing_settings.update", err, f, rerender)
}
