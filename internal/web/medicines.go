package web

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"medic"
)

// The practice's medicines list: clinicians search it; admins add and edit
// entries and import a CSV list, whose rejected rows the page reports.

func (h *Handler) medicineRoutes(mux Router) {
	mux.HandleFunc("GET /medicines", h.member(h.medicines))
	mux.HandleFunc("POST /medicines/import", h.member(h.importMedicines))
	mux.HandleFunc("GET /medicines/suggest", h.member(h.suggestMedicines))
	mux.HandleFunc("GET /medicines/new", h.member(h.newMedicineForm))
	mux.HandleFunc("POST /medicines/new", h.member(h.createMedicine))
	mux.HandleFunc("GET /medicines/{id}", h.member(h.medicineForm))
	mux.HandleFunc("POST /medicines/{id}", h.member(h.updateMedicine))
}

type medicinesView struct {
	Query        string
	WithInactive bool
	Medicines    []*medic.Medicine
	NextURL      string
	Report       *medic.MedicineImportReport
}

type medicineView struct {
	ID        string
	Action    string
	Medicine  *medic.Medicine
	CanEdit   bool
	Schedules []option
}

var scheduleOptions = func() []option {
	out := make([]option, len(medic.DrugSchedules))
	for i, s := range medic.DrugSchedules {
		out[i] = option{Value: string(s), Label: string(s)}
	}
	return out
}()

func (h *Handler) medicines(w http.ResponseWriter, r *http.Request, v *visitor) {
	q := r.URL.Query()
	d := medicinesView{Query: q.Get("q"), WithInactive: q.Get("inactive") == "1"}
	h.renderMedicines(w, r, http.StatusOK, d, newForm("medicine-import", nil))
}

func (h *Handler) renderMedicines(w http.ResponseWriter, r *http.Request, status int, d medicinesView, f *form) {
	ms, next, err := h.app.ListMedicines(r.Context(), medic.MedicineFilter{Query: d.Query, WithInactive: d.WithInactive},
		medic.Page{Limit: 100, Cursor: r.URL.Query().Get("cursor")})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d.Medicines = ms
	if next != "" {
		u := url.Values{"cursor": {next}}
		if d.Query != "" {
			u.Set("q", d.Query)
		}
		if d.WithInactive {
			u.Set("inactive", "1")
		}
		d.NextURL = "/medicines?" + u.Encode()
	}
	p := h.page(r, "Medicines", "medicines").withForm(f)
	p.Data = d
	h.render(w, r, status, "medicines", p)
}

// importMedicines takes an uploaded CSV and shows the list with the report.
func (h *Handler) importMedicines(w http.ResponseWriter, r *http.Request, v *visitor) {
	if !h.offers(w, r, "medicine.manage") {
		return
	}
	f := newForm("medicine-import", nil)
	rerender := func(status int) { h.renderMedicines(w, r, status, medicinesView{}, f) }
	data, err := readMedicineCSV(r)
	if err != nil {
		h.formFail(w, r, err, f, rerender)
		return
	}
	rep, err := h.app.ImportMedicines(r.Context(), data)
	if err != nil {
		h.formFail(w, r, err, f, rerender)
		return
	}
	h.renderMedicines(w, r, http.StatusOK, medicinesView{Report: rep}, f)
}

func readMedicineCSV(r *http.Request) ([]byte, error) {
	choose := &medic.Error{Code: medic.EINVALID, Message: "Choose the CSV file to import.", Fields: map[string]string{"file": "Choose a CSV file."}}
	tooBig := &medic.Error{Code: medic.EINVALID, Message: "The file is too large.", Fields: map[string]string{"file": "Upload at most 16 MB."}}
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, tooBig
		}
		return nil, choose
	}
	file, _, err := r.FormFile("file")
	if err != nil {
		return nil, choose
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, medic.MaxMedicineImportBytes+1))
	if err != nil {
		return nil, &medic.Error{Code: medic.EINVALID, Message: "The upload did not arrive completely.", Fields: map[string]string{"file": "Try the upload again."}}
	}
	if len(data) > medic.MaxMedicineImportBytes {
		return nil, tooBig
	}
	return data, nil
}

func medicineValues(m *medic.Medicine) url.Values {
	v := url.Values{}
	v.Set("name", m.Name)
	v.Set("ingredients", strings.Join(m.Ingredients, "; "))
	v.Set("atc", m.ATC)
	v.Set("strength", m.Strength)
	v.Set("form", m.Form)
	v.Set("route", m.Route)
	v.Set("schedule", string(m.Schedule))
	v.Set("dose_unit", m.DoseUnit)
	if m.UnitMg > 0 {
		v.Set("unit_mg", strconv.FormatFloat(m.UnitMg, 'f', -1, 64))
	}
	if m.PaedMaxMgKgDay > 0 {
		v.Set("paed_max_mg_kg_day", strconv.FormatFloat(m.PaedMaxMgKgDay, 'f', -1, 64))
	}
	if m.Active {
		v.Set("active", "on")
	}
	return v
}

// applyMedicine copies the form onto m; numbers that do not parse are
// recorded on f.
func applyMedicine(f *form, m *medic.Medicine) {
	get := func(k string) string { return strings.TrimSpace(f.Get(k)) }
	m.Name, m.ATC, m.Strength, m.Form, m.Route, m.DoseUnit = get("name"), get("atc"), get("strength"), get("form"), get("route"), get("dose_unit")
	m.Schedule = medic.DrugSchedule(get("schedule"))
	m.Ingredients = strings.FieldsFunc(get("ingredients"), func(r rune) bool { return r == ';' || r == '+' || r == '\n' })
	for _, n := range []struct {
		key string
		dst *float64
		msg string
	}{
		{"unit_mg", &m.UnitMg, "Enter the mg in one dose unit, such as 50 (for 250 mg/5 ml), or leave it empty."},
		{"paed_max_mg_kg_day", &m.PaedMaxMgKgDay, "Enter mg per kg per day, such as 90, or leave it empty."},
	} {
		*n.dst = 0
		if s := get(n.key); s != "" {
			x, err := strconv.ParseFloat(strings.ReplaceAll(s, ",", "."), 64)
			if err != nil {
				f.fail(n.key, n.msg)
				continue
			}
			*n.dst = x
		}
	}
	m.Active = f.Checked("active")
}

func (h *Handler) renderMedicine(w http.ResponseWriter, r *http.Request, status int, v *visitor, m *medic.Medicine, f *form) {
	title := "New medicine"
	d := medicineView{Action: "/medicines/new", Medicine: m, CanEdit: v.tenant.Can(medic.PermSettingsManage), Schedules: scheduleOptions}
	if m.ID != "" {
		title, d.ID, d.Action = m.Label(), m.ID, "/medicines/"+url.PathEscape(m.ID)
	}
	p := h.page(r, title, "medicines").withForm(f)
	p.Data = d
	h.render(w, r, status, "medicine", p)
}

func (h *Handler) newMedicineForm(w http.ResponseWriter, r *http.Request, v *visitor) {
	if !h.offers(w, r, "medicine.manage") {
		return
	}
	m := &medic.Medicine{Active: true, Schedule: "S4", Route: "oral"}
	h.renderMedicine(w, r, http.StatusOK, v, m, newForm("medicine", medicineValues(m)))
}

func (h *Handler) medicineForm(w http.ResponseWriter, r *http.Request, v *visitor) {
	m, err := h.app.GetMedicine(r.Context(), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.renderMedicine(w, r, http.StatusOK, v, m, newForm("medicine", medicineValues(m)))
}

// saveMedicine validates the sent form and hands m to save; on any error
// the form comes back with the sent values and nothing is saved.
func (h *Handler) saveMedicine(w http.ResponseWriter, r *http.Request, v *visitor, action string, m *medic.Medicine, save func(*medic.Medicine) error, done string) {
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	v2 := url.Values{}
	for _, k := range []string{"name", "ingredients", "atc", "strength", "form", "route", "schedule", "dose_unit", "unit_mg", "paed_max_mg_kg_day", "active"} {
		if s := r.PostForm.Get(k); s != "" {
			v2.Set(k, s)
		}
	}
	f := newForm("medicine", v2)
	rerender := func(status int) { h.renderMedicine(w, r, status, v, m, f) }
	applyMedicine(f, m)
	if f.err() != nil {
		if err := m.Validate(); err != nil {
			f.failFields(err)
		}
		h.actionFormFail(w, r, action, f.err(), f, rerender)
		return
	}
	if err := save(m); err != nil {
		h.formFail(w, r, err, f, rerender)
		return
	}
	seeOther(w, r, done)
}

func (h *Handler) createMedicine(w http.ResponseWriter, r *http.Request, v *visitor) {
	m := &medic.Medicine{}
	h.saveMedicine(w, r, v, "medicine.manage", m, func(m *medic.Medicine) error { return h.app.CreateMedicine(r.Context(), m) }, "/medicines?m=medicine-created")
}

func (h *Handler) updateMedicine(w http.ResponseWriter, r *http.Request, v *visitor) {
	if !h.offers(w, r, "medicine.manage") {
		return
	}
	m, err := h.app.GetMedicine(r.Context(), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.saveMedicine(w, r, v, "medicine.manage", m, func(m *medic.Medicine) error { return h.app.UpdateMedicine(r.Context(), m) }, "/medicines?m=medicine-saved")
}

// medicineSuggestions is how many matches the prescribing typeahead offers.
const medicineSuggestions = 15

// suggestMedicines answers the prescription form's typeahead (htmx): the
// practice's active medicines matching what is typed, as the options of
// its datalist. The typed text comes as ?q= or under the input's own name
// (medicine_0 ...), as htmx sends it.
func (h *Handler) suggestMedicines(w http.ResponseWriter, r *http.Request, v *visitor) {
	q := r.URL.Query().Get("q")
	for name, vs := range r.URL.Query() {
		if q == "" && strings.HasPrefix(name, "medicine_") && len(vs) > 0 {
			q = vs[0]
		}
	}
	var labels []string
	if q = strings.TrimSpace(q); q != "" {
		ms, _, err := h.app.ListMedicines(r.Context(), medic.MedicineFilter{Query: q}, medic.Page{Limit: medicineSuggestions})
		if err != nil {
			h.fail(w, r, err)
			return
		}
		for _, m := range ms {
			labels = append(labels, m.Label())
		}
	}
	h.renderPartial(w, r, "medicineOptions", labels)
}
