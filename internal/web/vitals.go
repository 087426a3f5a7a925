package web

import (
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"medic"
	"medic/internal/app"
	"medic/internal/chart"
)

// vitalsRoutes registers an encounter's vital signs.
func (h *Handler) vitalsRoutes(mux Router) {
	mux.HandleFunc("GET /encounters/{id}/vitals", h.member(h.encounterVitals))
	mux.HandleFunc("POST /encounters/{id}/vitals", h.member(h.recordVitals))
}

// vitalInput is one measurement's input on the vitals form.
type vitalInput struct {
	Name, Label, Unit, Value, Err, Hint string
}

// vitalCell is one value of a recorded set, with its flag if any.
type vitalCell struct {
	Label, Value, Unit string
	Level              medic.FlagLevel
}

// vitalsRow is a recorded set as the desk lists it.
type vitalsRow struct {
	At    string
	Cells []vitalCell
	Flags []medic.VitalFlag
}

// vitalsSection is the vitals part of an encounter: the form (for a member
// who records vitals, while the encounter is a draft) and the sets
// recorded, newest first. The encounter page includes it too.
type vitalsSection struct {
	EncounterID string
	PatientID   string
	PatientName string
	Band        string // "an adult", for the form's hint
	CanRecord   bool
	Finished    bool
	Message     string
	Inputs      []vitalInput
	MeasuredAt  vitalInput
	Rows        []vitalsRow
	// FromEncounter: the section is on the encounter page, where the form
	// returns after recording.
	FromEncounter bool
}

func flagWords(l medic.FlagLevel) string {
	switch l {
	case medic.FlagLow:
		return "Low"
	case medic.FlagHigh:
		return "High"
	case medic.FlagCriticalLow:
		return "Critically low"
	case medic.FlagCriticalHigh:
		return "Critically high"
	}
	return ""
}

// vitalsRows lists recorded sets newest first, each value with its flag.
func vitalsRows(recs []*app.RecordedVitals, loc *time.Location) []vitalsRow {
	var rows []vitalsRow
	for i := len(recs) - 1; i >= 0; i-- {
		rec := recs[i]
		row := vitalsRow{At: rec.Vitals.MeasuredAt.In(loc).Format("Mon 2 Jan 2006, 15:04"), Flags: rec.Flags}
		level := map[medic.VitalField]medic.FlagLevel{}
		for _, f := range rec.Flags {
			level[f.Field] = f.Level
		}
		fields := make([]medic.VitalField, 0, len(medic.VitalSpecs)+1)
		for _, sp := range medic.VitalSpecs {
			fields = append(fields, sp.Field)
		}
		fields = append(fields, medic.VitalBMI)
		for _, f := range fields {
			x := rec.Vitals.Value(f)
			if x == nil {
				continue
			}
			sp, _ := f.Spec()
			if f == medic.VitalDiastolic {
				continue // shown with the systolic
			}
			c := vitalCell{Label: sp.Label, Value: medic.FormatVital(*x, sp.Decimals), Unit: sp.Unit, Level: level[f]}
			if f == medic.VitalSystolic && rec.Vitals.DiastolicMmHg != nil {
				c.Label = "Blood pressure"
				c.Value += "/" + medic.FormatVital(*rec.Vitals.DiastolicMmHg, 0)
				if c.Level == "" {
					c.Level = level[medic.VitalDiastolic]
				}
			}
			row.Cells = append(row.Cells, c)
		}
		rows = append(rows, row)
	}
	return rows
}

// vitalsForm builds the form's inputs from f (values sent and messages).
func vitalsForm(f *form, s medic.VitalsSubject, today medic.Date) (inputs []vitalInput, measured vitalInput) {
	for _, sp := range medic.VitalSpecs {
		if sp.Field == medic.VitalHeadCircumference && (s.DateOfBirth.IsZero() || medic.AgeMonths(s.DateOfBirth, today) >= medic.HeadCircumferenceMaxAgeMonths) {
			continue // children under 3 only
		}
		n := string(sp.Field)
		inputs = append(inputs, vitalInput{Name: n, Label: sp.Label, Unit: sp.Unit, Value: f.Get(n), Err: f.Err(n),
			Hint: FormatRange(sp)})
	}
	measured = vitalInput{Name: "measured_at", Label: "Measured at", Value: f.Get("measured_at"), Err: f.Err("measured_at"),
		Hint: "Leave empty for now."}
	return inputs, measured
}

// FormatRange is an input's hint: the range a value may take.
func FormatRange(sp medic.VitalSpec) string {
	return medic.FormatVital(sp.Min, sp.Decimals) + "–" + medic.FormatVital(sp.Max, sp.Decimals) + " " + sp.Unit
}

// encounterVitals shows an encounter's vitals and the form to record more.
func (h *Handler) encounterVitals(w http.ResponseWriter, r *http.Request, v *visitor) {
	h.renderEncounterVitals(w, r, http.StatusOK, v, newForm("vitals", nil))
}

func (h *Handler) renderEncounterVitals(w http.ResponseWriter, r *http.Request, status int, v *visitor, f *form) {
	sec, err := h.vitalsSection(r, v, f)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := h.page(r, "Vitals: "+sec.PatientName, "patients")
	if err := h.withPatientBanner(r, p, sec.PatientID); err != nil {
		h.fail(w, r, err)
		return
	}
	p.Data = sec
	h.render(w, r, status, "encounter_vitals", p.withForm(f))
}

// vitalsSection loads what the vitals part of the encounter in the path
// shows.
func (h *Handler) vitalsSection(r *http.Request, v *visitor, f *form) (*vitalsSection, error) {
	e, err := h.app.GetEncounter(r.Context(), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	return h.encounterVitalsSection(r, v, e, f)
}

// encounterVitalsSection is the vitals part of encounter e (the encounter
// page includes it with the "vitalsSection" template).
func (h *Handler) encounterVitalsSection(r *http.Request, v *visitor, e *medic.Encounter, f *form) (*vitalsSection, error) {
	pv, err := h.app.EncounterVitals(r.Context(), e.ID)
	if err != nil {
		return nil, err
	}
	loc := v.zone()
	sec := &vitalsSection{EncounterID: e.ID, PatientID: e.PatientID, PatientName: e.PatientName, Finished: e.Finished(),
		CanRecord: v.tenant.Can(medic.PermVitalsWrite) && !e.Finished(), Message: f.Message,
		Band: medic.AgeBandOn(pv.Subject.DateOfBirth, pv.Today).Label(), Rows: vitalsRows(pv.Records, loc)}
	sec.Inputs, sec.MeasuredAt = vitalsForm(f, pv.Subject, pv.Today)
	return sec, nil
}

// parseVital reads a number as people type it: "36,8" is 36.8.
func parseVital(s string) (*float64, bool) {
	s = strings.ReplaceAll(strings.TrimSpace(s), ",", ".")
	if s == "" {
		return nil, true
	}
	x, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return nil, false
	}
	return &x, true
}

// recordVitals records the form's measurements; the form comes back with
// each message beside its field when a value is impossible.
func (h *Handler) recordVitals(w http.ResponseWriter, r *http.Request, v *visitor) {
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	f := newForm("vitals", r.PostForm)
	rerender := func(status int) { h.renderEncounterVitals(w, r, status, v, f) }
	vs := &medic.Vitals{}
	bad := medic.FieldErrors{}
	for _, sp := range medic.VitalSpecs {
		x, ok := parseVital(f.Get(string(sp.Field)))
		if !ok {
			bad.Add(string(sp.Field), "Enter a number, such as "+medic.FormatVital(sp.Min+(sp.Max-sp.Min)/4, sp.Decimals)+".")
			continue
		}
		vs.Set(sp.Field, x)
	}
	if s := strings.TrimSpace(f.Get("measured_at")); s != "" {
		t, err := time.ParseInLocation("2006-01-02T15:04", s, v.zone())
		if err != nil {
			bad.Add("measured_at", "Use a date and time such as 2030-03-04T09:30.")
		}
		vs.MeasuredAt = t
	}
	if err := bad.Err(); err != nil {
		h.actionFormFail(w, r, "vitals.record", err, f, rerender)
		return
	}
	if _, err := h.app.RecordVitals(r.Context(), r.PathValue("id"), vs); err != nil {
		h.formFail(w, r, err, f, rerender)
		return
	}
	to := "/encounters/" + url.PathEscape(r.PathValue("id")) + "/vitals?m=vitals-recorded"
	if f.Get("from") == "encounter" {
		to = "/encounters/" + url.PathEscape(r.PathValue("id")) + "?m=vitals-recorded#vitals"
	}
	seeOther(w, r, to)
}

// chartVitals is the chart's Vitals tab: a chart per measurement, the WHO
// growth charts for a young child, and every set recorded.
type chartVitals struct {
	// Open lists the chart's draft encounters, where vitals are recorded
	// (for a member who records them).
	Open   []openVisit
	Lines  []chartFigure
	Growth []chartFigure
	Rows   []vitalsRow
	Latest []latestVital
}

// openVisit links to an open encounter's vitals form.
type openVisit struct {
	ID, Label string
}

type chartFigure struct {
	Title string
	SVG   template.HTML
}

// latestVital is a line of the chart summary's last vitals.
type latestVital struct {
	Label, Value, Unit, At string
	Trend, Previous        string // "up", "down", "same" or ""; the previous value
}

func latestVitals(ls []medic.VitalLatest, loc *time.Location) []latestVital {
	var out []latestVital
	for _, l := range ls {
		lv := latestVital{Label: l.Label, Value: medic.FormatVital(l.Value, l.Decimals), Unit: l.Unit, At: l.At.In(loc).Format("2 Jan 2006"), Trend: l.Trend()}
		if l.Previous != nil {
			lv.Previous = medic.FormatVital(*l.Previous, l.Decimals)
		}
		out = append(out, lv)
	}
	return out
}

// loadChartVitals reads a chart's vitals for its Vitals tab.
func (h *Handler) loadChartVitals(r *http.Request, v *visitor, patientID string) (*chartVitals, error) {
	pv, err := h.app.ListPatientVitals(r.Context(), patientID, time.Time{}, time.Time{})
	if err != nil {
		return nil, err
	}
	loc := v.zone()
	var vs []*medic.Vitals
	for _, rec := range pv.Records {
		vs = append(vs, rec.Vitals)
	}
	d := &chartVitals{Rows: vitalsRows(pv.Records, loc), Latest: latestVitals(pv.Latest, loc)}
	for _, l := range chart.VitalLines(vs, pv.Subject, pv.Today, loc) {
		d.Lines = append(d.Lines, chartFigure{Title: l.Title + " (" + l.Unit + ")", SVG: l.SVG()})
	}
	for _, g := range chart.GrowthCharts(vs, pv.Subject, loc) {
		d.Growth = append(d.Growth, chartFigure{Title: g.Title, SVG: g.SVG()})
	}
	if v.tenant.Can(medic.PermVitalsWrite) {
		es, _, err := h.app.ListEncounters(r.Context(), medic.EncounterFilter{PatientID: patientID, Statuses: []medic.EncounterStatus{medic.EncounterDraft}},
			medic.Page{Limit: 5})
		if err != nil {
			return nil, err
		}
		for _, e := range es {
			d.Open = append(d.Open, openVisit{ID: e.ID, Label: e.StartedAt.In(loc).Format("Mon 2 Jan 15:04") + " with " + e.PractitionerName + ", " + e.Stage.Label()})
		}
	}
	return d, nil
}

// loadLatestVitals reads the chart summary's last vitals.
func (h *Handler) loadLatestVitals(r *http.Request, v *visitor, patientID string) ([]latestVital, error) {
	pv, err := h.app.LatestPatientVitals(r.Context(), patientID)
	if err != nil {
		return nil, err
	}
	return latestVitals(pv.Latest, v.zone()), nil
}
