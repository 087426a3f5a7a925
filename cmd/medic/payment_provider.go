package main

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"

	"medic"
	"medic/internal/stripe"
)

// paymentProvider builds the payment provider the configuration names:
// MEDIC_PAYMENT_PROVIDER=stripe (MEDIC_STRIPE_SECRET_KEY and
// MEDIC_STRIPE_WEBHOOK_SECRET required) or local (the default: the
// in-process twin, no internet).
func (c Config) paymentProvider() (medic.PaymentProvider, string, error) {
	switch c.PaymentProvider {
	case "stripe":
		if c.StripeSecretKey == "" || c.StripeWebhookSecret == "" {
			return nil, "", fmt.Errorf("MEDIC_PAYMENT_PROVIDER=stripe needs MEDIC_STRIPE_SECRET_KEY and MEDIC_STRIPE_WEBHOOK_SECRET")
		}
		return stripe.New(stripe.Config{SecretKey: c.StripeSecretKey, WebhookSecret: c.StripeWebhookSecret, APIURL: c.StripeAPIURL,
			ReturnURL: c.BaseURL}), "stripe", nil
	case "", "local":
		b := make([]byte, 24)
		_, _ = rand.Read(b)
		return stripe.NewLocal(c.BaseURL, "whsec_local_"+hex.EncodeToString(b), nil), "local", nil
	}
	return nil, "", fmt.Errorf("MEDIC_PAYMENT_PROVIDER must be stripe or local, not %q", c.PaymentProvider)
}
