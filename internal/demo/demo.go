// Package demo loads the demo platform that `medic demo` serves: two
// practices with staff in every role, a user in both, a platform operator,
// and in each practice two locations, three practitioners with weekly
// schedules, appointment types, 120 patients and appointments over the
// coming two weeks. Loading is idempotent: it creates what is missing (by
// natural keys: slugs, emails, names; an appointment where the practitioner
// has none at that start), puts back what a visitor changed that would
// break the demo (a suspended practice, required or enabled 2FA, passwords,
// roles, a practitioner made inactive) and leaves the rest alone, so a
// second load changes nothing.
package demo

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"medic"
	"medic/internal/auth"
)

// DefaultPassword is every demo account's password unless
// MEDIC_DEMO_PASSWORD says otherwise.
const DefaultPassword = "demo-password"

// demoTimeZone is the demo practices' time zone.
const demoTimeZone = "Africa/Johannesburg"

// Store is what loading needs: the store's services and its transactions.
type Store interface {
	medic.Transactor
	medic.UserService
	medic.PracticeService
	medic.PlatformService
	medic.MemberService
	medic.LocationService
	medic.AuditService
	medic.PatientService
	medic.PractitionerService
	medic.ScheduleService
	medic.AppointmentTypeService
	medic.AppointmentService
	medic.EncounterService
	medic.VitalsService
	medic.ClinicalListService
	medic.DiagnosisService
	medic.ReferralService
	medic.SickNoteService
	medic.MedicineService
	medic.PrescriptionService
	medic.OrderService
	medic.NotificationService
	medic.TariffService
	medic.InvoiceService
}

// Account is a demo sign-in.
type Account struct {
	Email    string
	Name     string
	Operator bool
	Roles    map[string]medic.Role // practice slug -> role
}

// Describe says what the account is, e.g. "doctor at sunrise, admin at harbour".
func (a Account) Describe() string {
	var parts []string
	if a.Operator {
		parts = append(parts, "platform operator")
	}
	slugs := make([]string, 0, len(a.Roles))
	for s := range a.Roles {
		slugs = append(slugs, s)
	}
	sort.Slice(slugs, func(i, j int) bool { return practiceOrder(slugs[i]) < practiceOrder(slugs[j]) })
	for _, s := range slugs {
		parts = append(parts, string(a.Roles[s])+" at "+s)
	}
	return strings.Join(parts, ", ")
}

func practiceOrder(slug string) int {
	for i, p := range practices {
		if p.Slug == slug {
			return i
		}
	}
	return len(practices)
}

// Accounts lists the demo sign-ins in the order they are shown.
func Accounts() []Account {
	out := make([]Account, len(accounts))
	for i, a := range accounts {
		out[i] = a
		out[i].Roles = make(map[string]medic.Role, len(a.Roles))
		for k, v := range a.Roles {
			out[i].Roles[k] = v
		}
	}
	return out
}

// Practices lists the demo practices' slugs and names.
func Practices() []medic.Practice {
	out := make([]medic.Practice, len(practices))
	for i, p := range practices {
		out[i] = medic.Practice{Slug: p.Slug, Name: p.Name}
	}
	return out
}

// Load puts the demo platform into s. Every account gets password, which
// must meet the password policy. Running it again changes nothing.
func Load(ctx context.Context, s Store, password string, clock medic.Clock) error {
	if err := auth.ValidatePassword(password); err != nil {
		return fmt.Errorf("demo password: %w", err)
	}
	if clock == nil {
		clock = medic.SystemClock{}
	}
	l := &loader{s: s, password: password, clock: clock, checked: map[string]bool{}}
	// One transaction: the demo is there whole or not at all. The loader is
	// the system (no user; "system:demo" in the audit log); it runs outside
	// any practice except where it works in one explicitly.
	ctx = medic.WithActor(ctx, medic.Actor{Email: "system:demo"})
	return s.InTx(ctx, l.load)
}

type loader struct {
	s        Store
	password string
	clock    medic.Clock
	hash     string          // the password hashed once per load, shared by new accounts
	checked  map[string]bool // stored hash -> whether password matches it
}

func (l *loader) load(ctx context.Context) error {
	ids := map[string]*medic.Practice{}
	changed := map[string][]string{} // practice slug (or "" for the platform) -> what changed
	for _, spec := range practices {
		p, created, err := l.practice(ctx, spec)
		if err != nil {
			return fmt.Errorf("practice %s: %w", spec.Slug, err)
		}
		ids[spec.Slug] = p
		if created {
			changed[spec.Slug] = append(changed[spec.Slug], "practice created")
			changed[""] = append(changed[""], "practice "+spec.Slug+" created")
			continue
		}
		if p.Status != medic.PracticeActive {
			if err := l.s.SetPracticeStatus(ctx, p.ID, medic.PracticeActive); err != nil {
				return fmt.Errorf("practice %s: %w", spec.Slug, err)
			}
			p.Status = medic.PracticeActive
			changed[spec.Slug] = append(changed[spec.Slug], "practice reactivated")
			changed[""] = append(changed[""], "practice "+spec.Slug+" reactivated")
		}
		what, err := l.practiceSettings(ctx, p)
		if err != nil {
			return fmt.Errorf("practice %s: %w", spec.Slug, err)
		}
		changed[spec.Slug] = append(changed[spec.Slug], what...)
	}
	users := map[string]*medic.User{}
	for _, a := range accounts {
		u, what, err := l.user(ctx, a)
		if err != nil {
			return fmt.Errorf("user %s: %w", a.Email, err)
		}
		users[a.Email] = u
		if what != "" {
			changed[""] = append(changed[""], a.Email+" "+what)
		}
	}
	for _, spec := range practices {
		p := ids[spec.Slug]
		tctx := medic.WithTenant(ctx, medic.Tenant{PracticeID: p.ID, Slug: p.Slug, Name: p.Name, TimeZone: p.TimeZone})
		members := map[string]*medic.Member{} // account email -> membership
		for _, a := range accounts {
			role, ok := a.Roles[spec.Slug]
			if !ok {
				continue
			}
			m, what, err := l.member(tctx, users[a.Email], role)
			if err != nil {
				return fmt.Errorf("member %s of %s: %w", a.Email, spec.Slug, err)
			}
			members[a.Email] = m
			if what != "" {
				changed[spec.Slug] = append(changed[spec.Slug], a.Email+" "+what)
			}
		}
		locs, created, err := l.locations(tctx, spec.Locations)
		if err != nil {
			return fmt.Errorf("locations of %s: %w", spec.Slug, err)
		}
		for _, name := range created {
			changed[spec.Slug] = append(changed[spec.Slug], "location "+name+" created")
		}
		what, err := l.scheduling(tctx, spec, p, locs, members)
		if err != nil {
			return fmt.Errorf("scheduling of %s: %w", spec.Slug, err)
		}
		changed[spec.Slug] = append(changed[spec.Slug], what...)
		// Allergies, problems, the showcase charts, referrals, sick notes and prescriptions are recorded by the practice's
		// doctor (their author shows on the chart), not by "the system".
		dctx := tctx
		if u := users["doctor@"+spec.Slug+".example"]; u != nil {
			dctx = medic.WithActor(tctx, medic.Actor{UserID: u.ID, Email: u.Email})
		}
		if what, err = l.vitals(dctx, p, locs); err != nil {
			return fmt.Errorf("vitals of %s: %w", spec.Slug, err)
		}
		changed[spec.Slug] = append(changed[spec.Slug], what...)
		if what, err = l.clinicalLists(dctx, p); err != nil {
			return fmt.Errorf("allergies and problems of %s: %w", spec.Slug, err)
		}
		changed[spec.Slug] = append(changed[spec.Slug], what...)
		if what, err = l.encounters(tctx, p, locs); err != nil {
			return fmt.Errorf("encounters of %s: %w", spec.Slug, err)
		}
		changed[spec.Slug] = append(changed[spec.Slug], what...)
		if what, err = l.referrals(dctx, p); err != nil {
			return fmt.Errorf("referrals of %s: %w", spec.Slug, err)
		}
		changed[spec.Slug] = append(changed[spec.Slug], what...)
		if what, err = l.sickNotes(dctx, p); err != nil {
			return fmt.Errorf("sick notes of %s: %w", spec.Slug, err)
		}
		changed[spec.Slug] = append(changed[spec.Slug], what...)
		if what, err = l.prescriptions(dctx, p); err != nil {
			return fmt.Errorf("prescriptions of %s: %w", spec.Slug, err)
		}
		changed[spec.Slug] = append(changed[spec.Slug], what...)
		// Invoices and payments are the billing clerk's.
		bctx := tctx
		if u := users["billing@"+spec.Slug+".example"]; u != nil {
			bctx = medic.WithActor(tctx, medic.Actor{UserID: u.ID, Email: u.Email})
		}
		if what, err = l.billing(bctx, p); err != nil {
			return fmt.Errorf("invoices of %s: %w", spec.Slug, err)
		}
		changed[spec.Slug] = append(changed[spec.Slug], what...)
		if len(changed[spec.Slug]) > 0 {
			if err := l.s.Record(tctx, l.event(p.ID, changed[spec.Slug])); err != nil {
				return err
			}
		}
	}
	if len(changed[""]) > 0 {
		if err := l.s.RecordPlatform(ctx, l.event("", changed[""])); err != nil {
			return err
		}
	}
	return nil
}

// event is the one audit entry a load writes per log it changed.
func (l *loader) event(practiceID string, changes []string) medic.AuditEvent {
	e := medic.AuditEvent{
		Action:     "demo.loaded",
		OccurredAt: l.clock.Now(),
		Detail:     map[string]string{"changes": fmt.Sprint(len(changes)), "summary": truncate(strings.Join(changes, "; "), 900)},
	}
	if practiceID != "" {
		e.EntityType, e.EntityID = "practice", practiceID
	}
	return e
}

func (l *loader) practice(ctx context.Context, spec practiceSpec) (*medic.Practice, bool, error) {
	p, err := l.s.FindPracticeByRef(ctx, spec.Slug)
	if err == nil {
		return p, false, nil
	}
	if medic.ErrorCode(err) != medic.ENOTFOUND {
		return nil, false, err
	}
	p = &medic.Practice{
		Slug: spec.Slug, Name: spec.Name, Type: medic.PracticeClinic, Email: spec.Email, Phone: spec.Phone,
		Address: spec.Address, RegistrationNumber: spec.RegistrationNumber, TimeZone: demoTimeZone,
		Branding: spec.Branding, Booking: medic.DefaultBooking,
	}
	// Online bookings are announced to the practice's admin, so the demo
	// shows the mail as well as the desk notification.
	p.Booking.NotifyEmail = "admin@" + spec.Slug + ".example"
	if p.Phone, err = medic.NormalizePhone(p.Phone); err != nil {
		return nil, false, err
	}
	if err := p.Validate(); err != nil {
		return nil, false, err
	}
	if err := l.s.CreatePractice(ctx, p); err != nil {
		return nil, false, err
	}
	return p, true, nil
}

// practiceSettings puts back the settings a visitor could change that
// would stop the demo working: required 2FA (demo accounts have none) and
// the time zone its schedules are laid out in.
func (l *loader) practiceSettings(ctx context.Context, p *medic.Practice) ([]string, error) {
	var what []string
	if p.Require2FA {
		p.Require2FA = false
		what = append(what, "2FA no longer required")
	}
	if p.TimeZone != demoTimeZone {
		p.TimeZone = demoTimeZone
		what = append(what, "time zone put back to "+demoTimeZone)
	}
	if len(what) == 0 {
		return nil, nil
	}
	tctx := medic.WithTenant(ctx, medic.Tenant{PracticeID: p.ID, Slug: p.Slug, Name: p.Name, TimeZone: p.TimeZone})
	if err := l.s.UpdatePractice(tctx, p); err != nil {
		return nil, err
	}
	return what, nil
}

// user finds or creates the account and puts back its password and operator
// flag; what says what it changed ("" for nothing).
func (l *loader) user(ctx context.Context, a Account) (u *medic.User, what string, err error) {
	u, err = l.s.FindUserByEmail(ctx, a.Email)
	if medic.ErrorCode(err) == medic.ENOTFOUND {
		hash, err := l.passwordHash()
		if err != nil {
			return nil, "", err
		}
		u = &medic.User{Email: a.Email, Name: a.Name, PasswordHash: hash, IsOperator: a.Operator}
		if err := l.s.CreateUser(ctx, u); err != nil {
			return nil, "", err
		}
		return u, "created", nil
	} else if err != nil {
		return nil, "", err
	}
	var changes []string
	if !l.passwordMatches(u.PasswordHash) {
		hash, err := l.passwordHash()
		if err != nil {
			return nil, "", err
		}
		if err := l.s.SetPassword(ctx, u.ID, hash); err != nil {
			return nil, "", err
		}
		u.PasswordHash = hash
		changes = append(changes, "password reset")
	}
	if u.TOTPEnabled || u.TOTPSecret != "" {
		// A visitor turned on 2FA (or began to): the next visitor could
		// not sign in with the published password alone.
		if err := l.s.SetTOTP(ctx, u.ID, "", false); err != nil {
			return nil, "", err
		}
		u.TOTPEnabled, u.TOTPSecret = false, ""
		changes = append(changes, "2FA turned off")
	}
	if a.Operator && !u.IsOperator {
		if err := l.s.SetOperator(ctx, u.ID, true); err != nil {
			return nil, "", err
		}
		u.IsOperator = true
		changes = append(changes, "made operator")
	}
	return u, strings.Join(changes, ", "), nil
}

// member makes u an active member of the practice in ctx with role.
func (l *loader) member(ctx context.Context, u *medic.User, role medic.Role) (*medic.Member, string, error) {
	m, err := l.s.FindMemberByUser(ctx, u.ID)
	if medic.ErrorCode(err) == medic.ENOTFOUND {
		m = &medic.Member{UserID: u.ID, Role: role, Active: true}
		if err := l.s.CreateMember(ctx, m); err != nil {
			return nil, "", err
		}
		return m, "joined as " + string(role), nil
	} else if err != nil {
		return nil, "", err
	}
	if m.Role == role && m.Active {
		return m, "", nil
	}
	m.Role, m.Active = role, true
	if err := l.s.UpdateMember(ctx, m); err != nil {
		return nil, "", err
	}
	return m, "restored as active " + string(role), nil
}

// locations creates the practice's demo locations that are missing (by
// name) and returns them in the order of specs.
func (l *loader) locations(ctx context.Context, specs []medic.Location) (out []*medic.Location, created []string, err error) {
	have := map[string]*medic.Location{}
	page := medic.Page{Limit: medic.MaxLimit}
	for {
		ls, next, err := l.s.ListLocations(ctx, page)
		if err != nil {
			return nil, nil, err
		}
		for _, loc := range ls {
			if have[loc.Name] == nil {
				have[loc.Name] = loc
			}
		}
		if next == "" {
			break
		}
		page.Cursor = next
	}
	for _, spec := range specs {
		if have[spec.Name] != nil {
			out = append(out, have[spec.Name])
			continue
		}
		loc := spec
		loc.Hours = medic.WeekHours{}
		for d, h := range spec.Hours {
			loc.Hours[d] = h
		}
		loc.Active = true
		if err := loc.Validate(); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", spec.Name, err)
		}
		if err := l.s.CreateLocation(ctx, &loc); err != nil {
			return nil, nil, err
		}
		out = append(out, &loc)
		created = append(created, spec.Name)
	}
	return out, created, nil
}

func (l *loader) passwordHash() (string, error) {
	if l.hash == "" {
		h, err := auth.HashPassword(l.password)
		if err != nil {
			return "", err
		}
		l.hash = h
		l.checked[h] = true
	}
	return l.hash, nil
}

// passwordMatches checks a stored hash once per load: accounts created
// together share one hash, so a reload costs one argon2 check, not twelve.
func (l *loader) passwordMatches(hash string) bool {
	ok, seen := l.checked[hash]
	if !seen {
		ok, _ = auth.CheckPassword(hash, l.password)
		l.checked[hash] = ok
	}
	return ok
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
