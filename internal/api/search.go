package api

import (
	"net/http"
	"strings"
	"unicode/utf8"

	"medic"
)

// searchRoutes registers the search across charts and appointments.
func (h *Handler) searchRoutes(mux Router) {
	mux.HandleFunc("GET /api/v1/practices/{practice}/search", h.tenant(h.search))
}

// searchDTO is what the desk's search box finds, for API clients: charts
// cut to the role, and the appointment a reference names (or null).
type searchDTO struct {
	Query       string          `json:"query"`
	ByBirthDate bool            `json:"by_birth_date"`
	Patients    []patientDTO    `json:"patients"`
	Appointment *appointmentDTO `json:"appointment"`
}

// search: GET .../search?q= (a name with a typo, a date of birth in the
// common forms, phone, email, ID number, or an appointment reference).
func (h *Handler) search(w http.ResponseWriter, r *http.Request) {
	q := strings.Join(strings.Fields(r.URL.Query().Get("q")), " ")
	switch {
	case q == "":
		h.error(w, r, &medic.Error{Code: medic.EINVALID, Message: "Type something to search for.", Fields: map[string]string{"q": "Required."}})
		return
	case utf8.RuneCountInString(q) > 100:
		h.error(w, r, &medic.Error{Code: medic.EINVALID, Message: "Type fewer words.", Fields: map[string]string{"q": "At most 100 characters."}})
		return
	}
	res, err := h.app.Search(r.Context(), q)
	if err != nil {
		h.error(w, r, err)
		return
	}
	out := searchDTO{Query: res.Query, ByBirthDate: res.ByBirthDate, Patients: mapAll(res.Patients, toPatient)}
	if res.Appointment != nil {
		a := toAppointment(practiceZone(r.Context()))(res.Appointment)
		out.Appointment = &a
	}
	writeJSON(w, http.StatusOK, out)
}
