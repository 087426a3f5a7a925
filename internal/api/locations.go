package api

import (
	"net/http"
	"time"

	"medic"
)

// locationRoutes registers a practice's locations.
func (h *Handler) locationRoutes(mux Router) {
	mux.HandleFunc("GET /api/v1/practices/{practice}/locations", h.tenant(h.listLocations))
	mux.HandleFunc("POST /api/v1/practices/{practice}/locations", h.tenant(h.createLocation))
	mux.HandleFunc("GET /api/v1/practices/{practice}/locations/{id}", h.tenant(h.getLocation))
	mux.HandleFunc("PATCH /api/v1/practices/{practice}/locations/{id}", h.tenant(h.updateLocation))
	mux.HandleFunc("DELETE /api/v1/practices/{practice}/locations/{id}", h.tenant(h.deleteLocation))
}

type locationDTO struct {
	ID        string            `json:"id"`
	Name      string            `json:"name"`
	Address   string            `json:"address"`
	Phone     string            `json:"phone"`
	Email     string            `json:"email"`
	Hours     map[string]string `json:"hours"`
	Latitude  *float64          `json:"latitude"`
	Longitude *float64          `json:"longitude"`
	Active    bool              `json:"active"`
	CreatedAt time.Time         `json:"created_at"`
	UpdatedAt time.Time         `json:"updated_at"`
}

func toLocation(l *medic.Location) locationDTO {
	hours := map[string]string(l.Hours)
	if hours == nil {
		hours = map[string]string{}
	}
	return locationDTO{ID: l.ID, Name: l.Name, Address: l.Address, Phone: l.Phone, Email: l.Email, Hours: hours,
		Latitude: l.Latitude, Longitude: l.Longitude, Active: l.Active, CreatedAt: l.CreatedAt, UpdatedAt: l.UpdatedAt}
}

// locationInput is a create or partial update; nil fields stay as they are.
type locationInput struct {
	Name      *string            `json:"name"`
	Address   *string            `json:"address"`
	Phone     *string            `json:"phone"`
	Email     *string            `json:"email"`
	Hours     *map[string]string `json:"hours"`
	Latitude  *float64           `json:"latitude"`
	Longitude *float64           `json:"longitude"`
	Active    *bool              `json:"active"`
}

func (in locationInput) apply(l *medic.Location) {
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&l.Name, in.Name)
	set(&l.Address, in.Address)
	set(&l.Phone, in.Phone)
	set(&l.Email, in.Email)
	if in.Hours != nil {
		l.Hours = medic.WeekHours(*in.Hours)
	}
	if in.Latitude != nil || in.Longitude != nil {
		l.Latitude, l.Longitude = in.Latitude, in.Longitude
	}
	if in.Active != nil {
		l.Active = *in.Active
	}
}

func (h *Handler) listLocations(w http.ResponseWriter, r *http.Request) {
	p, err := page(r)
	if err != nil {
		h.error(w, r, err)
		return
	}
	ls, next, err := h.app.ListLocations(r.Context(), p)
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, newList(mapAll(ls, toLocation), next))
}

func (h *Handler) getLocation(w http.ResponseWriter, r *http.Request) {
	l, err := h.app.GetLocation(r.Context(), r.PathValue("id"))
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toLocation(l))
}

func (h *Handler) createLocation(w http.ResponseWriter, r *http.Request) {
	var in locationInput
	if err := decode(r, &in); err != nil {
		h.error(w, r, err)
		return
	}
	l := &medic.Location{Active: true}
	in.apply(l)
	if err := h.app.CreateLocation(r.Context(), l); err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, toLocation(l))
}

func (h *Handler) updateLocation(w http.ResponseWriter, r *http.Request) {
	var in locationInput
	if err := decode(r, &in); err != nil {
		h.error(w, r, err)
		return
	}
	l, err := h.app.GetLocation(r.Context(), r.PathValue("id"))
	if err != nil {
		h.error(w, r, err)
		return
	}
	in.apply(l)
	if err := h.app.UpdateLocation(r.Context(), l); err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toLocation(l))
}

func (h *Handler) deleteLocation(w http.ResponseWriter, r *http.Request) {
	if err := h.app.DeleteLocation(r.Context(), r.PathValue("id")); err != nil {
		h.error(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
