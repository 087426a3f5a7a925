package app

import (
	"context"
	"sort"
	"strconv"
	"time"

	"medic"
)

// InvalidValue names a stored value that today's validation refuses: where
// it is, never what it is (it may be patient data).
type InvalidValue struct {
	PracticeID string // "" for platform data (users)
	Table      string
	Field      string
	ID         string
}

// CheckScope says how much CheckStoredValues reads.
type CheckScope struct {
	// Charts also checks patients and appointments (every chart of every
	// practice: for `medic check`, not for every start).
	Charts bool
}

// CheckStoredValues re-validates stored values with the rules of today:
// practices, locations, practitioners, appointment types, schedule
// exceptions, member and token names and, with scope.Charts, patients and
// appointments. Values stored before a rule existed, or written around the
// use cases, show up here. It is a system task: no permission check; a
// practice whose charts are read gets one data.checked audit event.
func (a *App) CheckStoredValues(ctx context.Context, scope CheckScope) ([]InvalidValue, error) {
	ctx = medic.WithActor(ctx, medic.Actor{Email: "system:check"})
	practices, err := a.Platform.ListPractices(ctx)
	if err != nil {
		return nil, err
	}
	var out []InvalidValue
	for _, p := range practices {
		c := checker{practice: p.ID}
		check := *p
		c.add("practices", p.ID, check.Validate())
		tctx := medic.WithTenant(ctx, medic.Tenant{PracticeID: p.ID, Slug: p.Slug, Name: p.Name, TimeZone: p.TimeZone})
		if err := a.checkPractice(tctx, &c, scope); err != nil {
			return nil, err
		}
		out = append(out, c.found...)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Table < out[j].Table })
	return out, nil
}

// checker collects the invalid fields of one practice.
type checker struct {
	practice string
	found    []InvalidValue
	seen     map[string]bool
}

// add records every field err names (EINVALID only).
func (c *checker) add(table, id string, err error) {
	fields := medic.ErrorFields(err)
	names := make([]string, 0, len(fields))
	for f := range fields {
		names = append(names, f)
	}
	sort.Strings(names)
	for _, f := range names {
		c.addField(table, f, id)
	}
}

func (c *checker) addField(table, field, id string) {
	practice := c.practice
	if table == "users" {
		practice = "" // platform data, one report however many practices
	}
	key := practice + "/" + table + "/" + field + "/" + id
	if c.seen == nil {
		c.seen = map[string]bool{}
	}
	if !c.seen[key] {
		c.seen[key] = true
		c.found = append(c.found, InvalidValue{PracticeID: practice, Table: table, Field: field, ID: id})
	}
}

func (a *App) checkPractice(ctx context.Context, c *checker, scope CheckScope) error {
	err := a.Tx.InTx(ctx, func(ctx context.Context) error {
		for page := (medic.Page{Limit: medic.MaxLimit}); ; {
			ls, next, err := a.Locations.ListLocations(ctx, page)
			if err != nil {
				return err
			}
			for _, l := range ls {
				c.add("locations", l.ID, l.Validate())
			}
			if page.Cursor = next; next == "" {
				break
			}
		}
		prs, err := a.everyPractitioner(ctx)
		if err != nil {
			return err
		}
		for _, p := range prs {
			c.add("practitioners", p.ID, p.Validate())
		}
		types, err := a.AppointmentTypes.ListAppointmentTypes(ctx)
		if err != nil {
			return err
		}
		for _, t := range types {
			c.add("appointment_types", t.ID, t.Validate())
		}
		exs, err := a.Schedules.ListScheduleExceptions(ctx, "", time.Unix(0, 0), time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC))
		if err != nil {
			return err
		}
		for _, e := range exs {
			c.add("schedule_exceptions", e.ID, e.Validate())
		}
		for page := (medic.Page{Limit: medic.MaxLimit}); ; {
			ms, next, err := a.Members.ListMembers(ctx, page)
			if err != nil {
				return err
			}
			for _, m := range ms {
				if _, err := medic.ValidateName(m.Name); err != nil {
					c.addField("users", "name", m.UserID)
				}
				tokens, err := a.Tokens.ListAPITokens(ctx, m.UserID)
				if err != nil {
					return err
				}
				for _, t := range tokens {
					if _, err := medic.ValidateName(t.Name); err != nil && t.PracticeID == c.practice {
						c.addField("api_tokens", "name", t.ID)
					}
				}
			}
			if page.Cursor = next; next == "" {
				break
			}
		}
		return nil
	})
	if err != nil || !scope.Charts {
		return err
	}
	return a.checkCharts(ctx, c)
}

// checkCharts reads every chart and appointment of the practice in
// context, a page per transaction, and audits the read once.
func (a *App) checkCharts(ctx context.Context, c *checker) error {
	today := a.today(ctx)
	patients, appointments := 0, 0
	for page := (medic.Page{Limit: medic.MaxLimit}); ; {
		var next string
		err := a.Tx.InTx(ctx, func(ctx context.Context) error {
			ps, n, err := a.Patients.SearchPatients(ctx, medic.PatientFilter{Sort: "created", IncludeInactive: true}, page)
			for _, p := range ps {
				c.add("patients", p.ID, p.Validate(today))
			}
			patients += len(ps)
			next = n
			return err
		})
		if err != nil {
			return err
		}
		if page.Cursor = next; next == "" {
			break
		}
	}
	for page := (medic.Page{Limit: medic.MaxLimit}); ; {
		var next string
		err := a.Tx.InTx(ctx, func(ctx context.Context) error {
			as, n, err := a.Appointments.ListAppointments(ctx, medic.AppointmentFilter{}, page)
			for _, ap := range as {
				c.add("appointments", ap.ID, ap.CheckText())
			}
			appointments += len(as)
			next = n
			return err
		})
		if err != nil {
			return err
		}
		if page.Cursor = next; next == "" {
			break
		}
	}
	return a.Tx.InTx(ctx, func(ctx context.Context) error {
		return a.audit(ctx, "data.checked", "practice", c.practice, map[string]string{
			"patients": strconv.Itoa(patients), "appointments": strconv.Itoa(appointments), "invalid": strconv.Itoa(len(c.found))})
	})
}
