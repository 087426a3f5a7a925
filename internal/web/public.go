package web

import (
	"net/http"
	"net/url"
	"strings"

	"medic"
)

// bookView is the data of a practice's public page.
type bookView struct {
	Practice  *medic.Practice
	Locations []*medic.Location
}

// bookRedirect sends /book?practice=slug to /book/slug.
func (h *Handler) bookRedirect(w http.ResponseWriter, r *http.Request) {
	slug := strings.TrimSpace(r.URL.Query().Get("practice"))
	if slug == "" {
		h.fail(w, r, errNotFound)
		return
	}
	http.Redirect(w, r, "/book/"+url.PathEscape(slug), http.StatusFound)
}

// book is the public page of a practice: its name and locations, and that
// online booking opens soon. Unknown slugs are 404; a suspended practice
// answers 503.
func (h *Handler) book(w http.ResponseWriter, r *http.Request) {
	p, err := h.app.PublicPractice(r.Context(), r.PathValue("slug"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	// The public page reads the practice's locations in that practice's
	// tenant: the practice comes from the public lookup above, so the store
	// still takes the tenant from context and RLS fences the read.
	ctx := medic.WithTenant(r.Context(), medic.Tenant{PracticeID: p.ID, Slug: p.Slug, Name: p.Name, TimeZone: p.TimeZone})
	ls, _, err := h.app.ListLocations(ctx, medic.Page{Limit: medic.MaxLimit})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := bookView{Practice: p}
	for _, l := range ls {
		if l.Active {
			d.Locations = append(d.Locations, l)
		}
	}
	pg := h.page(r, p.Name, "")
	pg.Data = d
	h.render(w, r, http.StatusOK, "book", pg)
}
