package web

import "medic"

// navEntry is a link of the desk's top bar. The table below is the one
// place that says which links a visitor sees: a new page adds its row.
type navEntry struct {
	Key   string // page.Nav of the pages it leads to
	Label string
	Href  string
	// Perm is what the role must hold; "" is any member (with Practice) or
	// anyone signed in.
	Perm     medic.Permission
	Practice bool // only inside a practice
	Operator bool // only for platform operators
	// Menu puts the link under the "Practice" menu (administration and
	// reference pages) instead of the bar itself.
	Menu bool
}

var deskNav = []navEntry{
	{Key: "dashboard", Label: "Dashboard", Href: "/"},
	{Key: "patients", Label: "Patients", Href: "/patients", Perm: medic.PermPatientsRead, Practice: true},
	{Key: "calendar", Label: "Calendar", Href: "/calendar", Perm: medic.PermAppointmentsRead, Practice: true},
	{Key: "today", Label: "Today", Href: "/today", Perm: medic.PermAppointmentsRead, Practice: true},
	{Key: "queue", Label: "Queue", Href: "/queue", Perm: medic.PermAppointmentsRead, Practice: true},
	{Key: "referrals", Label: "Referrals", Href: "/referrals", Perm: medic.PermClinicalRead, Practice: true},
	{Key: "orders", Label: "Orders", Href: "/orders", Perm: medic.PermClinicalRead, Practice: true},
	{Key: "review", Label: "To review", Href: "/orders/review", Perm: medic.PermClinicalWrite, Practice: true},
	{Key: "claims", Label: "Claims", Href: "/claims", Perm: medic.PermClaimsManage, Practice: true},
	{Key: "billing", Label: "Billing", Href: "/billing", Perm: medic.PermInvoicesCreate, Practice: true},
	{Key: "notifications", Label: "Notifications", Href: "/notifications", Perm: medic.PermAppointmentsRead, Practice: true},
	{Key: "operator", Label: "Operator", Href: "/operator", Operator: true},
	{Key: "account", Label: "Account", Href: "/account"},

	{Key: "practitioners", Label: "Practitioners", Href: "/practitioners", Perm: medic.PermSchedulesManage, Practice: true, Menu: true},
	{Key: "schedules", Label: "Schedules", Href: "/schedules", Perm: medic.PermSchedulesManage, Practice: true, Menu: true},
	{Key: "appointment-types", Label: "Appointment types", Href: "/appointment-types", Perm: medic.PermSchedulesManage, Practice: true, Menu: true},
	{Key: "tariffs", Label: "Tariff codes", Href: "/tariffs", Perm: medic.PermInvoicesRead, Practice: true, Menu: true},
	{Key: "medicines", Label: "Medicines", Href: "/medicines", Perm: medic.PermPrescriptionsRead, Practice: true, Menu: true},
	{Key: "locations", Label: "Locations", Href: "/locations", Practice: true, Menu: true},
	{Key: "members", Label: "Members", Href: "/members", Practice: true, Menu: true},
	{Key: "settings", Label: "Settings", Href: "/settings", Perm: medic.PermSettingsManage, Practice: true, Menu: true},
	{Key: "encounter-templates", Label: "Encounter templates", Href: "/encounter-templates", Perm: medic.PermSettingsManage, Practice: true, Menu: true},
	{Key: "outbox", Label: "Outbox", Href: "/outbox", Perm: medic.PermSettingsManage, Practice: true, Menu: true},
	{Key: "audit", Label: "Audit log", Href: "/audit", Perm: medic.PermAuditRead, Practice: true, Menu: true},
}

// navLink is a navEntry as a page shows it.
type navLink struct {
	navEntry
	Current bool
	Badge   int // unread notifications; results to review
	// BadgeWords finish the badge's number for a screen reader.
	BadgeWords string
}

// navShows reports whether the page's visitor sees e.
func (p *page) navShows(e navEntry) bool {
	switch {
	case p.User == nil:
		return false
	case e.Operator:
		return p.IsOperator()
	case e.Practice && p.Practice == nil:
		return false
	case e.Perm != "":
		return p.Can(e.Perm)
	}
	return true
}

func (p *page) navLinks(menu bool) []navLink {
	var out []navLink
	for _, e := range deskNav {
		if e.Menu != menu || !p.navShows(e) {
			continue
		}
		l := navLink{navEntry: e, Current: e.Key == p.Nav}
		switch e.Key {
		case "notifications":
			l.Badge, l.BadgeWords = p.Unread, " unread"
		case "review":
			l.Badge, l.BadgeWords = p.ToReview, " results"
		}
		out = append(out, l)
	}
	return out
}

// MainNav is the links of the top bar itself.
func (p *page) MainNav() []navLink { return p.navLinks(false) }

// MenuNav is the links of the "Practice" menu.
func (p *page) MenuNav() []navLink { return p.navLinks(true) }

// MenuCurrent reports whether the current page is one of the menu's.
func (p *page) MenuCurrent() bool {
	for _, l := range p.MenuNav() {
		if l.Current {
			return true
		}
	}
	return false
}
