package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"medic"
	"medic/internal/app"
)

// verifyRoutes registers the public check of a sick note's verification
// code (printed on the note): anyone may ask, no sign-in.
func (h *Handler) verifyRoutes(mux Router) {
	mux.HandleFunc("GET /verify/{code}", h.verify)
}

// verifyJSON is the answer to Accept: application/json (DOMAIN.md); it has
// no field for a diagnosis.
type verifyJSON struct {
	Valid           bool                 `json:"valid"`
	Practice        string               `json:"practice"`
	Practitioner    string               `json:"practitioner"`
	PatientInitials string               `json:"patient_initials"`
	From            medic.Date           `json:"from"`
	To              medic.Date           `json:"to"`
	IssuedAt        time.Time            `json:"issued_at"`
	Status          medic.SickNoteStatus `json:"status"`
	CancelledAt     *time.Time           `json:"cancelled_at"`
}

type verifyView struct {
	V            *app.SickNoteVerification
	Cancelled    bool
	CalendarDays int
}

// verify answers GET /verify/{code}: the note's practice, practitioner,
// the patient's initials, period, issue date and status, never more.
// Unknown and malformed codes are the same 404; past the per-IP limit 429.
func (h *Handler) verify(w http.ResponseWriter, r *http.Request) {
	v, err := h.app.VerifySickNote(r.Context(), r.PathValue("code"), medic.RequestInfoFrom(r.Context()).IP)
	if strings.Contains(r.Header.Get("Accept"), "application/json") {
		h.verifyJSON(w, r, v, err)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := &page{Title: "Sick note verification", Public: &publicBrand{Name: v.Practice, NoIndex: true}, loc: v.IssuedAt.Location()}
	p.Data = verifyView{V: v, Cancelled: v.Status == medic.SickNoteCancelled, CalendarDays: medic.CalendarDays(v.From, v.To)}
	h.render(w, r, http.StatusOK, "verify", p)
}

func (h *Handler) verifyJSON(w http.ResponseWriter, r *http.Request, v *app.SickNoteVerification, err error) {
	hd := w.Header()
	hd.Set("Cache-Control", "no-store")
	hd.Set("Vary", "Accept")
	if err != nil {
		code := medic.ErrorCode(err)
		status := medic.HTTPStatus(code)
		detail := "The code is not a valid sick note verification code."
		switch {
		case code == medic.ETOOMANY:
			detail = medic.ErrorMessage(err)
			var retry *app.RetryError
			if errors.As(err, &retry) {
				hd.Set("Retry-After", strconv.Itoa(int(retry.After.Seconds())))
			}
		case code != medic.ENOTFOUND:
			h.log.Error("verification failed", "request_id", medic.RequestInfoFrom(r.Context()).RequestID, "error", err)
			detail = "Something went wrong. Please try again in a moment."
		}
		hd.Set("Content-Type", "application/problem+json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]any{"type": "about:blank", "title": http.StatusText(status), "status": status, "detail": detail})
		return
	}
	out := verifyJSON{Valid: v.Status == medic.SickNoteIssued, Practice: v.Practice, Practitioner: v.Practitioner, PatientInitials: v.PatientInitials,
		From: v.From, To: v.To, IssuedAt: v.IssuedAt, Status: v.Status}
	if !v.CancelledAt.IsZero() {
		out.CancelledAt = &v.CancelledAt
	}
	hd.Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_ = json.NewEncoder(w).Encode(out)
}
