package web

import (
	"net/http"
	"net/url"
	"strings"

	"medic"
)

// SMART apps under the practice settings: admins register the apps that
// may ask the practice's members for access to its FHIR API.

func (h *Handler) smartClientRoutes(mux Router) {
	mux.HandleFunc("GET /settings/smart-apps", h.member(h.smartClients))
	mux.HandleFunc("GET /settings/smart-apps/new", h.member(h.newSMARTClientForm))
	mux.HandleFunc("POST /settings/smart-apps/new", h.member(h.createSMARTClient))
	mux.HandleFunc("GET /settings/smart-apps/{id}", h.member(h.smartClientForm))
	mux.HandleFunc("POST /settings/smart-apps/{id}", h.member(h.updateSMARTClient))
	mux.HandleFunc("POST /settings/smart-apps/{id}/revoke", h.member(h.revokeSMARTClientGrants))
}

type smartClientsView struct {
	Clients []*medic.SMARTClient
}

type smartClientView struct {
	ID       string // empty for a new app
	Action   string
	Client   *medic.SMARTClient
	FHIRBase string
}

func (h *Handler) smartClients(w http.ResponseWriter, r *http.Request, v *visitor) {
	cs, err := h.app.ListSMARTClients(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := h.page(r, "SMART apps", "settings")
	p.Data = smartClientsView{Clients: cs}
	h.render(w, r, http.StatusOK, "smart_clients", p)
}

func smartClientValues(c *medic.SMARTClient) url.Values {
	v := url.Values{}
	v.Set("name", c.Name)
	v.Set("type", "public")
	if c.Confidential {
		v.Set("type", "confidential")
	}
	v.Set("jwks", c.JWKS)
	v.Set("jwks_url", c.JWKSURL)
	v.Set("launch_url", c.LaunchURL)
	v.Set("redirect_uris", strings.Join(c.RedirectURIs, "\n"))
	v.Set("scopes", strings.Join(c.Scopes, " "))
	if c.Disabled {
		v.Set("disabled", "on")
	}
	return v
}

func (h *Handler) renderSMARTClient(w http.ResponseWriter, r *http.Request, status int, c *medic.SMARTClient, f *form) {
	title := "New SMART app"
	d := smartClientView{Action: "/settings/smart-apps/new", Client: c, FHIRBase: h.app.FHIRBaseURL()}
	if c.ID != "" {
		title, d.ID, d.Action = c.Name, c.ID, "/settings/smart-apps/"+url.PathEscape(c.ID)
	}
	p := h.page(r, title, "settings").withForm(f)
	p.Data = d
	h.render(w, r, status, "smart_client", p)
}

func (h *Handler) newSMARTClientForm(w http.ResponseWriter, r *http.Request, v *visitor) {
	if !h.offers(w, r, "smart_client.manage") {
		return
	}
	c := &medic.SMARTClient{Scopes: []string{"launch/patient", "openid", "fhirUser", "offline_access", "user/*.rs", "patient/*.rs"}}
	h.renderSMARTClient(w, r, http.StatusOK, c, newForm("smart_client", smartClientValues(c)))
}

func (h *Handler) smartClientForm(w http.ResponseWriter, r *http.Request, v *visitor) {
	c, err := h.app.GetSMARTClient(r.Context(), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.renderSMARTClient(w, r, http.StatusOK, c, newForm("smart_client", smartClientValues(c)))
}

// sentSMARTClient reads the form onto c (the type only when new).
func sentSMARTClient(r *http.Request, c *medic.SMARTClient) (*form, error) {
	if err := parseForm(r); err != nil {
		return nil, err
	}
	v := url.Values{}
	for _, k := range []string{"name", "type", "jwks", "jwks_url", "launch_url", "redirect_uris", "scopes", "disabled"} {
		if s := r.PostForm.Get(k); s != "" {
			v.Set(k, s)
		}
	}
	f := newForm("smart_client", v)
	if c.ID == "" {
		switch f.Get("type") {
		case "public", "confidential":
			c.Confidential = f.Get("type") == "confidential"
		default:
			f.fail("type", "Choose public or confidential.")
		}
	} else {
		f.Values.Set("type", smartClientValues(c).Get("type"))
	}
	c.Name, c.JWKS, c.JWKSURL, c.LaunchURL = f.Get("name"), f.Get("jwks"), f.Get("jwks_url"), f.Get("launch_url")
	c.RedirectURIs, c.Scopes = strings.Fields(f.Get("redirect_uris")), strings.Fields(f.Get("scopes"))
	c.Disabled = f.Checked("disabled")
	return f, nil
}

func (h *Handler) createSMARTClient(w http.ResponseWriter, r *http.Request, v *visitor) {
	c := &medic.SMARTClient{}
	f, err := sentSMARTClient(r, c)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	rerender := func(status int) { h.renderSMARTClient(w, r, status, c, f) }
	if f.err() != nil {
		if err := c.Validate(); err != nil {
			f.failFields(err)
		}
		h.actionFormFail(w, r, "smart_client.manage", f.err(), f, rerender)
		return
	}
	if err := h.app.CreateSMARTClient(r.Context(), c); err != nil {
		h.formFail(w, r, err, f, rerender)
		return
	}
	seeOther(w, r, "/settings/smart-apps/"+url.PathEscape(c.ID)+"?m=smart-app-created")
}

func (h *Handler) updateSMARTClient(w http.ResponseWriter, r *http.Request, v *visitor) {
	c, err := h.app.GetSMARTClient(r.Context(), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	sent := *c
	f, err := sentSMARTClient(r, &sent)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	rerender := func(status int) { h.renderSMARTClient(w, r, status, &sent, f) }
	if _, err := h.app.UpdateSMARTClient(r.Context(), c.ID, func(stored *medic.SMARTClient) {
		stored.Name, stored.JWKS, stored.JWKSURL, stored.RedirectURIs, stored.Scopes, stored.Disabled = sent.Name, sent.JWKS, sent.JWKSURL, sent.RedirectURIs, sent.Scopes, sent.Disabled
		stored.LaunchURL = sent.LaunchURL
	}); err != nil {
		h.formFail(w, r, err, f, rerender)
		return
	}
	seeOther(w, r, "/settings/smart-apps?m=saved")
}

// revokeSMARTClientGrants ends every live authorization of the app; its
// users must allow it again.
func (h *Handler) revokeSMARTClientGrants(w http.ResponseWriter, r *http.Request, v *visitor) {
	if _, err := h.app.RevokeSMARTClientGrants(r.Context(), r.PathValue("id")); err != nil {
		h.fail(w, r, err)
		return
	}
	seeOther(w, r, "/settings/smart-apps/"+url.PathEscape(r.PathValue("id"))+"?m=smart-grants-revoked")
}
