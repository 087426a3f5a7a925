package app

import (
	"context"
	"net/url"
	"time"

	"medic"
	"medic/internal/auth"
)

// EHR launch: from a chart (or an encounter) a member launches one of the
// practice's apps; the app comes back to /oauth/authorize with the launch
// value and its tokens then carry that patient (and encounter) as context.

// SMARTLaunchTTL is how long a launch value waits for the app's
// authorization request.
const SMARTLaunchTTL = 5 * time.Minute

// LaunchableSMARTApps lists the practice's active apps that have a launch
// URL, for the chart's "Launch app" menu (members who read charts).
func (a *App) LaunchableSMARTApps(ctx context.Context) ([]*medic.SMARTClient, error) {
	if _, err := a.allow(ctx, "smart.launch"); err != nil {
		return nil, err
	}
	cs, err := a.SMART.ListSMARTClients(ctx)
	if err != nil {
		return nil, err
	}
	out := []*medic.SMARTClient{}
	for _, c := range cs {
		if c.LaunchURL != "" && !c.Disabled {
			out = append(out, c)
		}
	}
	return out, nil
}

// LaunchSMARTApp makes a one-time launch value for the signed-in member,
// the app and the chart (and the encounter, which must be the chart's),
// audits the launch, and returns the app's launch URL with iss and launch.
// An unknown, disabled or unlaunchable app, chart or encounter is
// ENOTFOUND.
func (a *App) LaunchSMARTApp(ctx context.Context, clientID, patientID, encounterID string) (string, error) {
	if _, err := a.allow(ctx, "smart.launch"); err != nil {
		return "", err
	}
	value, hash, err := auth.NewToken("mla_")
	if err != nil {
		return "", err
	}
	var c *medic.SMARTClient
	err = a.Tx.InTx(ctx, func(ctx context.Context) error {
		var err error
		if c, err = a.SMART.FindSMARTClient(ctx, clientID); err != nil {
			return err
		}
		if c.Disabled || c.LaunchURL == "" {
			return medic.ErrNotFound
		}
		p, err := a.Patients.FindPatient(ctx, patientID)
		if err != nil {
			return err
		}
		if encounterID != "" {
			e, err := a.Encounters.FindEncounter(ctx, encounterID)
			if err != nil {
				return err
			}
			if e.PatientID != p.ID {
				return medic.ErrNotFound
			}
			encounterID = e.ID
		}
		l := &medic.SMARTLaunch{ClientID: c.ID, UserID: medic.ActorFrom(ctx).UserID, PatientID: p.ID, EncounterID: encounterID, ExpiresAt: a.now().Add(SMARTLaunchTTL)}
		if err := a.SMART.CreateSMARTLaunch(ctx, l, hash); err != nil {
			return err
		}
		detail := map[string]string{"client_id": c.ID}
		if encounterID != "" {
			detail["encounter_id"] = encounterID
		}
		return a.Audit.Record(ctx, medic.AuditEvent{Action: "smart.launched", EntityType: "smart_client", EntityID: c.ID, PatientID: p.ID, Detail: detail})
	})
	if err != nil {
		return "", err
	}
	return redirectWith(c.LaunchURL, url.Values{"iss": {a.FHIRBaseURL()}, "launch": {value}}), nil
}

// checkLaunch finds the live launch an authorization request names for
// the client and the signed-in member.
func (a *App) checkLaunch(ctx context.Context, r AuthorizeRequest, c *medic.SMARTClient) (*medic.SMARTLaunch, error) {
	if r.Launch == "" {
		return nil, redirectError(r, oauthErr("invalid_request", "The launch scope needs the launch value the EHR gave the app."))
	}
	l, err := a.SMART.FindSMARTLaunch(ctx, c.ID, medic.ActorFrom(ctx).UserID, auth.HashToken(r.Launch))
	if medic.ErrorCode(err) == medic.ENOTFOUND {
		return nil, redirectError(r, errBadLaunch)
	}
	return l, err
}

var errBadLaunch = oauthErr("invalid_request", "The launch value is unknown, used, expired, or from another app or user; launch the app again from the chart.")
