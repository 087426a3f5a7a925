package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"medic"
)

// appointmentTypeRoutes registers appointment types.
func (h *Handler) appointmentTypeRoutes(mux Router) {
	mux.HandleFunc("GET /appointment-types", h.member(h.appointmentTypes))
	mux.HandleFunc("GET /appointment-types/new", h.member(h.newAppointmentTypeForm))
	mux.HandleFunc("POST /appointment-types/new", h.member(h.createAppointmentType))
	mux.HandleFunc("GET /appointment-types/{id}", h.member(h.appointmentTypeForm))
	mux.HandleFunc("POST /appointment-types/{id}", h.member(h.updateAppointmentType))
}

// appointmentTypesView is the data of the appointment types list.
type appointmentTypesView struct {
	Types []*medic.AppointmentType
}

// appointmentTypeView is the data of the new and edit forms.
type appointmentTypeView struct {
	ID     string // empty for a new type
	Action string
	// Tariffs are the practice's consultation codes, for the code billed
	// for a visit of the type.
	Tariffs []option
}

func (h *Handler) appointmentTypes(w http.ResponseWriter, r *http.Request, v *visitor) {
	ts, err := h.app.ListAppointmentTypes(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := h.page(r, "Appointment types", "appointment-types")
	p.Data = appointmentTypesView{Types: ts}
	h.render(w, r, http.StatusOK, "appointment_types", p)
}

func appointmentTypeValues(t *medic.AppointmentType) url.Values {
	v := url.Values{}
	v.Set("name", t.Name)
	v.Set("duration_minutes", strconv.Itoa(t.DurationMinutes))
	v.Set("color", t.Color)
	if t.OnlineBookable {
		v.Set("online_bookable", "on")
	}
	if t.Active {
		v.Set("active", "on")
	}
	v.Set("tariff_code_id", t.TariffCodeID)
	return v
}

// applyAppointmentType copies the form onto t; what does not parse is
// recorded on f.
func applyAppointmentType(f *form, t *medic.AppointmentType) {
	t.Name = strings.TrimSpace(f.Get("name"))
	t.DurationMinutes = 0
	if n, err := strconv.Atoi(strings.TrimSpace(f.Get("duration_minutes"))); err == nil {
		t.DurationMinutes = n
	} else {
		f.fail("duration_minutes", "Enter the length in whole minutes, such as 15.")
	}
	t.Color = strings.ToLower(strings.TrimSpace(f.Get("color")))
	t.OnlineBookable = f.Checked("online_bookable")
	t.Active = f.Checked("active")
	t.TariffCodeID = f.Get("tariff_code_id")
}

func (h *Handler) renderAppointmentType(w http.ResponseWriter, r *http.Request, status int, t *medic.AppointmentType, f *form) {
	title := "New appointment type"
	d := appointmentTypeView{Action: "/appointment-types/new"}
	if t.ID != "" {
		title, d.ID, d.Action = t.Name, t.ID, "/appointment-types/"+url.PathEscape(t.ID)
	}
	codes, _, err := h.app.ListTariffCodes(r.Context(), medic.TariffFilter{Category: medic.TariffConsultation}, medic.Page{Limit: medic.MaxLimit})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	for _, c := range codes {
		d.Tariffs = append(d.Tariffs, option{Value: c.ID, Label: c.Code + " " + c.Description})
	}
	p := h.page(r, title, "appointment-types").withForm(f)
	p.Data = d
	h.render(w, r, status, "appointment_type", p)
}

func (h *Handler) newAppointmentTypeForm(w http.ResponseWriter, r *http.Request, v *visitor) {
	if !h.offers(w, r, "appointment_type.create") {
		return
	}
	t := &medic.AppointmentType{DurationMinutes: 15, Color: "#1a6fb0", Active: true}
	h.renderAppointmentType(w, r, http.StatusOK, t, newForm("type", appointmentTypeValues(t)))
}

func (h *Handler) appointmentTypeForm(w http.ResponseWriter, r *http.Request, v *visitor) {
	t, err := h.app.GetAppointmentType(r.Context(), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if !h.offers(w, r, "appointment_type.update") {
		return
	}
	h.renderAppointmentType(w, r, http.StatusOK, t, newForm("type", appointmentTypeValues(t)))
}

// saveAppointmentType validates the sent form and hands the type to save.
func (h *Handler) saveAppointmentType(w http.ResponseWriter, r *http.Request, v *visitor, action string, t *medic.AppointmentType, save func(*medic.AppointmentType) error, done string) {
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	f := newForm("type", url.Values{})
	for _, k := range []string{"name", "duration_minutes", "color", "online_bookable", "active", "tariff_code_id"} {
		if s := r.PostForm.Get(k); s != "" {
			f.Values.Set(k, s)
		}
	}
	rerender := func(status int) { h.renderAppointmentType(w, r, status, t, f) }
	sent := *t
	applyAppointmentType(f, &sent)
	if f.err() != nil {
		if err := sent.Validate(); err != nil {
			f.failFields(err)
		}
		h.actionFormFail(w, r, action, f.err(), f, rerender)
		return
	}
	if err := save(&sent); err != nil {
		h.formFail(w, r, err, f, rerender)
		return
	}
	seeOther(w, r, done)
}

func (h *Handler) createAppointmentType(w http.ResponseWriter, r *http.Request, v *visitor) {
	h.saveAppointmentType(w, r, v, "appointment_type.create", &medic.AppointmentType{}, func(t *medic.AppointmentType) error {
		return h.app.CreateAppointmentType(r.Context(), t)
	}, "/appointment-types?m=type-added")
}

func (h *Handler) updateAppointmentType(w http.ResponseWriter, r *http.Request, v *visitor) {
	t, err := h.app.GetAppointmentType(r.Context(), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.saveAppointmentType(w, r, v, "appointment_type.update", t, func(sent *medic.AppointmentType) error {
		_, err := h.app.UpdateAppointmentType(r.Context(), t.ID, func(cur *medic.AppointmentType) {
			cur.Name, cur.DurationMinutes, cur.Color, cur.OnlineBookable, cur.Active = sent.Name, sent.DurationMinutes, sent.Color, sent.OnlineBookable, sent.Active
			cur.TariffCodeID = sent.TariffCodeID
		})
		return err
	}, "/appointment-types?m=type-saved")
}
