package app

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"medic"
	"medic/internal/auth"
)

// Token revocation (RFC 7009) by the app, and an admin ending an app's
// access. Revoking either token of a grant revokes the grant: its access
// tokens stop working at the FHIR API and its refresh tokens at the token
// endpoint.

// SMARTRevokePath is the revocation endpoint.
const SMARTRevokePath = "/oauth/revoke"

// RevokeRequest is a revocation request's form parameters; the client
// authenticates as at the token endpoint.
type RevokeRequest struct {
	Token, TokenTypeHint                           string
	ClientID, ClientAssertionType, ClientAssertion string
}

// RevokeToken revokes the grant of a refresh or access token issued to the
// authenticated client. A token that is unknown, another client's or
// already dead is no error (RFC 7009 2.2); a client that does not
// authenticate is an *OAuthError.
func (a *App) RevokeToken(ctx context.Context, r RevokeRequest) error {
	c, err := a.authenticateClient(ctx, TokenRequest{ClientID: r.ClientID, ClientAssertionType: r.ClientAssertionType, ClientAssertion: r.ClientAssertion})
	if err != nil {
		return err
	}
	if r.Token == "" {
		return oauthErr("invalid_request", "Send the token to revoke.")
	}
	ctx = medic.WithTenant(ctx, medic.Tenant{PracticeID: c.PracticeID})
	ctx = medic.WithActor(ctx, medic.Actor{Email: "smart-client:" + c.ID, Name: c.Name, ClientID: c.ID})
	// The hint only says where to look first: both kinds are tried.
	kinds := []string{"refresh_token", "access_token"}
	if r.TokenTypeHint == "access_token" {
		kinds = []string{"access_token", "refresh_token"}
	}
	for _, kind := range kinds {
		grantID, err := a.revocableGrant(ctx, c, kind, r.Token)
		if err != nil {
			return err
		}
		if grantID == "" {
			continue
		}
		return a.Tx.InTx(ctx, func(ctx context.Context) error {
			if err := a.SMART.RevokeSMARTGrant(ctx, grantID); err != nil {
				return err
			}
			return a.audit(ctx, "smart.revoked", "smart_grant", grantID, map[string]string{"client_id": c.ID, "token_type": kind})
		})
	}
	return nil
}

// revocableGrant is the id of the grant of c that token (of kind) belongs
// to, "" when it is not one.
func (a *App) revocableGrant(ctx context.Context, c *medic.SMARTClient, kind, token string) (string, error) {
	if kind == "refresh_token" {
		if !strings.HasPrefix(token, "mrt_") {
			return "", nil
		}
		g, err := a.SMART.FindSMARTRefreshGrant(ctx, c.ID, auth.HashToken(token))
		if medic.ErrorCode(err) == medic.ENOTFOUND {
			return "", nil
		}
		if err != nil {
			return "", err
		}
		return g.ID, nil
	}
	kid, err := auth.TokenKeyID(token)
	if err != nil {
		return "", nil
	}
	k, err := a.smartKey(ctx, kid)
	if medic.ErrorCode(err) == medic.ENOTFOUND {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	claims, err := auth.VerifyAccessToken(token, k.PublicJWK, a.FHIRBaseURL(), a.now())
	if errors.Is(err, auth.ErrExpiredToken) || err != nil {
		return "", nil // an expired token works nowhere already
	}
	if claims.ClientID != c.ID || claims.Practice != c.PracticeID {
		return "", nil
	}
	return claims.Grant, nil
}

// RevokeSMARTClientGrants ends every live authorization of one of the
// practice's apps (admins): its access and refresh tokens stop working;
// the app stays registered and may ask again. It returns how many grants
// it revoked.
func (a *App) RevokeSMARTClientGrants(ctx context.Context, clientID string) (int, error) {
	if _, err := a.allow(ctx, "smart_client.manage"); err != nil {
		return 0, err
	}
	var n int
	err := a.Tx.InTx(ctx, func(ctx context.Context) error {
		var err error
		if n, err = a.SMART.RevokeSMARTClientGrants(ctx, clientID); err != nil {
			return err
		}
		return a.audit(ctx, "smart_client.grants_revoked", "smart_client", clientID, map[string]string{"client_id": clientID, "grants": strconv.Itoa(n)})
	})
	return n, err
}
