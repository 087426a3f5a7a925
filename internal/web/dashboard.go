package web

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"medic"
	"medic/internal/app"
)

// dashboardRoutes registers the dashboard and the practice switch.
func (h *Handler) dashboardRoutes(mux Router) {
	mux.HandleFunc("GET /{$}", h.signedIn(h.dashboard))
	mux.HandleFunc("POST /switch", h.signedIn(h.switchPractice))
}

// noPracticeView explains why the desk has no practice to show.
type noPracticeView struct {
	Lost bool // the session's practice is no longer open to the user
}

// dashboard shows the current practice: its name, the visitor's role and
// what that role can do here.
func (h *Handler) dashboard(w http.ResponseWriter, r *http.Request, v *visitor) {
	if v.session.ActivePracticeID == "" {
		if v.user.IsOperator {
			seeOther(w, r, "/operator") // the operator's desk is the console
			return
		}
		h.render(w, r, http.StatusOK, "no_practice", h.page(r, "No practice yet", "dashboard"))
		return
	}
	ctx, err := h.enter(r.Context(), v)
	switch {
	case errors.Is(err, app.ErrTwoFactorRequired):
		seeOther(w, r, "/account?m=2fa-required")
		return
	case medic.ErrorCode(err) == medic.ENOTFOUND:
		p := h.page(r, "No practice", "dashboard")
		p.Data = noPracticeView{Lost: true}
		h.render(w, r, http.StatusOK, "no_practice", p)
		return
	case err != nil:
		h.fail(w, r, err)
		return
	}
	r = r.WithContext(ctx)
	dash, err := h.app.GetDashboard(ctx)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := dashboardView{Dash: dash, Appointments: v.tenant.Can(medic.PermAppointmentsRead), Patients: v.tenant.Can(medic.PermPatientsRead)}
	if d.Appointments {
		d.Figures = newDayFigures(dash.Tally)
		d.Chart = newWeekChart(dash.Week, h.today(v))
	}
	p := h.page(r, v.practice.Name, "dashboard")
	p.Data = d
	h.render(w, r, http.StatusOK, "dashboard", p)
}

// dashboardView is the data of the dashboard: what the member's role may
// see of today, the week and the register.
type dashboardView struct {
	Dash         *app.Dashboard
	Appointments bool // the role reads appointments
	Patients     bool // the role reads charts
	Figures      dayFigures
	Chart        weekChart
}

// dayFigures is a day's tally as the dashboard and Today show it (the same
// partial, from the same medic.DayTally).
type dayFigures struct {
	Expected, Total int
	Counts          []statusCount
}

type statusCount struct {
	Status medic.AppointmentStatus
	Count  int
}

func newDayFigures(t medic.DayTally) dayFigures {
	f := dayFigures{Expected: t.Expected, Total: t.Total}
	for _, s := range medic.AppointmentStatuses {
		f.Counts = append(f.Counts, statusCount{s, t.ByStatus[s]})
	}
	return f
}

// weekChart is the week's volume as a bar chart drawn in SVG on the
// server: coordinates only, no script and no style attributes.
type weekChart struct {
	Width, Height, Baseline int
	Bars                    []chartBar
	Total                   int
	Summary                 string
}

type chartBar struct {
	X, Y, W, H     int
	LabelX, ValueY int
	Day            string // "Mon"
	Date           string // "4 Mar"
	Count          int
	Today          bool
}

func newWeekChart(days []app.DayCount, today medic.Date) weekChart {
	const width, height, top, bottom, slot, barW = 560, 200, 24, 170, 80, 48
	c := weekChart{Width: width, Height: height, Baseline: bottom}
	most := 1
	for _, d := range days {
		most = max(most, d.Count)
		c.Total += d.Count
	}
	parts := make([]string, 0, len(days))
	for i, d := range days {
		h := d.Count * (bottom - top) / most
		if d.Count > 0 && h < 2 {
			h = 2
		}
		x := i*slot + (slot-barW)/2
		c.Bars = append(c.Bars, chartBar{X: x, Y: bottom - h, W: barW, H: h, LabelX: x + barW/2, ValueY: bottom - h - 6,
			Day: d.Day.Weekday().String()[:3], Date: d.Day.Time().Format("2 Jan"), Count: d.Count, Today: d.Day.Equal(today)})
		parts = append(parts, fmt.Sprintf("%s %d", d.Day.Weekday().String()[:3], d.Count))
	}
	c.Summary = fmt.Sprintf("%d appointments this week: %s.", c.Total, strings.Join(parts, ", "))
	return c
}

// switchPractice moves the desk to another practice of the visitor; the
// session is replaced by a new one (new cookie token).
func (h *Handler) switchPractice(w http.ResponseWriter, r *http.Request, v *visitor) {
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	ref := r.PostForm.Get("practice")
	if ref == "" {
		h.fail(w, r, errNotFound)
		return
	}
	out, err := h.app.SwitchPractice(r.Context(), v.session, v.user, ref)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.cookie.Set(w, out.Token)
	seeOther(w, r, "/?m=switched")
}
