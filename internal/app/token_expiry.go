package app

import (
	"context"
	"fmt"

	"medic"
)

// NotifyExpiringTokens emails the owner of every live API token that
// expires within medic.TokenExpiryNotice, once per token: the notice is
// recorded in the same transaction as the mail job, and a token already
// recorded (by an earlier or a concurrent run) is skipped. It returns how
// many notices it queued. A periodic job runs it; the time is the app's
// clock, so tests decide what is due.
func (a *App) NotifyExpiringTokens(ctx context.Context) (int, error) {
	now := a.now()
	due, err := a.Tokens.ExpiringAPITokens(ctx, now, now.Add(medic.TokenExpiryNotice))
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, e := range due {
		tctx := medic.WithTenant(ctx, medic.Tenant{PracticeID: e.Token.PracticeID})
		err := a.Tx.InTx(tctx, func(ctx context.Context) error {
			if err := a.Tokens.MarkTokenExpiryNotified(ctx, e.Token.ID, now); err != nil {
				return err
			}
			return a.Mail.EnqueueMail(ctx, tokenExpiryMail(e, a.BaseURL))
		})
		switch {
		case err == nil:
			sent++
		case medic.ErrorCode(err) == medic.ENOTFOUND: // told already
		default:
			return sent, err
		}
	}
	return sent, nil
}

func tokenExpiryMail(e medic.ExpiringToken, baseURL string) medic.Mail {
	when := e.Token.ExpiresAt.UTC().Format("Monday 2 January 2006 at 15:04 UTC")
	return medic.Mail{
		To:      []string{e.Email},
		Subject: "Your Medic API token expires in a week",
		Text: fmt.Sprintf("Hello %s,\n\nYour personal API token %q for %s expires on %s. "+
			"Scripts that use it will then be refused.\n\nTo keep them working, create a new token on your account page and use it instead:\n\n%s/account\n",
			e.UserName, e.Token.Name, e.PracticeName, when, baseURL),
	}
}
