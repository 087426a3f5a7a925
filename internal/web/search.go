package web

import (
	"net/http"
	"strings"
	"unicode/utf8"

	"medic"
	"medic/internal/app"
)

// searchRoutes registers the search from the top bar.
func (h *Handler) searchRoutes(mux Router) {
	mux.HandleFunc("GET /search", h.member(h.search))
}

// searchView is the data of the search results: the box in the top bar
// gets the results part alone while one types; without script, the form
// opens the whole page.
type searchView struct {
	Query   string
	Message string // why there are no results to show
	Results *app.SearchResults
	// Clinical is true when the role reads the clinical part (allergies are
	// then shown as a warning beside the name).
	Clinical bool
}

// maxSearchQuery bounds the search box: no name, number or date is longer.
const maxSearchQuery = 100

// search answers GET /search?q=: charts by name (a typo allowed), date of
// birth, phone, email or ID number, and an appointment by its reference.
func (h *Handler) search(w http.ResponseWriter, r *http.Request, v *visitor) {
	d := searchView{Query: strings.Join(strings.Fields(r.URL.Query().Get("q")), " "), Clinical: v.tenant.Can(medic.PermClinicalRead)}
	switch {
	case d.Query == "":
		d.Message = "Type a name, a date of birth, a phone or ID number, or an appointment reference."
	case utf8.RuneCountInString(d.Query) > maxSearchQuery:
		d.Message = "Type fewer words: at most 100 characters."
	default:
		res, err := h.app.Search(r.Context(), d.Query)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		d.Results = res
	}
	if r.Header.Get("HX-Request") == "true" && r.Header.Get("HX-Boosted") != "true" {
		// The part only: none of the layout's own reads (notifications).
		h.renderPart(w, r, "search", "searchResults", &page{Practice: v.practice, Tenant: v.tenant, loc: v.zone(), Data: d})
		return
	}
	p := h.page(r, "Search", "search")
	p.Data = d
	h.render(w, r, http.StatusOK, "search", p)
}
