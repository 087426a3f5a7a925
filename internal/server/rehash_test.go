package server_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"testing"

	"golang.org/x/crypto/argon2"

	"medic/internal/auth"
	"medic/internal/server/servertest"
)

// A password stored with older (cheaper) argon2id parameters is stored
// again with the current ones at the next sign-in, and still works.
func TestSignInRehashesOldPasswordHashes(t *testing.T) {
	t.Parallel()
	env := servertest.New(t)
	const password = "an old but good password"
	u := env.User(t, "old@example.org", password)
	salt := []byte("0123456789abcdef")
	old := fmt.Sprintf("$argon2id$v=19$m=64,t=1,p=2$%s$%s", base64.RawStdEncoding.EncodeToString(salt),
		base64.RawStdEncoding.EncodeToString(argon2.IDKey([]byte(password), salt, 1, 64, 2, 24)))
	ctx := context.Background()
	if err := env.DB.SetPassword(ctx, u.ID, old); err != nil {
		t.Fatal(err)
	}

	want(t, env.Client().Do("POST", "/api/v1/auth/login", map[string]any{"email": "old@example.org", "password": password}), http.StatusOK)

	got, err := env.DB.FindUserByID(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.PasswordHash == old || auth.NeedsRehash(got.PasswordHash) {
		t.Fatalf("the hash was not renewed: %s", got.PasswordHash)
	}
	if ok, err := auth.CheckPassword(got.PasswordHash, password); !ok || err != nil {
		t.Fatalf("the renewed hash does not check: %v %v", ok, err)
	}
	want(t, env.Client().Do("POST", "/api/v1/auth/login", map[string]any{"email": "old@example.org", "password": password}), http.StatusOK)

	// A rehash never replaces a hash that changed since it was checked
	// (a password reset landing between the sign-in's check and its write).
	reset, err := auth.HashPassword("the new password after a reset")
	if err != nil {
		t.Fatal(err)
	}
	if err := env.DB.SetPassword(ctx, u.ID, reset); err != nil {
		t.Fatal(err)
	}
	if err := env.DB.ReplacePasswordHash(ctx, u.ID, old, got.PasswordHash); err != nil {
		t.Fatal(err)
	}
	if after, _ := env.DB.FindUserByID(ctx, u.ID); after.PasswordHash != reset {
		t.Error("a rehash of the old hash overwrote the password set meanwhile")
	}
}
