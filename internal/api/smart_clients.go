package api

import (
	"net/http"
	"time"

	"medic"
)

// smartClientRoutes registers the practice's SMART app registrations (admins).
func (h *Handler) smartClientRoutes(mux Router) {
	mux.HandleFunc("GET /api/v1/practices/{practice}/smart-clients", h.tenant(h.listSMARTClients))
	mux.HandleFunc("POST /api/v1/practices/{practice}/smart-clients", h.tenant(h.createSMARTClient))
	mux.HandleFunc("GET /api/v1/practices/{practice}/smart-clients/{id}", h.tenant(h.getSMARTClient))
	mux.HandleFunc("PUT /api/v1/practices/{practice}/smart-clients/{id}", h.tenant(h.updateSMARTClient))
	mux.HandleFunc("POST /api/v1/practices/{practice}/smart-clients/{id}/revoke-grants", h.tenant(h.revokeSMARTClientGrants))
	mux.HandleFunc("GET /api/v1/practices/{practice}/smart-apps", h.tenant(h.launchableSMARTApps))
	mux.HandleFunc("POST /api/v1/practices/{practice}/patients/{id}/smart-launch", h.tenant(h.launchSMARTApp))
}

type smartClientDTO struct {
	ID           string    `json:"id"`
	ClientID     string    `json:"client_id"`
	Name         string    `json:"name"`
	Type         string    `json:"type"` // public or confidential
	JWKS         *string   `json:"jwks"`
	JWKSURL      *string   `json:"jwks_url"`
	RedirectURIs []string  `json:"redirect_uris"`
	LaunchURL    string    `json:"launch_url"`
	Scopes       []string  `json:"scopes"`
	Disabled     bool      `json:"disabled"`
	CreatedAt    time.Time `json:"created_at"`
}

func toSMARTClient(c *medic.SMARTClient) smartClientDTO {
	typ := "public"
	if c.Confidential {
		typ = "confidential"
	}
	return smartClientDTO{ID: c.ID, ClientID: c.ID, Name: c.Name, Type: typ, JWKS: optional(c.JWKS), JWKSURL: optional(c.JWKSURL),
		RedirectURIs: c.RedirectURIs, LaunchURL: c.LaunchURL, Scopes: c.Scopes, Disabled: c.Disabled, CreatedAt: c.CreatedAt}
}

type smartClientIn struct {
	Name         string   `json:"name"`
	Type         string   `json:"type"`
	JWKS         string   `json:"jwks"`
	JWKSURL      string   `json:"jwks_url"`
	RedirectURIs []string `json:"redirect_uris"`
	LaunchURL    string   `json:"launch_url"`
	Scopes       []string `json:"scopes"`
	Disabled     bool     `json:"disabled"`
}

func (h *Handler) listSMARTClients(w http.ResponseWriter, r *http.Request) {
	cs, err := h.app.ListSMARTClients(r.Context())
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, newList(mapAll(cs, toSMARTClient), ""))
}

// createSMARTClient: POST .../smart-clients {name, type: public|confidential,
// jwks (a JSON Web Key Set, as text), jwks_url, redirect_uris, scopes}.
func (h *Handler) createSMARTClient(w http.ResponseWriter, r *http.Request) {
	var in smartClientIn
	if err := decode(r, &in); err != nil {
		h.error(w, r, err)
		return
	}
	if in.Type != "public" && in.Type != "confidential" {
		h.error(w, r, &medic.Error{Code: medic.EINVALID, Message: "Some fields are not valid.", Fields: map[string]string{"type": "Use public or confidential."}})
		return
	}
	c := &medic.SMARTClient{Name: in.Name, Confidential: in.Type == "confidential", JWKS: in.JWKS, JWKSURL: in.JWKSURL, RedirectURIs: in.RedirectURIs, LaunchURL: in.LaunchURL, Scopes: in.Scopes}
	if err := h.app.CreateSMARTClient(r.Context(), c); err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, toSMARTClient(c))
}

func (h *Handler) getSMARTClient(w http.ResponseWriter, r *http.Request) {
	c, err := h.app.GetSMARTClient(r.Context(), r.PathValue("id"))
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toSMARTClient(c))
}

// updateSMARTClient: PUT .../smart-clients/{id} with the create body and
// disabled; the type cannot change.
func (h *Handler) updateSMARTClient(w http.ResponseWriter, r *http.Request) {
	var in smartClientIn
	if err := decode(r, &in); err != nil {
		h.error(w, r, err)
		return
	}
	c, err := h.app.UpdateSMARTClient(r.Context(), r.PathValue("id"), func(c *medic.SMARTClient) {
		c.Name, c.JWKS, c.JWKSURL, c.RedirectURIs, c.Scopes, c.Disabled = in.Name, in.JWKS, in.JWKSURL, in.RedirectURIs, in.Scopes, in.Disabled
		c.LaunchURL = in.LaunchURL
	})
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toSMARTClient(c))
}

// revokeSMARTClientGrants: POST .../smart-clients/{id}/revoke-grants ends
// every live authorization of the app -> {"revoked": n}.
func (h *Handler) revokeSMARTClientGrants(w http.ResponseWriter, r *http.Request) {
	n, err := h.app.RevokeSMARTClientGrants(r.Context(), r.PathValue("id"))
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]int{"revoked": n})
}

// launchableSMARTApps: GET .../smart-apps lists the apps a member may
// launch from a chart -> {"items": [{"client_id", "name", "launch_url"}]}.
func (h *Handler) launchableSMARTApps(w http.ResponseWriter, r *http.Request) {
	cs, err := h.app.LaunchableSMARTApps(r.Context())
	if err != nil {
		h.error(w, r, err)
		return
	}
	type app struct {
		ClientID  string `json:"client_id"`
		Name      string `json:"name"`
		LaunchURL string `json:"launch_url"`
	}
	writeJSON(w, http.StatusOK, newList(mapAll(cs, func(c *medic.SMARTClient) app { return app{c.ID, c.Name, c.LaunchURL} }), ""))
}

// launchSMARTApp: POST .../patients/{id}/smart-launch {"client_id",
// "encounter_id"?} -> 201 {"url"}: the app's launch URL with iss and a
// one-time launch value for the caller, this chart and the encounter.
func (h *Handler) launchSMARTApp(w http.ResponseWriter, r *http.Request) {
	var in struct {
		ClientID    string `json:"client_id"`
		EncounterID string `json:"encounter_id"`
	}
	if err := decode(r, &in); err != nil {
		h.error(w, r, err)
		return
	}
	to, err := h.app.LaunchSMARTApp(r.Context(), in.ClientID, r.PathValue("id"), in.EncounterID)
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]string{"url": to})
}
