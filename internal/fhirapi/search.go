package fhirapi

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"medic"
	"medic/internal/fhir"
)

// Parameters every search takes besides the type's own.
var commonParams = []string{"_count", "_summary", "_format", "_cursor"}

// maxCount bounds _count (a page).
const maxCount = medic.MaxLimit

// searchRequest is a parsed search: the parameters the type supports (the
// others were refused or, lenient, dropped), the page and the base URL.
type searchRequest struct {
	params  url.Values // supported parameters as sent, for the type's handler and the self link
	page    medic.Page
	count   bool // _summary=count
	base    string
	typ     string
	loc     *time.Location // the practice's time zone: a date names a local day
	ignored []string
	// sort is the _sort key applied ("" for the type's own order), desc
	// when it was given as -key.
	sort string
	desc bool
	// includes are the _include and _revinclude applied, read for r.
	includes []include
	r        *http.Request
}

// get returns the values of a supported parameter.
func (s *searchRequest) get(name string) []string { return s.params[name] }

// one returns the single value of name; two values are a 400.
func (s *searchRequest) one(name string) (string, error) {
	vs := s.params[name]
	switch len(vs) {
	case 0:
		return "", nil
	case 1:
		return vs[0], nil
	}
	return "", badRequest("Give " + name + " once.")
}

// runSearch parses the request against t's parameters, then runs t's search.
func (h *Handler) runSearch(w http.ResponseWriter, r *http.Request, t *resourceType) {
	q := r.URL.Query()
	if r.Method == http.MethodPost {
		if err := r.ParseForm(); err != nil {
			h.error(w, r, badRequest("Send the search parameters as application/x-www-form-urlencoded."))
			return
		}
		for k, vs := range r.PostForm {
			q[k] = append(q[k], vs...)
		}
	}
	strict := preferStrict(r)
	s := &searchRequest{params: url.Values{}, base: h.baseURL(r), typ: t.name, loc: h.location(r)}
	s.r = r
	for _, name := range []string{"_include", "_revinclude"} {
		if vs, ok := q[name]; ok && len(includesOf[t.name]) > 0 {
			delete(q, name)
			if err := s.parseIncludes(t.name, name, vs, strict); err != nil {
				h.error(w, r, err)
				return
			}
		}
	}
	if vs, ok := q["_sort"]; ok && len(t.sorts) > 0 {
		delete(q, "_sort")
		if err := s.parseSort(t, vs, strict); err != nil {
			h.error(w, r, err)
			return
		}
	}
	for name, vs := range q {
		known := slices.Contains(commonParams, name)
		for _, p := range t.params {
			known = known || p.name == name
		}
		if !known {
			if strict {
				h.error(w, r, badRequest("The search parameter "+name+" is not supported for "+t.name+" (see "+Base+"/metadata)."))
				return
			}
			s.ignored = append(s.ignored, name)
			continue
		}
		for _, v := range vs {
			if v == "" {
				continue // an empty parameter is no parameter (FHIR)
			}
			s.params[name] = append(s.params[name], v)
		}
	}
	if c, err := s.one("_count"); err != nil {
		h.error(w, r, err)
		return
	} else if c != "" {
		n, err := strconv.Atoi(c)
		if err != nil || n < 0 {
			h.error(w, r, badRequest("_count must be a whole number."))
			return
		}
		s.page.Limit = min(max(n, 1), maxCount)
		s.count = n == 0
	}
	switch sum, err := s.one("_summary"); {
	case err != nil:
		h.error(w, r, err)
		return
	case sum == "count":
		s.count = true
	case sum != "" && sum != "false":
		h.error(w, r, badRequest("_summary supports count and false only."))
		return
	}
	cursor, err := s.one("_cursor")
	if err != nil {
		h.error(w, r, err)
		return
	}
	s.page.Cursor = cursor
	t.search(w, r, s)
}

// parseSort reads _sort: one key the type sorts by, "-" before it for
// descending. An unsupported key (or a second key) is a 400 under strict
// handling, else ignored (and left out of the self link).
func (s *searchRequest) parseSort(t *resourceType, vs []string, strict bool) error {
	var keys []string
	for _, v := range vs {
		for _, k := range strings.Split(v, ",") {
			if k = strings.TrimSpace(k); k != "" {
				keys = append(keys, k)
			}
		}
	}
	for i, k := range keys {
		name := strings.TrimPrefix(k, "-")
		ok := i == 0 && slices.ContainsFunc(t.sorts, func(p searchParam) bool { return p.name == name })
		if !ok {
			if strict {
				return badRequest("_sort: " + t.name + " sorts by one of " + sortNames(t) + " (- before it for descending); " + name + " is not supported.")
			}
			if !slices.Contains(s.ignored, "_sort") {
				s.ignored = append(s.ignored, "_sort")
			}
			continue
		}
		s.sort, s.desc = name, strings.HasPrefix(k, "-")
		s.params.Set("_sort", k)
	}
	return nil
}

func sortNames(t *resourceType) string {
	names := make([]string, len(t.sorts))
	for i, p := range t.sorts {
		names[i] = p.name
	}
	return strings.Join(names, ", ")
}

// preferStrict reads Prefer: handling=strict (lenient is the default).
func preferStrict(r *http.Request) bool {
	for _, v := range r.Header.Values("Prefer") {
		for _, part := range strings.Split(v, ",") {
			if strings.EqualFold(strings.ReplaceAll(strings.TrimSpace(part), " ", ""), "handling=strict") {
				return true
			}
		}
	}
	return false
}

// baseURL is the absolute base of the FHIR API for fullUrl and links.
func (h *Handler) baseURL(r *http.Request) string {
	if h.app.BaseURL != "" {
		return strings.TrimRight(h.app.BaseURL, "/") + Base
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + Base
}

// location is the practice's time zone.
func (h *Handler) location(r *http.Request) *time.Location {
	t, _ := medic.TenantFrom(r.Context())
	return locationOf(t)
}

// locationOf is the practice's time zone (UTC when it has none).
func locationOf(t medic.Tenant) *time.Location {
	if l, err := time.LoadLocation(t.TimeZone); err == nil && t.TimeZone != "" {
		return l
	}
	return time.UTC
}

// link is the URL of this search with the supported parameters (and the
// cursor, for next).
func (s *searchRequest) link(cursor string) string {
	v := url.Values{}
	for k, vs := range s.params {
		if k != "_cursor" {
			v[k] = vs
		}
	}
	if cursor != "" {
		v.Set("_cursor", cursor)
	}
	u := s.base + "/" + s.typ
	if enc := v.Encode(); enc != "" {
		u += "?" + enc
	}
	return u
}

// entry is one resource of a searchset.
type entry struct {
	typ, id string
	res     any
	mode    string // match (default) or include
}

// writeBundle writes a searchset with self and next links, and the
// resources its _include and _revinclude add (search.mode include).
func (h *Handler) writeBundle(w http.ResponseWriter, s *searchRequest, entries []entry, next string, total *int) {
	if len(s.includes) > 0 && len(entries) > 0 {
		more, err := h.included(s.r.Context(), s, entries)
		if err != nil {
			h.error(w, s.r, err)
			return
		}
		entries = append(entries, more...)
	}
	b := fhir.Bundle{ResourceType: "Bundle", Type: "searchset", Total: total, Link: []fhir.BundleLink{{Relation: "self", URL: s.link(s.page.Cursor)}}}
	if next != "" {
		b.Link = append(b.Link, fhir.BundleLink{Relation: "next", URL: s.link(next)})
	}
	for _, e := range entries {
		raw, err := json.Marshal(e.res)
		if err != nil {
			continue
		}
		mode := e.mode
		if mode == "" {
			mode = "match"
		}
		b.Entry = append(b.Entry, fhir.BundleEntry{FullURL: s.base + "/" + e.typ + "/" + e.id, Resource: raw, Search: &fhir.EntrySearch{Mode: mode}})
	}
	h.writeResource(w, http.StatusOK, b)
}

// writeCount writes a count-only searchset (_summary=count).
func (h *Handler) writeCount(w http.ResponseWriter, s *searchRequest, n int) {
	h.writeResource(w, http.StatusOK, fhir.Bundle{ResourceType: "Bundle", Type: "searchset", Total: &n,
		Link: []fhir.BundleLink{{Relation: "self", URL: s.link("")}}})
}

// span is a half-open time range [from, before); zero ends are open.
type span struct{ from, before time.Time }

// dateValue reads a FHIR date search value, "ge2024-01-01", "2024-05",
// "lt2024-01-01T10:00:00Z", as the range it matches. Dates without a time
// are days of the practice's time zone (loc).
func dateValue(param, v string, loc *time.Location) (span, error) {
	prefix := "eq"
	if len(v) >= 2 && v[0] >= 'a' && v[0] <= 'z' {
		prefix, v = v[:2], v[2:]
	}
	start, end, ok := parseDateRange(v, loc)
	if !ok {
		return span{}, badRequest(param + ": give a date as YYYY, YYYY-MM, YYYY-MM-DD or an instant with its offset, optionally after eq, lt, le, gt, ge, sa or eb.")
	}
	switch prefix {
	case "eq":
		return span{start, end}, nil
	case "ge":
		return span{from: start}, nil
	case "gt", "sa":
		return span{from: end}, nil
	case "lt", "eb":
		return span{before: start}, nil
	case "le":
		return span{before: end}, nil
	}
	return span{}, badRequest(param + ": the prefix " + prefix + " is not supported; use eq, lt, le, gt, ge, sa or eb.")
}

var dateTimeRe = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$`)

// parseDateRange reads a date or instant of any precision as the range it
// covers.
func parseDateRange(v string, loc *time.Location) (start, end time.Time, ok bool) {
	switch {
	case len(v) == 4:
		t, err := time.ParseInLocation("2006", v, loc)
		return t, t.AddDate(1, 0, 0), err == nil
	case len(v) == 7:
		t, err := time.ParseInLocation("2006-01", v, loc)
		return t, t.AddDate(0, 1, 0), err == nil
	case len(v) == 10:
		t, err := time.ParseInLocation("2006-01-02", v, loc)
		return t, t.AddDate(0, 0, 1), err == nil
	case dateTimeRe.MatchString(v):
		layout, prec := "2006-01-02T15:04Z07:00", time.Minute
		if len(v) > 16 && v[16] == ':' {
			layout, prec = "2006-01-02T15:04:05.999999999Z07:00", time.Second
			if strings.Contains(v, ".") {
				prec = time.Nanosecond
			}
		}
		t, err := time.Parse(layout, v)
		return t, t.Add(prec), err == nil
	}
	return time.Time{}, time.Time{}, false
}

// dateSpan intersects every value of a date parameter.
func dateSpan(param string, vs []string, loc *time.Location) (span, error) {
	var out span
	for _, v := range vs {
		if strings.Contains(v, ",") {
			return span{}, badRequest(param + ": OR lists (commas) are not supported; send the parameter once per condition.")
		}
		s, err := dateValue(param, v, loc)
		if err != nil {
			return span{}, err
		}
		if !s.from.IsZero() && (out.from.IsZero() || s.from.After(out.from)) {
			out.from = s.from
		}
		if !s.before.IsZero() && (out.before.IsZero() || s.before.Before(out.before)) {
			out.before = s.before
		}
	}
	return out, nil
}

// empty reports whether no instant is in s.
func (s span) empty() bool { return !s.from.IsZero() && !s.before.IsZero() && !s.before.After(s.from) }

// ids splits _id values (commas are OR).
func ids(vs []string) []string {
	var out []string
	for _, v := range vs {
		out = append(out, strings.Split(v, ",")...)
	}
	return out
}

// noOr refuses a comma (an OR list) in a string parameter that does not support one.
func noOr(param string, vs []string) error {
	for _, v := range vs {
		if strings.Contains(v, ",") {
			return badRequest(param + ": OR lists (commas) are not supported; send one value.")
		}
	}
	return nil
}

// reference reads a reference parameter ("Patient/123" or "123") as the id
// of a resource of type typ; ok is false for another type.
func reference(v, typ string) (id string, ok bool) {
	if i := strings.LastIndex(v, "/"); i >= 0 {
		prefix := v[:i]
		if j := strings.LastIndex(prefix, "/"); j >= 0 {
			prefix = prefix[j+1:]
		}
		return v[i+1:], prefix == typ
	}
	return v, true
}

// writeEmpty answers a search that can match nothing.
func (h *Handler) writeEmpty(w http.ResponseWriter, s *searchRequest) {
	if s.count {
		h.writeCount(w, s, 0)
		return
	}
	h.writeBundle(w, s, nil, "", nil)
}
