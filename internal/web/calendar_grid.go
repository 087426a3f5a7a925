package web

import (
	"html/template"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"medic"
)

// dayGrid is the calendar's day as a scheduler: a row per slot length, a
// column per practitioner working (or booked) that day, working time
// apart from closed time, every free time a link to book it, and the
// appointments as blocks as long as they last. Placement is by class
// (calendar-grid.css): the CSP allows no style attributes.
type dayGrid struct {
	Cols      int // practitioner columns
	StepLabel string
	Times     []gridTime
	Columns   []gridColumn
	NowRow    int // the grid row of the current time, 0 when not on this day
	NowLabel  string
}

// gridTime labels a row (every row; the template shows the full hours).
type gridTime struct {
	Row   int
	Label string
	Hour  bool
	At    string // the row's start, RFC 3339 (where grid.js moves a block to)
}

type gridColumn struct {
	Col      int
	Name     string
	ID       string
	Location string // where the practitioner works that day (their first slot's location)
	Cells    []gridCell
	Blocks   []gridBlock
}

// gridCell is one slot-length of a practitioner's day.
type gridCell struct {
	Row   int
	Kind  string // "closed", "free", "full" (working, no place left)
	URL   string // booking this time, when free
	Label string // "09:15"
}

type gridBlock struct {
	*medic.Appointment
	Row, Span int
	Last      int // the block's last row (where its actions sit)
	// Lane of Lanes: overlapping blocks in a column stand side by side.
	Lane, Lanes int
}

// gridMaxLanes caps the side-by-side lanes (more overlap in the last).
const gridMaxLanes = 4

const (
	gridMaxCols = 40
	gridMaxRows = 288
)

// newDayGrid lays out day's slots (working times, full ones included) and
// appointments; practitioners in directory order.
func newDayGrid(dir *directory, day medic.Date, loc *time.Location, now time.Time, slots []medic.Slot, as []*medic.Appointment) *dayGrid {
	g := &dayGrid{}
	start := day.In(loc)
	minute := func(t time.Time) int { return int(t.Sub(start) / time.Minute) }
	step := 0
	lo, hi := 7*60, 18*60
	for _, s := range slots {
		if l := int(s.End.Sub(s.Start) / time.Minute); l > 0 && (step == 0 || l < step) {
			step = l
		}
		lo, hi = min(lo, minute(s.Start)), max(hi, minute(s.End))
	}
	for _, a := range as {
		lo, hi = min(lo, minute(a.Start)), max(hi, minute(a.End))
	}
	if step < 5 {
		step = 15
	}
	lo, hi = max(0, lo-lo%step), min(24*60, hi)
	if r := hi % step; r != 0 {
		hi += step - r
	}
	rows := min((hi-lo)/step, gridMaxRows)
	g.StepLabel = minutesLabel(step)
	for i := 0; i < rows; i++ {
		m := lo + i*step
		g.Times = append(g.Times, gridTime{Row: i + 2, Label: clockLabel(m), Hour: m%60 == 0,
			At: start.Add(time.Duration(m) * time.Minute).UTC().Format(time.RFC3339)})
	}
	rowOf := func(t time.Time) int { return (minute(t)-lo)/step + 2 }

	// Columns: practitioners with working time or appointments that day.
	used := map[string]bool{}
	for _, s := range slots {
		used[s.PractitionerID] = true
	}
	for _, a := range as {
		used[a.PractitionerID] = true
	}
	col := map[string]*gridColumn{}
	for _, p := range dir.Practitioners {
		if !used[p.ID] || len(g.Columns) == gridMaxCols {
			continue
		}
		g.Columns = append(g.Columns, gridColumn{Col: len(g.Columns) + 2, Name: p.Name, ID: p.ID})
	}
	for i := range g.Columns {
		c := &g.Columns[i]
		col[c.ID] = c
		c.Cells = make([]gridCell, rows)
		for r := range c.Cells {
			c.Cells[r] = gridCell{Row: r + 2, Kind: "closed", Label: g.Times[r].Label}
		}
	}
	g.Cols = len(g.Columns)
	for _, s := range slots {
		c := col[s.PractitionerID]
		if c == nil {
			continue
		}
		if c.Location == "" {
			c.Location = s.LocationID
		}
		first, last := rowOf(s.Start)-2, rowOf(s.End.Add(-time.Minute))-2
		for r := max(0, first); r <= last && r < rows; r++ {
			if c.Cells[r].Kind == "closed" {
				c.Cells[r].Kind = "full"
			}
		}
		if first >= 0 && first < rows && s.Remaining > 0 && c.Cells[first].URL == "" {
			c.Cells[first].Kind = "free"
			v := url.Values{"practitioner": {s.PractitionerID}, "location": {s.LocationID}, "date": {day.String()},
				"start": {s.Start.UTC().Format(time.RFC3339)}}
			c.Cells[first].URL = "/appointments/new?" + v.Encode()
		}
	}
	for _, a := range as {
		c := col[a.PractitionerID]
		if c == nil {
			continue
		}
		row := max(2, rowOf(a.Start))
		if row >= rows+2 {
			continue
		}
		span := max(1, (minute(a.End)-lo+step-1)/step+2-row)
		span = min(span, rows+2-row)
		c.Blocks = append(c.Blocks, gridBlock{Appointment: a, Row: row, Span: span, Last: row + span - 1})
	}
	for i := range g.Columns {
		layLanes(g.Columns[i].Blocks)
	}
	if medic.DateOf(now.In(loc)).Equal(day) {
		if m := minute(now); m >= lo && m < lo+rows*step {
			g.NowRow, g.NowLabel = (m-lo)/step+2, now.In(loc).Format("15:04")
		}
	}
	return g
}

func clockLabel(m int) string {
	return time.Date(2000, 1, 1, m/60, m%60, 0, 0, time.UTC).Format("15:04")
}

// layLanes puts overlapping blocks (in start order) side by side: each
// takes the first lane free at its row; a run of overlapping blocks
// shares one lane count, so they split the column evenly.
func layLanes(bs []gridBlock) {
	sort.SliceStable(bs, func(i, j int) bool { return bs[i].Row < bs[j].Row })
	var ends []int // per lane, the row after its last block
	first := 0     // the run's first block
	runEnd := 0
	closeRun := func(upto int) {
		for k := first; k < upto; k++ {
			bs[k].Lanes = len(ends)
		}
	}
	for i := range bs {
		b := &bs[i]
		if b.Row >= runEnd && i > first {
			closeRun(i)
			ends, first = nil, i
		}
		lane := -1
		for l, e := range ends {
			if e <= b.Row {
				lane = l
				break
			}
		}
		switch {
		case lane >= 0:
			ends[lane] = b.Row + b.Span
		case len(ends) < gridMaxLanes:
			lane = len(ends)
			ends = append(ends, b.Row+b.Span)
		default:
			lane = gridMaxLanes - 1
			ends[lane] = max(ends[lane], b.Row+b.Span)
		}
		b.Lane = lane
		runEnd = max(runEnd, b.Row+b.Span)
	}
	closeRun(len(bs))
}

// gridMarkup writes the grid's cells and blocks, the bulk of a day of a
// large practice (20 practitioners: some 900 cells and 400 blocks), as
// HTML in Go: through the template each field and call is a reflection,
// about 20 ms of CPU a view, where the target is 50 ms at the server for
// the whole request (docs/performance.md). Every value is escaped as the
// template would (text and quoted attributes alike; the hrefs are the
// desk's own paths); the badges and the consultation button come from
// their partials in t, rendered once per distinct value, so they stay
// defined in one place.
func (g *dayGrid) markup(t *template.Template, p *page, d *calendarView) (template.HTML, error) {
	var b strings.Builder
	b.Grow(1 << 19)
	esc := template.HTMLEscapeString
	num := strconv.Itoa
	partials := map[string]string{}
	partial := func(name string, data any, key string) (string, error) {
		if key != "" {
			if s, ok := partials[name+"\x00"+key]; ok {
				return s, nil
			}
		}
		var buf strings.Builder
		if err := t.ExecuteTemplate(&buf, name, data); err != nil {
			return "", err
		}
		if key != "" {
			partials[name+"\x00"+key] = buf.String()
		}
		return buf.String(), nil
	}
	for ci := range g.Columns {
		c := &g.Columns[ci]
		col := num(c.Col)
		for _, cell := range c.Cells {
			if cell.URL != "" {
				b.WriteString(`<a class="sched-cell sched-free gc-` + col + ` gr-` + num(cell.Row) + `" href="` + esc(cell.URL) +
					`"><span class="sched-free-time">` + esc(cell.Label) + `</span><span class="visually-hidden"> free: book with ` + esc(c.Name) + `</span></a>`)
				continue
			}
			b.WriteString(`<div class="sched-cell sched-` + esc(cell.Kind) + ` gc-` + col + ` gr-` + num(cell.Row) + `"></div>`)
		}
		for _, bl := range c.Blocks {
			a := bl.Appointment
			id := esc(a.ID)
			b.WriteString(`<a class="sched-block appt-` + esc(string(a.Status)) + ` gc-` + col + ` gr-` + num(bl.Row) + ` gs-` + num(bl.Span))
			if bl.Lanes > 1 {
				b.WriteString(` lanes-` + num(bl.Lanes) + ` lane-` + num(bl.Lane))
			}
			b.WriteString(`" href="/appointments/` + id + `"`)
			if d.CanMove && a.Status == medic.StatusBooked {
				b.WriteString(` data-move="/appointments/` + id + `/reschedule" data-location="` + esc(a.LocationID) + `" data-col="` + col +
					`" data-row="` + num(bl.Row) + `" draggable="true" aria-describedby="move-help"`)
			}
			b.WriteString(`>
      <svg class="appt-bar" viewBox="0 0 4 10" preserveAspectRatio="none" aria-hidden="true" focusable="false"><rect width="4" height="10" fill="` + esc(a.TypeColor) + `"/></svg>
      <span class="sched-block-text"><span class="appt-time">` + esc(p.Span(a.Start, a.End)) + `</span> <span class="appt-patient">` + esc(a.PatientName) + `</span>
      <span class="appt-meta">` + esc(a.TypeName))
			if d.LocationID == "" {
				b.WriteString(` · ` + esc(a.LocationName))
			}
			b.WriteString("</span>\n      ")
			for _, pt := range [...]struct {
				name string
				data any
				key  string
			}{{"statusBadge", a.Status, string(a.Status)}, {"onlineBadge", a.Source, string(a.Source)}} {
				s, err := partial(pt.name, pt.data, pt.key)
				if err != nil {
					return "", err
				}
				b.WriteString(s)
			}
			b.WriteString("</span>\n    </a>\n")
			if cb := p.Consult(a); cb.Show {
				s, err := partial("consultButton", cb, "")
				if err != nil {
					return "", err
				}
				b.WriteString(`<div class="sched-consult gc-` + col + ` gr-` + num(bl.Last) + `">` + s + `</div>`)
			}
		}
	}
	return template.HTML(b.String()), nil // escaped above, value by value
}
