package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"medic"
)

// Prescriptions on the desk: a doctor prescribes from an open encounter
// (up to prescriptionRows medicines, picked by name from the practice's
// list), sees every safety alert at once and gives a reason per flagged
// medicine to go ahead; "Repeat last prescription" fills the rows from the
// chart's last issued one. An issued prescription is read-only; a doctor
// may cancel it with a reason.

func (h *Handler) prescriptionRoutes(mux Router) {
	mux.HandleFunc("GET /encounters/{id}/prescriptions/new", h.member(h.prescriptionForm))
	mux.HandleFunc("POST /encounters/{id}/prescriptions/new", h.member(h.issuePrescription))
	mux.HandleFunc("GET /prescriptions/{id}", h.member(h.prescription))
	mux.HandleFunc("POST /prescriptions/{id}/cancel", h.member(h.cancelPrescription))
}

const prescriptionRows = 4

type prescriptionRow struct {
	N      int
	Alerts []medic.SafetyAlert
}

type prescriptionFormView struct {
	E         *medic.Encounter
	Rows      []prescriptionRow
	Medicines []string // the picker's first options: the labels chosen
	Repeated  bool     // the rows come from the last prescription
	NoLast    bool     // asked to repeat, but the chart has none
}

type prescriptionView struct {
	P         *medic.Prescription
	CanCancel bool
}

func (h *Handler) renderPrescriptionForm(w http.ResponseWriter, r *http.Request, status int, e *medic.Encounter, f *form, alerts []medic.ItemAlert, d prescriptionFormView) {
	// The picker's datalist starts with the medicines already chosen; the
	// typeahead (suggestMedicines) fills it as one types.
	d.E = e
	for i := 0; i < prescriptionRows; i++ {
		if l := f.Get("medicine_" + strconv.Itoa(i)); l != "" {
			d.Medicines = append(d.Medicines, l)
		}
	}
	for i := 0; i < prescriptionRows; i++ {
		row := prescriptionRow{N: i}
		for _, a := range alerts {
			if a.Item == i {
				row.Alerts = append(row.Alerts, a.SafetyAlert)
			}
		}
		d.Rows = append(d.Rows, row)
	}
	p := h.page(r, "Prescribe for "+e.PatientName, "patients").withForm(f)
	p.Data = d
	if err := h.withPatientBanner(r, p, e.PatientID); err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, status, "prescription_new", p)
}

func (h *Handler) prescriptionForm(w http.ResponseWriter, r *http.Request, v *visitor) {
	if !h.offers(w, r, "prescription.issue") {
		return
	}
	e, err := h.app.GetEncounter(r.Context(), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	vals := url.Values{}
	d := prescriptionFormView{}
	if r.URL.Query().Get("repeat") == "1" {
		ps, _, err := h.app.ListPrescriptions(r.Context(), medic.PrescriptionFilter{PatientID: e.PatientID}, medic.Page{Limit: 20})
		if err != nil {
			h.fail(w, r, err)
			return
		}
		d.NoLast = true
		for _, p := range ps {
			if p.Status != medic.PrescriptionIssued {
				continue
			}
			for i, it := range p.Items {
				if i == prescriptionRows {
					break
				}
				n := strconv.Itoa(i)
				vals.Set("medicine_"+n, it.MedicineLabel)
				vals.Set("dose_"+n, it.Dose)
				vals.Set("frequency_"+n, it.Frequency)
				vals.Set("days_"+n, strconv.Itoa(it.DurationDays))
				vals.Set("quantity_"+n, it.Quantity)
				vals.Set("repeats_"+n, strconv.Itoa(it.Repeats))
				vals.Set("instructions_"+n, it.Instructions)
			}
			d.Repeated, d.NoLast = true, false
			break
		}
	}
	h.renderPrescriptionForm(w, r, http.StatusOK, e, newForm("prescription", vals), nil, d)
}

// issuePrescription reads the filled rows (empty ones are skipped), finds
// each picked medicine by its label and issues the prescription; alerts
// and mistakes come back on the form with everything typed.
func (h *Handler) issuePrescription(w http.ResponseWriter, r *http.Request, v *visitor) {
	if !h.offers(w, r, "prescription.issue") {
		return
	}
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	f := newForm("prescription", r.PostForm)
	p := &medic.Prescription{EncounterID: r.PathValue("id")}
	var rowOf []int // the form row of each item
	for i := 0; i < prescriptionRows; i++ {
		n := strconv.Itoa(i)
		get := func(k string) string { return strings.TrimSpace(f.Get(k + "_" + n)) }
		if get("medicine") == "" && get("dose") == "" && get("frequency") == "" {
			continue
		}
		it := &medic.PrescriptionItem{Dose: get("dose"), Frequency: get("frequency"), Quantity: get("quantity"),
			Instructions: get("instructions"), OverrideReason: get("override")}
		if label := get("medicine"); label == "" {
			f.fail("medicine_"+n, "Choose the medicine.")
		} else if m, err := h.medicineByLabel(r, label); err != nil {
			h.fail(w, r, err)
			return
		} else if m == nil {
			f.fail("medicine_"+n, "Choose a medicine from the list.")
		} else {
			it.MedicineID = m.ID
		}
		if s := get("days"); s != "" {
			if it.DurationDays, _ = strconv.Atoi(s); it.DurationDays == 0 {
				it.DurationDays = -1 // refused by Validate, with its message
			}
		}
		if s := get("repeats"); s != "" {
			var err error
			if it.Repeats, err = strconv.Atoi(s); err != nil {
				it.Repeats = -1
			}
		}
		p.Items = append(p.Items, it)
		rowOf = append(rowOf, i)
	}
	e, err := h.app.GetEncounter(r.Context(), p.EncounterID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var alerts []medic.ItemAlert
	rerender := func(status int) { h.renderPrescriptionForm(w, r, status, e, f, alerts, prescriptionFormView{}) }
	if f.err() == nil {
		err = h.app.IssuePrescription(r.Context(), p)
		if err == nil {
			seeOther(w, r, "/prescriptions/"+url.PathEscape(p.ID)+"?m=prescription-issued")
			return
		}
	} else {
		// The rows' other mistakes too, so all show at once.
		if verr := p.Validate(); verr != nil {
			for k, msg := range rowFields(medic.ErrorFields(verr), rowOf) {
				if f.Err(k) == "" {
					f.fail(k, msg)
				}
			}
		}
		err = f.err()
	}
	// Field names of items ("items.1.dose") become the form's ("dose_3").
	var ae *medic.AlertsError
	if errors.As(err, &ae) {
		for _, a := range ae.Alerts {
			a.Item = rowOf[a.Item]
			alerts = append(alerts, a)
		}
	}
	if fields := medic.ErrorFields(err); len(fields) > 0 {
		err = &medic.Error{Code: medic.ErrorCode(err), Message: medic.ErrorMessage(err), Fields: rowFields(fields, rowOf)}
	}
	h.formFail(w, r, err, f, rerender)
}

// rowFields renames the items' field errors ("items.1.dose") as the
// form's ("dose_3", the item's row).
func rowFields(fields map[string]string, rowOf []int) map[string]string {
	out := map[string]string{}
	for k, msg := range fields {
		var i int
		var field string
		if _, err := fmt.Sscanf(strings.Replace(k, ".", " ", 2), "items %d %s", &i, &field); err == nil && i < len(rowOf) {
			name := map[string]string{"medicine_id": "medicine", "duration_days": "days", "override_reason": "override"}[field]
			if name == "" {
				name = field
			}
			out[name+"_"+strconv.Itoa(rowOf[i])] = msg
		} else {
			out[k] = msg
		}
	}
	return out
}

// medicineByLabel finds the practice's active medicine with exactly this
// label (nil when none).
func (h *Handler) medicineByLabel(r *http.Request, label string) (*medic.Medicine, error) {
	ms, _, err := h.app.ListMedicines(r.Context(), medic.MedicineFilter{Query: label}, medic.Page{Limit: 50})
	if err != nil {
		return nil, err
	}
	for _, m := range ms {
		if strings.EqualFold(m.Label(), label) {
			return m, nil
		}
	}
	return nil, nil
}

func (h *Handler) prescription(w http.ResponseWriter, r *http.Request, v *visitor) {
	pr, err := h.app.GetPrescription(r.Context(), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.renderPrescription(w, r, http.StatusOK, v, pr, newForm("cancel", nil))
}

func (h *Handler) renderPrescription(w http.ResponseWriter, r *http.Request, status int, v *visitor, pr *medic.Prescription, f *form) {
	p := h.page(r, "Prescription for "+pr.PatientName, "patients").withForm(f)
	p.Data = prescriptionView{P: pr, CanCancel: pr.Status == medic.PrescriptionIssued && v.tenant.Can(medic.PermPrescriptionsIssue)}
	if err := h.withPatientBanner(r, p, pr.PatientID); err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, status, "prescription", p)
}

func (h *Handler) cancelPrescription(w http.ResponseWriter, r *http.Request, v *visitor) {
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	f := newForm("cancel", r.PostForm)
	_, err := h.app.CancelPrescription(r.Context(), r.PathValue("id"), f.Get("reason"))
	if err == nil {
		seeOther(w, r, "/prescriptions/"+url.PathEscape(r.PathValue("id"))+"?m=prescription-cancelled")
		return
	}
	h.formFail(w, r, err, f, func(status int) {
		pr, gerr := h.app.GetPrescription(r.Context(), r.PathValue("id"))
		if gerr != nil {
			h.fail(w, r, gerr)
			return
		}
		h.renderPrescription(w, r, status, v, pr, f)
	})
}
