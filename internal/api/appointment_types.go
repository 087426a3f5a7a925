package api

import (
	"net/http"
	"time"

	"medic"
)

// appointmentTypeRoutes registers appointment types.
func (h *Handler) appointmentTypeRoutes(mux Router) {
	mux.HandleFunc("GET /api/v1/practices/{practice}/appointment-types", h.tenant(h.listAppointmentTypes))
	mux.HandleFunc("POST /api/v1/practices/{practice}/appointment-types", h.tenant(h.createAppointmentType))
	mux.HandleFunc("GET /api/v1/practices/{practice}/appointment-types/{id}", h.tenant(h.getAppointmentType))
	mux.HandleFunc("PATCH /api/v1/practices/{practice}/appointment-types/{id}", h.tenant(h.updateAppointmentType))
}

type appointmentTypeDTO struct {
	ID              string    `json:"id"`
	Name            string    `json:"name"`
	DurationMinutes int       `json:"duration_minutes"`
	Color           string    `json:"color"`
	OnlineBookable  bool      `json:"online_bookable"`
	Active          bool      `json:"active"`
	TariffCodeID    *string   `json:"tariff_code_id"`
	CreatedAt       time.Time `json:"created_at"`
}

func toAppointmentType(t *medic.AppointmentType) appointmentTypeDTO {
	return appointmentTypeDTO{ID: t.ID, Name: t.Name, DurationMinutes: t.DurationMinutes, Color: t.Color,
		OnlineBookable: t.OnlineBookable, Active: t.Active, TariffCodeID: optString(t.TariffCodeID), CreatedAt: t.CreatedAt}
}

// appointmentTypeInput is a create or partial update; nil fields stay as they are.
type appointmentTypeInput struct {
	Name            *string `json:"name"`
	DurationMinutes *int    `json:"duration_minutes"`
	Color           *string `json:"color"`
	OnlineBookable  *bool   `json:"online_bookable"`
	Active          *bool   `json:"active"`
	// TariffCodeID is the consultation billed for the type ("" clears it).
	TariffCodeID *string `json:"tariff_code_id"`
}

func (in appointmentTypeInput) apply(t *medic.AppointmentType) {
	if in.Name != nil {
		t.Name = *in.Name
	}
	if in.DurationMinutes != nil {
		t.DurationMinutes = *in.DurationMinutes
	}
	if in.Color != nil {
		t.Color = *in.Color
	}
	if in.OnlineBookable != nil {
		t.OnlineBookable = *in.OnlineBookable
	}
	if in.Active != nil {
		t.Active = *in.Active
	}
	if in.TariffCodeID != nil {
		t.TariffCodeID = *in.TariffCodeID
	}
}

func (h *Handler) listAppointmentTypes(w http.ResponseWriter, r *http.Request) {
	ts, err := h.app.ListAppointmentTypes(r.Context())
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, newList(mapAll(ts, toAppointmentType), ""))
}

func (h *Handler) getAppointmentType(w http.ResponseWriter, r *http.Request) {
	t, err := h.app.GetAppointmentType(r.Context(), r.PathValue("id"))
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toAppointmentType(t))
}

// createAppointmentType adds a type; a new type is active unless the body
// says "active": false (then it is deactivated straight after).
func (h *Handler) createAppointmentType(w http.ResponseWriter, r *http.Request) {
	var in appointmentTypeInput
	if err := decode(r, &in); err != nil {
		h.error(w, r, err)
		return
	}
	t := &medic.AppointmentType{}
	in.apply(t)
	if err := h.app.CreateAppointmentType(r.Context(), t); err != nil {
		h.error(w, r, err)
		return
	}
	if in.Active != nil && !*in.Active {
		var err error
		if t, err = h.app.UpdateAppointmentType(r.Context(), t.ID, func(t *medic.AppointmentType) { t.Active = false }); err != nil {
			h.error(w, r, err)
			return
		}
	}
	writeJSON(w, http.StatusCreated, toAppointmentType(t))
}

func (h *Handler) updateAppointmentType(w http.ResponseWriter, r *http.Request) {
	var in appointmentTypeInput
	if err := decode(r, &in); err != nil {
		h.error(w, r, err)
		return
	}
	t, err := h.app.UpdateAppointmentType(r.Context(), r.PathValue("id"), in.apply)
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toAppointmentType(t))
}
