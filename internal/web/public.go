package web

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"medic"
)

// publicRoutes registers /book?practice={slug}, which sends the visitor on
// to that practice's booking page.
func (h *Handler) publicRoutes(mux Router) {
	mux.HandleFunc("GET /book", h.bookRedirect)
}

// publicBrand is what the public layout shows of a practice: its name,
// phone, logo and colours (through a per-practice stylesheet: the CSP allows
// no inline style).
type publicBrand struct {
	Name     string
	Phone    string
	HomeURL  string // the practice's booking page
	ThemeURL string // "" when the practice keeps the default colours
	LogoURL  string // "" without a logo
	NoIndex  bool   // pages behind a secret link stay out of search engines
}

// brandOf is the public branding of p.
func brandOf(p *medic.Practice) *publicBrand {
	base := "/book/" + url.PathEscape(p.Slug)
	b := &publicBrand{Name: p.Name, Phone: p.Phone, HomeURL: base}
	if css := themeCSS(p.Branding); css != "" {
		// The colours are in the address, so the stylesheet can be cached
		// and still changes as soon as the practice changes them.
		sum := sha256.Sum256([]byte(css))
		b.ThemeURL = base + "/theme.css?v=" + hex.EncodeToString(sum[:6])
	}
	if p.Branding.HasLogo {
		b.LogoURL = base + "/logo"
	}
	return b
}

// practiceZone is the practice's time zone (Africa/Johannesburg when unset,
// as the use cases read it).
func practiceZone(p *medic.Practice) *time.Location {
	name := p.TimeZone
	if name == "" {
		name = "Africa/Johannesburg"
	}
	if l, err := time.LoadLocation(name); err == nil {
		return l
	}
	return time.UTC
}

// publicForm bounds the body of a public page's POST as the public JSON
// API does: anyone on the internet may send one. A larger form is a 413
// page (parseForm reports it).
func publicForm(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil {
			r.Body = http.MaxBytesReader(w, r.Body, medic.PublicBodyLimit)
		}
		next(w, r)
	}
}

// publicPage starts a page of the practice's public layout.
func (h *Handler) publicPage(r *http.Request, p *medic.Practice, title string) *page {
	return &page{Title: title, Notice: notices[r.URL.Query().Get("m")], Public: brandOf(p), loc: practiceZone(p)}
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

// bookTheme serves the practice's colours as CSS custom properties.
func (h *Handler) bookTheme(w http.ResponseWriter, r *http.Request) {
	p, err := h.app.PublicPractice(r.Context(), r.PathValue("slug"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	_, _ = w.Write([]byte(themeCSS(p.Branding)))
}

// bookLogo serves the practice's logo on its public pages.
func (h *Handler) bookLogo(w http.ResponseWriter, r *http.Request) {
	p, err := h.app.PublicPractice(r.Context(), r.PathValue("slug"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	// The logo is read in the practice's tenant, taken from the public
	// lookup: the store still fences the read by the context's tenant.
	ctx := medic.WithTenant(r.Context(), medic.Tenant{PracticeID: p.ID, Slug: p.Slug, Name: p.Name, TimeZone: p.TimeZone})
	l, err := h.app.Logo(ctx)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if l.ContentType != "image/png" && l.ContentType != "image/jpeg" {
		h.fail(w, r, errNotFound)
		return
	}
	w.Header().Set("Content-Type", l.ContentType)
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, _ = w.Write(l.Data)
}

// themeCSS turns the practice's colours into the custom properties the
// stylesheet reads ("" for the defaults). The primary colour is darkened
// until white text on it (buttons, the top bar) has a contrast of at least
// 4.5:1, so a pale brand colour cannot make the page unreadable.
func themeCSS(b medic.Branding) string {
	var out strings.Builder
	if c, ok := parseHex(b.PrimaryColor); ok {
		c = readableOnWhite(c)
		fmt.Fprintf(&out, ":root{--brand:%s;--brand-dark:%s;--brand-tint:%s}\n", c.hex(), c.scale(0.8).hex(), c.mix(rgb{255, 255, 255}, 0.88).hex())
	}
	if c, ok := parseHex(b.AccentColor); ok {
		fmt.Fprintf(&out, ".public-bar{border-bottom-color:%s}\n", c.hex())
	}
	return out.String()
}

type rgb struct{ r, g, b float64 }

func parseHex(s string) (rgb, bool) {
	if len(s) != 7 || s[0] != '#' {
		return rgb{}, false
	}
	n, err := strconv.ParseUint(s[1:], 16, 32)
	if err != nil {
		return rgb{}, false
	}
	return rgb{float64(n >> 16 & 0xff), float64(n >> 8 & 0xff), float64(n & 0xff)}, true
}

func (c rgb) hex() string {
	ch := func(v float64) int { return int(math.Max(0, math.Min(255, math.Round(v)))) }
	return fmt.Sprintf("#%02x%02x%02x", ch(c.r), ch(c.g), ch(c.b))
}

func (c rgb) scale(f float64) rgb { return rgb{c.r * f, c.g * f, c.b * f} }

func (c rgb) mix(o rgb, t float64) rgb {
	return rgb{c.r + (o.r-c.r)*t, c.g + (o.g-c.g)*t, c.b + (o.b-c.b)*t}
}

// luminance is the WCAG relative luminance.
func (c rgb) luminance() float64 {
	lin := func(v float64) float64 {
		v /= 255
		if v <= 0.03928 {
			return v / 12.92
		}
		return math.Pow((v+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(c.r) + 0.7152*lin(c.g) + 0.0722*lin(c.b)
}

// contrastWithWhite is the WCAG contrast ratio of c against white.
func (c rgb) contrastWithWhite() float64 { return 1.05 / (c.luminance() + 0.05) }

func readableOnWhite(c rgb) rgb {
	for i := 0; i < 40 && c.contrastWithWhite() < 4.5; i++ {
		c, _ = parseHex(c.scale(0.92).hex()) // judge the colour as it is written
	}
	return c
}
