package api

import (
	"net/http"
	"time"

	"medic"
	"medic/internal/app"
)

// vitalsRoutes registers vital signs.
func (h *Handler) vitalsRoutes(mux Router) {
	mux.HandleFunc("POST /api/v1/practices/{practice}/encounters/{id}/vitals", h.tenant(h.recordVitals))
	mux.HandleFunc("GET /api/v1/practices/{practice}/patients/{id}/vitals", h.tenant(h.listPatientVitals))
}

// vitalsInput is the body of POST .../encounters/{id}/vitals: any subset
// of the measurements, and when they were taken (default now).
type vitalsInput struct {
	SystolicMmHg        *float64 `json:"systolic_mmhg"`
	DiastolicMmHg       *float64 `json:"diastolic_mmhg"`
	PulseBPM            *float64 `json:"pulse_bpm"`
	TemperatureC        *float64 `json:"temperature_c"`
	RespiratoryRate     *float64 `json:"respiratory_rate"`
	SpO2Percent         *float64 `json:"spo2_percent"`
	WeightKg            *float64 `json:"weight_kg"`
	HeightCm            *float64 `json:"height_cm"`
	GlucoseMmolL        *float64 `json:"glucose_mmol_l"`
	HeadCircumferenceCm *float64 `json:"head_circumference_cm"`
	MeasuredAt          *string  `json:"measured_at"`
}

type vitalFlagDTO struct {
	Field   medic.VitalField `json:"field"`
	Level   medic.FlagLevel  `json:"level"`
	Message string           `json:"message"`
}

type vitalsDTO struct {
	ID                  string         `json:"id"`
	EncounterID         string         `json:"encounter_id"`
	PatientID           string         `json:"patient_id"`
	MeasuredAt          time.Time      `json:"measured_at"`
	RecordedBy          *string        `json:"recorded_by"`
	SystolicMmHg        *float64       `json:"systolic_mmhg"`
	DiastolicMmHg       *float64       `json:"diastolic_mmhg"`
	PulseBPM            *float64       `json:"pulse_bpm"`
	TemperatureC        *float64       `json:"temperature_c"`
	RespiratoryRate     *float64       `json:"respiratory_rate"`
	SpO2Percent         *float64       `json:"spo2_percent"`
	WeightKg            *float64       `json:"weight_kg"`
	HeightCm            *float64       `json:"height_cm"`
	GlucoseMmolL        *float64       `json:"glucose_mmol_l"`
	HeadCircumferenceCm *float64       `json:"head_circumference_cm"`
	BMI                 *float64       `json:"bmi"`
	AgeBand             medic.AgeBand  `json:"age_band"`
	Flags               []vitalFlagDTO `json:"flags"`
}

func toVitals(loc *time.Location) func(*app.RecordedVitals) vitalsDTO {
	return func(r *app.RecordedVitals) vitalsDTO {
		v := r.Vitals
		d := vitalsDTO{ID: v.ID, EncounterID: v.EncounterID, PatientID: v.PatientID, MeasuredAt: v.MeasuredAt.In(loc), RecordedBy: optional(v.RecordedBy),
			SystolicMmHg: v.SystolicMmHg, DiastolicMmHg: v.DiastolicMmHg, PulseBPM: v.PulseBPM, TemperatureC: v.TemperatureC,
			RespiratoryRate: v.RespiratoryRate, SpO2Percent: v.SpO2Percent, WeightKg: v.WeightKg, HeightCm: v.HeightCm,
			GlucoseMmolL: v.GlucoseMmolL, HeadCircumferenceCm: v.HeadCircumferenceCm, BMI: r.BMI, AgeBand: r.Band, Flags: []vitalFlagDTO{}}
		for _, f := range r.Flags {
			d.Flags = append(d.Flags, vitalFlagDTO{Field: f.Field, Level: f.Level, Message: f.Message})
		}
		return d
	}
}

// recordVitals: 201 with the set, its "bmi" and "flags"; 422 naming the
// field of an impossible value; 409 once the encounter is finished.
func (h *Handler) recordVitals(w http.ResponseWriter, r *http.Request) {
	var in vitalsInput
	if err := decode(r, &in); err != nil {
		h.error(w, r, err)
		return
	}
	v := &medic.Vitals{SystolicMmHg: in.SystolicMmHg, DiastolicMmHg: in.DiastolicMmHg, PulseBPM: in.PulseBPM, TemperatureC: in.TemperatureC,
		RespiratoryRate: in.RespiratoryRate, SpO2Percent: in.SpO2Percent, WeightKg: in.WeightKg, HeightCm: in.HeightCm,
		GlucoseMmolL: in.GlucoseMmolL, HeadCircumferenceCm: in.HeadCircumferenceCm}
	if in.MeasuredAt != nil && *in.MeasuredAt != "" {
		fields := medic.FieldErrors{}
		v.MeasuredAt = instantField(fields, "measured_at", in.MeasuredAt)
		if err := fields.Err(); err != nil {
			h.error(w, r, err)
			return
		}
	}
	rec, err := h.app.RecordVitals(r.Context(), r.PathValue("id"), v)
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, toVitals(practiceZone(r.Context()))(rec))
}

// listPatientVitals is a chart's series, oldest first: from and to are
// RFC 3339 instants or dates (a "to" date includes that day).
func (h *Handler) listPatientVitals(w http.ResponseWriter, r *http.Request) {
	loc := practiceZone(r.Context())
	q := r.URL.Query()
	fields := medic.FieldErrors{}
	from := instantParam(fields, q, "from", loc)
	to := instantParam(fields, q, "to", loc)
	if _, err := medic.ParseDate(q.Get("to")); err == nil {
		to = to.AddDate(0, 0, 1)
	}
	if err := fields.Err(); err != nil {
		h.error(w, r, err)
		return
	}
	pv, err := h.app.ListPatientVitals(r.Context(), r.PathValue("id"), from, to)
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, newList(mapAll(pv.Records, toVitals(loc)), ""))
}
