package api

import (
	"net/http"
	"time"

	"medic"
)

// practiceRoutes registers the practice itself.
func (h *Handler) practiceRoutes(mux Router) {
	mux.HandleFunc("GET /api/v1/practices/{practice}", h.tenant(h.getPractice))
	mux.HandleFunc("PATCH /api/v1/practices/{practice}", h.tenant(h.updatePractice))
}

type practiceDTO struct {
	ID                 string                `json:"id"`
	Slug               string                `json:"slug"`
	Name               string                `json:"name"`
	Type               medic.PracticeType    `json:"type"`
	Email              string                `json:"email"`
	Phone              string                `json:"phone"`
	Address            string                `json:"address"`
	RegistrationNumber string                `json:"registration_number"`
	TimeZone           string                `json:"time_zone"`
	Plan               string                `json:"plan"`
	Status             medic.PracticeStatus  `json:"status"`
	Branding           medic.Branding        `json:"branding"`
	Booking            medic.BookingSettings `json:"booking"`
	Require2FA         bool                  `json:"require_2fa"`
	CreatedAt          time.Time             `json:"created_at"`
	UpdatedAt          time.Time             `json:"updated_at"`
}

func toPractice(p *medic.Practice) practiceDTO {
	booking := p.Booking
	if booking.AllowedOrigins == nil {
		booking.AllowedOrigins = []string{}
	}
	return practiceDTO{ID: p.ID, Slug: p.Slug, Name: p.Name, Type: p.Type, Email: p.Email, Phone: p.Phone, Address: p.Address,
		RegistrationNumber: p.RegistrationNumber, TimeZone: p.TimeZone, Plan: p.Plan, Status: p.Status, Branding: p.Branding,
		Booking: booking, Require2FA: p.Require2FA, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt}
}

func (h *Handler) getPractice(w http.ResponseWriter, r *http.Request) {
	p, err := h.app.GetPractice(r.Context())
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toPractice(p))
}

// practiceInput is a partial update of the settings an admin may change.
type practiceInput struct {
	Name               *string             `json:"name"`
	Type               *medic.PracticeType `json:"type"`
	Email              *string             `json:"email"`
	Phone              *string             `json:"phone"`
	Address            *string             `json:"address"`
	RegistrationNumber *string             `json:"registration_number"`
	TimeZone           *string             `json:"time_zone"`
	Branding           *struct {
		PrimaryColor   *string `json:"primary_color"`
		AccentColor    *string `json:"accent_color"`
		LetterheadText *string `json:"letterhead_text"`
	} `json:"branding"`
	Booking *struct {
		LeadTimeMinutes           *int      `json:"lead_time_minutes"`
		CancellationWindowMinutes *int      `json:"cancellation_window_minutes"`
		BufferMinutes             *int      `json:"buffer_minutes"`
		ReminderMinutes           *int      `json:"reminder_minutes"`
		HorizonDays               *int      `json:"horizon_days"`
		NotifyEmail               *string   `json:"notify_email"`
		AllowedOrigins            *[]string `json:"allowed_origins"`
	} `json:"booking"`
	Require2FA *bool `json:"require_2fa"`
}

func setIf[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

func (in practiceInput) apply(p *medic.Practice) {
	setIf(&p.Name, in.Name)
	setIf(&p.Type, in.Type)
	setIf(&p.Email, in.Email)
	setIf(&p.Phone, in.Phone)
	setIf(&p.Address, in.Address)
	setIf(&p.RegistrationNumber, in.RegistrationNumber)
	setIf(&p.TimeZone, in.TimeZone)
	if b := in.Branding; b != nil {
		setIf(&p.Branding.PrimaryColor, b.PrimaryColor)
		setIf(&p.Branding.AccentColor, b.AccentColor)
		setIf(&p.Branding.LetterheadText, b.LetterheadText)
	}
	if b := in.Booking; b != nil {
		setIf(&p.Booking.LeadTimeMinutes, b.LeadTimeMinutes)
		setIf(&p.Booking.CancellationWindowMinutes, b.CancellationWindowMinutes)
		setIf(&p.Booking.BufferMinutes, b.BufferMinutes)
		setIf(&p.Booking.ReminderMinutes, b.ReminderMinutes)
		setIf(&p.Booking.HorizonDays, b.HorizonDays)
		setIf(&p.Booking.NotifyEmail, b.NotifyEmail)
		setIf(&p.Booking.AllowedOrigins, b.AllowedOrigins)
	}
	setIf(&p.Require2FA, in.Require2FA)
}

func (h *Handler) updatePractice(w http.ResponseWriter, r *http.Request) {
	var in practiceInput
	if err := decode(r, &in); err != nil {
		h.error(w, r, err)
		return
	}
	p, err := h.app.UpdatePractice(r.Context(), in.apply)
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toPractice(p))
}
