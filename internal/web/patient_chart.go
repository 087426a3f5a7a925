package web

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"medic"
	"medic/internal/app"
)

// patientChartRoutes registers the chart page.
func (h *Handler) patientChartRoutes(mux Router) {
	mux.HandleFunc("GET /patients/{id}", h.member(h.patient))
}

// patientView is the data of a chart: the patient and the open tab.
type patientView struct {
	Patient *medic.Patient
	Age     string
	// Next is the chart's next appointment still to come, Last its last
	// completed visit (for roles that read appointments).
	Next, Last   *medic.Appointment
	Tab          string // "overview" or "appointments"
	Tabs         []chartTab
	Appointments []*medic.Appointment
	MoreURL      string
	CanWrite     bool
	CanBook      bool
	// LatestVitals is the overview's last vitals (clinical roles);
	// Vitals the Vitals tab.
	LatestVitals []latestVital
	Vitals       *chartVitals

	// The clinical record, for roles that read it (nil otherwise).
	Allergies      *medic.Allergies
	Conditions     []*medic.Condition
	ActiveProblems []*medic.Condition // the summary's
	// OutstandingOrders are the summary's orders not yet reviewed, oldest
	// first; MoreOutstanding says the list is cut.
	OutstandingOrders []outstandingOrder
	MoreOutstanding   bool
	// Medicines are the summary's current medicines; ShowsMedicines says
	// the role reads prescriptions.
	Medicines        []*medic.CurrentMedicine
	ShowsMedicines   bool
	CanWriteClinical bool
	// Timeline is the overview's timeline section (clinical roles).
	Timeline *timelineView
	CanRefer bool
	// Encounters tab (roles that read the clinical record).
	Encounters []*medic.Encounter
	// Sick notes tab (roles that read sick notes, receptionists too).
	SickNotes     []*medic.SickNote
	CanStartVisit bool
	// Billing tab (roles that read invoices).
	Invoices   []*medic.Invoice
	CanInvoice bool
}

// outstandingOrder is an order of the chart summary with its age.
type outstandingOrder struct {
	*medic.Order
	Age string // "today", "yesterday", "12 days"
}

// orderAge is how long ago an order was made, in calendar days of the
// practice's zone.
func orderAge(at time.Time, today medic.Date, loc *time.Location) string {
	days := int(today.Time().Sub(medic.DateOf(at.In(loc)).Time()) / (24 * time.Hour))
	switch {
	case days <= 0:
		return "today"
	case days == 1:
		return "yesterday"
	}
	return strconv.Itoa(days) + " days"
}

// chartTab is one tab of the chart, a plain link (?tab=).
type chartTab struct {
	Key, Label, URL string
	Current         bool
}

// patient shows a chart with its tabs: Overview and Appointments (clinical
// tabs come with the clinical record).
func (h *Handler) patient(w http.ResponseWriter, r *http.Request, v *visitor) {
	h.renderPatient(w, r, http.StatusOK, v)
}

// renderPatient shows the chart, with forms (allergy, condition) filled in
// and their errors after a refused change. The chart itself (patient,
// allergies for the banner, and on the overview the summary and the first
// timeline page) is one read and one audit event (app.OpenChart).
func (h *Handler) renderPatient(w http.ResponseWriter, r *http.Request, status int, v *visitor, forms ...*form) {
	id := r.PathValue("id")
	q := r.URL.Query()
	overview := q.Get("tab") == "" || q.Get("tab") == "overview"
	clinical := v.tenant.Can(medic.PermClinicalRead)
	req := app.ChartRequest{Summary: overview, Timeline: overview, Visits: true}
	if overview && clinical {
		var err error
		if req.Kinds, err = medic.ParseTimelineKinds(q.Get("kind")); err != nil {
			h.fail(w, r, err)
			return
		}
		req.Page = medic.Page{Limit: timelinePageSize, Cursor: q.Get("cursor")}
	}
	chart, err := h.app.OpenChart(r.Context(), id, req)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	pt := chart.Patient
	base := "/patients/" + url.PathEscape(pt.ID)
	d := patientView{Patient: pt, Tab: "overview",
		CanWrite: v.tenant.Can(medic.PermPatientsWrite) && pt.Status != medic.PatientMerged,
		CanBook:  v.tenant.Can(medic.PermAppointmentsWrite) && pt.Status == medic.PatientActive}
	d.CanStartVisit = v.tenant.Can(medic.PermNotesWrite) && pt.Status == medic.PatientActive
	tabs := []chartTab{{Key: "overview", Label: "Overview", URL: base}}
	if v.tenant.Can(medic.PermAppointmentsRead) {
		tabs = append(tabs, chartTab{Key: "appointments", Label: "Appointments", URL: base + "?tab=appointments"})
	}
	if clinical {
		tabs = append(tabs, chartTab{Key: "vitals", Label: "Vitals", URL: base + "?tab=vitals"})
		tabs = append(tabs, chartTab{Key: "encounters", Label: "Encounters", URL: base + "?tab=encounters"})
	}
	if v.tenant.Can(medic.PermSickNotesRead) {
		tabs = append(tabs, chartTab{Key: "sick-notes", Label: "Sick notes", URL: base + "?tab=sick-notes"})
	}
	if v.tenant.Can(medic.PermInvoicesRead) {
		tabs = append(tabs, chartTab{Key: "billing", Label: "Billing", URL: base + "?tab=billing"})
	}
	d.Age = medic.AgeLabel(pt.DateOfBirth, h.today(v))
	d.Next, d.Last = chart.Next, chart.Last
	var severe []string
	if chart.Allergies != nil {
		d.Allergies = chart.Allergies
		severe = d.Allergies.Severe()
	}
	switch t := r.URL.Query().Get("tab"); t {
	case "", "overview":
		if pt.Shows(medic.ChartClinical) {
			d.Conditions = chart.Conditions
			for _, c := range chart.Conditions {
				if c.Status == medic.ConditionActive {
					d.ActiveProblems = append(d.ActiveProblems, c)
				}
			}
			d.CanWriteClinical = v.tenant.Can(medic.PermClinicalWrite) && pt.Status != medic.PatientMerged
			d.LatestVitals = latestVitals(chart.LatestVitals, v.zone())
			for _, o := range chart.OutstandingOrders {
				d.OutstandingOrders = append(d.OutstandingOrders, outstandingOrder{Order: o, Age: orderAge(o.OrderedAt, h.today(v), v.zone())})
			}
			d.MoreOutstanding = chart.MoreOutstanding
			d.Medicines, d.ShowsMedicines = chart.Medicines, v.tenant.Can(medic.PermPrescriptionsRead)
			d.Timeline = newTimelineView(pt.ID, req.Kinds, chart.Timeline, chart.TimelineNext, v.zone())
			d.CanRefer = v.tenant.Can(medic.PermClinicalWrite)
		}
	case "vitals":
		if !clinical {
			h.fail(w, r, errNotFound)
			return
		}
		d.Tab = t
		if d.Vitals, err = h.loadChartVitals(r, v, pt.ID); err != nil {
			h.fail(w, r, err)
			return
		}
	case "appointments":
		d.Tab = t
		as, next, err := h.app.ListAppointments(r.Context(), medic.AppointmentFilter{PatientID: pt.ID}, medic.Page{Limit: 50, Cursor: r.URL.Query().Get("cursor")})
		if err != nil {
			h.fail(w, r, err)
			return
		}
		d.Appointments = as
		if next != "" {
			d.MoreURL = base + "?tab=appointments&cursor=" + url.QueryEscape(next)
		}
	case "encounters":
		d.Tab = t
		es, next, err := h.app.ListEncounters(r.Context(), medic.EncounterFilter{PatientID: pt.ID}, medic.Page{Limit: 20, Cursor: r.URL.Query().Get("cursor")})
		if err != nil {
			h.fail(w, r, err)
			return
		}
		d.Encounters = es
		if next != "" {
			d.MoreURL = base + "?tab=encounters&cursor=" + url.QueryEscape(next)
		}
	case "sick-notes":
		if !v.tenant.Can(medic.PermSickNotesRead) {
			h.fail(w, r, errNotFound)
			return
		}
		d.Tab = t
		ns, next, err := h.app.ListSickNotes(r.Context(), medic.SickNoteFilter{PatientID: pt.ID}, medic.Page{Limit: 20, Cursor: r.URL.Query().Get("cursor")})
		if err != nil {
			h.fail(w, r, err)
			return
		}
		d.SickNotes = ns
		if next != "" {
			d.MoreURL = base + "?tab=sick-notes&cursor=" + url.QueryEscape(next)
		}
	case "billing":
		if !v.tenant.Can(medic.PermInvoicesRead) {
			h.fail(w, r, errNotFound)
			return
		}
		d.Tab = t
		d.CanInvoice = v.tenant.Can(medic.PermInvoicesCreate) && pt.Status != medic.PatientMerged
		invs, next, err := h.app.ListInvoices(r.Context(), medic.InvoiceFilter{PatientID: pt.ID}, medic.Page{Limit: 20, Cursor: r.URL.Query().Get("cursor")})
		if err != nil {
			h.fail(w, r, err)
			return
		}
		d.Invoices = invs
		if next != "" {
			d.MoreURL = base + "?tab=billing&cursor=" + url.QueryEscape(next)
		}
	default:
		h.fail(w, r, errNotFound)
		return
	}
	for i := range tabs {
		tabs[i].Current = tabs[i].Key == d.Tab
	}
	d.Tabs = tabs
	p := h.page(r, pt.FullName(), "patients").withForm(newForm("allergy", nil)).withForm(newForm("condition", nil))
	for _, f := range forms {
		p.withForm(f)
	}
	p.Data = d
	p.SevereAllergies = severe
	h.render(w, r, status, "patient", p)
}
