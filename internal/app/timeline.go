package app

import (
	"context"
	"strconv"
	"strings"
	"time"

	"medic"
)

// Timeline pages through a chart's clinical records, newest first,
// filtered by kind (all for none). Clinical roles only; one audit event
// per page, naming the chart, which joins the group commit of reads.
func (a *App) Timeline(ctx context.Context, patientID string, kinds []medic.TimelineKind, p medic.Page) ([]*medic.TimelineItem, string, error) {
	if _, err := a.allow(ctx, "timeline.view"); err != nil {
		return nil, "", err
	}
	var items []*medic.TimelineItem
	var next string
	err := a.Tx.InReadTx(ctx, func(ctx context.Context) error {
		var err error
		if items, next, err = a.Timelines.Timeline(ctx, patientID, kinds, p); err != nil {
			return err
		}
		return a.auditPatient(ctx, "timeline.viewed", patientID, timelineDetail(kinds, items))
	})
	return items, next, err
}

func timelineDetail(kinds []medic.TimelineKind, items []*medic.TimelineItem) map[string]string {
	d := map[string]string{"results": strconv.Itoa(len(items))}
	if len(kinds) > 0 {
		ks := make([]string, len(kinds))
		for i, k := range kinds {
			ks[i] = string(k)
		}
		d["kinds"] = strings.Join(ks, ",")
	}
	return d
}

// Chart is what the chart page shows at once: the patient as the role may
// see them, and for clinical roles the summary (allergies, active
// problems, last vitals, outstanding orders) and the first page of the
// timeline.
type Chart struct {
	Patient *medic.Patient
	// Clinical roles only (nil otherwise). Allergies are always read (the
	// severe-allergy banner); the rest as asked in ChartRequest.
	Allergies  *medic.Allergies
	Conditions []*medic.Condition
	// LatestVitals are the summary's last values with trends.
	LatestVitals []medic.VitalLatest
	// OutstandingOrders are the chart's orders not yet reviewed (waiting
	// for a result, or resulted and unseen), the longest waiting first, at
	// most chartOrdersShown; MoreOutstanding says there are more.
	OutstandingOrders []*medic.Order
	MoreOutstanding   bool
	// Medicines are what the patient takes today, from issued
	// prescriptions (roles that read prescriptions).
	Medicines    []*medic.CurrentMedicine
	Timeline     []*medic.TimelineItem
	TimelineNext string
	// Next and Last are the chart's next appointment and last completed
	// visit (ChartRequest.Visits, roles that read appointments).
	Next, Last *medic.Appointment
}

// ChartRequest says what OpenChart reads besides the patient.
type ChartRequest struct {
	Summary  bool // problems and last vitals
	Timeline bool // the first timeline page
	Kinds    []medic.TimelineKind
	Page     medic.Page
	// Visits: the next appointment and the last visit (the header).
	Visits bool
}

// chartVitalsWindow is how many recent sets the summary's trends read;
// chartOrdersShown how many outstanding orders the summary lists.
const (
	chartVitalsWindow = 50
	chartOrdersShown  = 10
)

// OpenChart reads a chart for the chart page and records one audit event
// (patient.viewed) for all of it, however many parts are shown. It is a
// read: its audit event joins the group commit (InReadTx) instead of
// costing a commit of its own per view.
func (a *App) OpenChart(ctx context.Context, id string, req ChartRequest) (*Chart, error) {
	t, err := a.allow(ctx, "patient.view")
	if err != nil {
		return nil, err
	}
	out := &Chart{}
	err = a.Tx.InReadTx(ctx, func(ctx context.Context) error {
		p, err := a.Patients.FindPatient(ctx, id)
		if err != nil {
			return err
		}
		out.Patient = medic.ProjectPatient(p, t.Role)
		detail := map[string]string{}
		if req.Visits && t.Can(medic.PermAppointmentsRead) && p.Status != medic.PatientMerged {
			if out.Next, out.Last, err = a.Appointments.PatientVisits(ctx, p.ID, a.now()); err != nil {
				return err
			}
		}
		if out.Patient.Shows(medic.ChartClinical) {
			if out.Allergies, err = a.ClinicalLists.ListAllergies(ctx, p.ID); err != nil {
				return err
			}
			if req.Summary {
				if out.Conditions, err = a.ClinicalLists.ListConditions(ctx, p.ID); err != nil {
					return err
				}
				vs, err := a.Vitals.ListVitals(ctx, p.ID, time.Time{}, time.Time{}, chartVitalsWindow)
				if err != nil {
					return err
				}
				out.LatestVitals = medic.LatestVitals(vs) // the summary shows no per-set flags
				// Read here, not by the page afterwards: the chart view stays
				// one audit event, and the orders are the chart's own.
				os, next, err := a.Orders.ListOrders(ctx, medic.OrderFilter{PatientID: p.ID, Statuses: medic.UnreviewedOrderStatuses},
					true, medic.Page{Limit: chartOrdersShown})
				if err != nil {
					return err
				}
				out.OutstandingOrders, out.MoreOutstanding = os, next != ""
				if t.Can(medic.PermPrescriptionsRead) {
					if out.Medicines, err = a.Prescriptions.CurrentMedicines(ctx, p.ID, a.today(ctx)); err != nil {
						return err
					}
					detail["medicines"] = strconv.Itoa(len(out.Medicines))
				}
				detail["summary"] = "true"
				detail["outstanding_orders"] = strconv.Itoa(len(os))
			}
			if req.Timeline {
				if out.Timeline, out.TimelineNext, err = a.Timelines.Timeline(ctx, p.ID, req.Kinds, req.Page); err != nil {
					return err
				}
				for k, v := range timelineDetail(req.Kinds, out.Timeline) {
					detail["timeline_"+k] = v
				}
			}
		}
		return a.auditPatient(ctx, "patient.viewed", p.ID, detail)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
