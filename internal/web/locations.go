package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"medic"
)

// locationRoutes registers the practice's locations.
func (h *Handler) locationRoutes(mux Router) {
	mux.HandleFunc("GET /locations", h.member(h.locations))
	mux.HandleFunc("GET /locations/new", h.member(h.newLocationForm))
	mux.HandleFunc("POST /locations/new", h.member(h.createLocation))
	mux.HandleFunc("GET /locations/{id}", h.member(h.locationForm))
	mux.HandleFunc("POST /locations/{id}", h.member(h.updateLocation))
	mux.HandleFunc("POST /locations/{id}/delete", h.member(h.deleteLocation))
}

// locationsView is the data of the locations list.
type locationsView struct {
	Locations []*medic.Location
	NextURL   string
}

// locationView is the data of a location's page: a form for admins, the
// details for everyone else.
type locationView struct {
	ID       string // empty for a new location
	Action   string
	Location *medic.Location
	CanEdit  bool
}

func (h *Handler) locations(w http.ResponseWriter, r *http.Request, v *visitor) {
	ls, next, err := h.app.ListLocations(r.Context(), medic.Page{Limit: 100, Cursor: r.URL.Query().Get("cursor")})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := h.page(r, "Locations", "locations")
	d := locationsView{Locations: ls}
	if next != "" {
		d.NextURL = "/locations?cursor=" + url.QueryEscape(next)
	}
	p.Data = d
	h.render(w, r, http.StatusOK, "locations", p)
}

// locationValues fills the form from a location.
func locationValues(l *medic.Location) url.Values {
	v := url.Values{}
	v.Set("name", l.Name)
	v.Set("address", l.Address)
	v.Set("phone", l.Phone)
	v.Set("email", l.Email)
	for _, d := range medic.Weekdays {
		if open, closes, ok := strings.Cut(l.Hours[d], "-"); ok {
			v.Set("open_"+d, strings.TrimSpace(open))
			v.Set("close_"+d, strings.TrimSpace(closes))
		}
	}
	if l.Latitude != nil && l.Longitude != nil {
		v.Set("latitude", strconv.FormatFloat(*l.Latitude, 'f', -1, 64))
		v.Set("longitude", strconv.FormatFloat(*l.Longitude, 'f', -1, 64))
	}
	if l.Active {
		v.Set("active", "on")
	}
	return v
}

// locationForm reads the sent fields into a form, keeping only known ones.
func locationFormFrom(r *http.Request) *form {
	keys := []string{"name", "address", "phone", "email", "latitude", "longitude", "active"}
	for _, d := range medic.Weekdays {
		keys = append(keys, "open_"+d, "close_"+d)
	}
	v := url.Values{}
	for _, k := range keys {
		if s := r.PostForm.Get(k); s != "" {
			v.Set(k, s)
		}
	}
	return newForm("location", v)
}

// applyLocation copies the form onto l; what does not parse is recorded on f.
func applyLocation(f *form, l *medic.Location) {
	get := func(k string) string { return strings.TrimSpace(f.Get(k)) }
	l.Name, l.Address, l.Phone, l.Email = get("name"), strings.TrimSpace(strings.ReplaceAll(f.Get("address"), "\r\n", "\n")), get("phone"), get("email")
	l.Hours = medic.WeekHours{}
	for _, d := range medic.Weekdays {
		open, closes := get("open_"+d), get("close_"+d)
		switch {
		case open == "" && closes == "":
		case open == "" || closes == "":
			f.fail("hours."+d, "Give both the opening and the closing time, or neither (closed).")
		default:
			l.Hours[d] = open + "-" + closes
		}
	}
	lat, lng := get("latitude"), get("longitude")
	l.Latitude, l.Longitude = nil, nil
	if lat != "" || lng != "" {
		if x, err := strconv.ParseFloat(lat, 64); err == nil {
			l.Latitude = &x
		} else if lat != "" {
			f.fail("latitude", "Enter a number such as -33.9249.")
		}
		if y, err := strconv.ParseFloat(lng, 64); err == nil {
			l.Longitude = &y
		} else if lng != "" {
			f.fail("longitude", "Enter a number such as 18.4241.")
		}
	}
	l.Active = f.Checked("active")
}

func (h *Handler) renderLocation(w http.ResponseWriter, r *http.Request, status int, v *visitor, l *medic.Location, f *form) {
	title := "New location"
	d := locationView{Action: "/locations/new", Location: l, CanEdit: v.tenant.Can(medic.PermSettingsManage)}
	if l.ID != "" {
		title, d.ID, d.Action = l.Name, l.ID, "/locations/"+url.PathEscape(l.ID)
	}
	p := h.page(r, title, "locations").withForm(f)
	p.Data = d
	h.render(w, r, status, "location", p)
}

func (h *Handler) newLocationForm(w http.ResponseWriter, r *http.Request, v *visitor) {
	if !h.offers(w, r, "location.create") {
		return
	}
	l := &medic.Location{Active: true}
	h.renderLocation(w, r, http.StatusOK, v, l, newForm("location", locationValues(l)))
}

// saveLocation validates the sent form and hands l to save; on any error
// the form comes back with the sent values and nothing is saved.
func (h *Handler) saveLocation(w http.ResponseWriter, r *http.Request, v *visitor, action string, l *medic.Location, save func(*medic.Location) error, done string) {
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	f := locationFormFrom(r)
	rerender := func(status int) { h.renderLocation(w, r, status, v, l, f) }
	applyLocation(f, l)
	if f.err() != nil {
		if err := l.Validate(); err != nil {
			f.failFields(err)
		}
		h.actionFormFail(w, r, action, f.err(), f, rerender)
		return
	}
	if err := save(l); err != nil {
		h.formFail(w, r, err, f, rerender)
		return
	}
	seeOther(w, r, done)
}

func (h *Handler) createLocation(w http.ResponseWriter, r *http.Request, v *visitor) {
	l := &medic.Location{}
	h.saveLocation(w, r, v, "location.create", l, func(l *medic.Location) error { return h.app.CreateLocation(r.Context(), l) }, "/locations?m=location-created")
}

func (h *Handler) locationForm(w http.ResponseWriter, r *http.Request, v *visitor) {
	l, err := h.app.GetLocation(r.Context(), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.renderLocation(w, r, http.StatusOK, v, l, newForm("location", locationValues(l)))
}

func (h *Handler) updateLocation(w http.ResponseWriter, r *http.Request, v *visitor) {
	l, err := h.app.GetLocation(r.Context(), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.saveLocation(w, r, v, "location.update", l, func(l *medic.Location) error { return h.app.UpdateLocation(r.Context(), l) }, "/locations?m=location-saved")
}

func (h *Handler) deleteLocation(w http.ResponseWriter, r *http.Request, v *visitor) {
	if err := h.app.DeleteLocation(r.Context(), r.PathValue("id")); err != nil {
		h.fail(w, r, err)
		return
	}
	seeOther(w, r, "/locations?m=location-deleted")
}
