package app

import (
	"context"
	"strings"

	"medic"
)

// SMART app registrations: a practice's admin registers the apps that may
// ask its members (or, for backend services, the practice) for access.

// ListSMARTClients lists the practice's registered apps (admins).
func (a *App) ListSMARTClients(ctx context.Context) ([]*medic.SMARTClient, error) {
	if _, err := a.allow(ctx, "smart_client.manage"); err != nil {
		return nil, err
	}
	return a.SMART.ListSMARTClients(ctx)
}

// GetSMARTClient returns one of the practice's apps (admins).
func (a *App) GetSMARTClient(ctx context.Context, id string) (*medic.SMARTClient, error) {
	if _, err := a.allow(ctx, "smart_client.manage"); err != nil {
		return nil, err
	}
	return a.SMART.FindSMARTClient(ctx, id)
}

// CreateSMARTClient registers an app after checking it (admins).
func (a *App) CreateSMARTClient(ctx context.Context, c *medic.SMARTClient) error {
	if _, err := a.allow(ctx, "smart_client.manage"); err != nil {
		return err
	}
	tidySMARTClient(c)
	if err := c.Validate(); err != nil {
		return err
	}
	return a.Tx.InTx(ctx, func(ctx context.Context) error {
		if err := a.SMART.CreateSMARTClient(ctx, c); err != nil {
			return err
		}
		return a.audit(ctx, "smart_client.created", "smart_client", c.ID, map[string]string{"client_id": c.ID, "scopes": strings.Join(c.Scopes, " ")})
	})
}

// UpdateSMARTClient changes an app's registration: name, keys, redirect
// URIs, scopes, disabled (admins). Whether it is confidential stays.
// Disabling an app stops its tokens at once (access and refresh).
func (a *App) UpdateSMARTClient(ctx context.Context, id string, change func(c *medic.SMARTClient)) (*medic.SMARTClient, error) {
	if _, err := a.allow(ctx, "smart_client.manage"); err != nil {
		return nil, err
	}
	var c *medic.SMARTClient
	err := a.Tx.InTx(ctx, func(ctx context.Context) error {
		var err error
		if c, err = a.SMART.FindSMARTClient(ctx, id); err != nil {
			return err
		}
		confidential := c.Confidential
		change(c)
		c.Confidential = confidential
		tidySMARTClient(c)
		if err := c.Validate(); err != nil {
			return err
		}
		if err := a.SMART.UpdateSMARTClient(ctx, c); err != nil {
			return err
		}
		detail := map[string]string{"client_id": c.ID, "scopes": strings.Join(c.Scopes, " ")}
		if c.Disabled {
			detail["disabled"] = "true"
		}
		return a.audit(ctx, "smart_client.updated", "smart_client", c.ID, detail)
	})
	return c, err
}

// tidySMARTClient trims what was typed and drops empty lines and repeats.
func tidySMARTClient(c *medic.SMARTClient) {
	c.JWKS, c.JWKSURL = strings.TrimSpace(c.JWKS), strings.TrimSpace(c.JWKSURL)
	c.RedirectURIs, c.Scopes = tidyList(c.RedirectURIs), tidyList(c.Scopes)
}

func tidyList(in []string) []string {
	out := []string{}
	seen := map[string]bool{}
	for _, s := range in {
		for _, f := range strings.Fields(s) {
			if !seen[f] {
				seen[f] = true
				out = append(out, f)
			}
		}
	}
	return out
}
