package claimswitch_test

import (
	"context"
	"strings"
	"testing"

	"medic"
	"medic/internal/claimswitch"
	"medic/internal/claimswitch/switchsim"
)

// A reply lost after the switch took the claim (a crash between submission
// and acknowledgement, as the caller sees it): the retry with the same key
// gets the first claim's answer, and the switch holds one claim.
func TestClientRetryAfterLostReplyMakesOneClaim(t *testing.T) {
	srv := switchsim.Start(t, clock)
	c := claimswitch.NewClient(srv.URL, srv.APIKey)
	srv.DropReplies(1)
	if _, err := c.Submit(context.Background(), claimFor("inv50-v1", "12345678")); err == nil {
		t.Fatal("the dropped reply was not an error")
	}
	if n := srv.Claims(); n != 1 {
		t.Fatalf("the switch holds %d claims after the lost reply; want 1", n)
	}
	r, err := c.Submit(context.Background(), claimFor("inv50-v1", "12345678"))
	if err != nil {
		t.Fatal(err)
	}
	if r.State != medic.SwitchPaid || srv.Claims() != 1 || srv.Calls() != 2 {
		t.Errorf("retry: %+v, claims %d, calls %d", r, srv.Claims(), srv.Calls())
	}
}

func TestClientWrongAPIKey(t *testing.T) {
	srv := switchsim.Start(t, clock)
	c := claimswitch.NewClient(srv.URL, "wrong")
	_, err := c.Submit(context.Background(), claimFor("inv51-v1", "12345678"))
	if err == nil || medic.ErrorCode(err) != medic.EINTERNAL || !strings.Contains(err.Error(), "401") {
		t.Errorf("wrong key: %v; want an internal error naming 401", err)
	}
	if srv.Claims() != 0 {
		t.Errorf("an unauthorised call made a claim")
	}
	// The switch's words stay in the log cause, never the user's message.
	if medic.ErrorMessage(err) != "Internal error." {
		t.Errorf("message %q", medic.ErrorMessage(err))
	}
}

func TestClientSwitchDown(t *testing.T) {
	c := claimswitch.NewClient("http://127.0.0.1:1", "k")
	if _, err := c.Submit(context.Background(), claimFor("inv52-v1", "12345678")); err == nil || medic.ErrorCode(err) != medic.EINTERNAL {
		t.Errorf("unreachable switch: %v; want a retryable internal error", err)
	}
}
