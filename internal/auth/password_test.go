package auth

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"

	"golang.org/x/crypto/argon2"
)

func TestValidatePassword(t *testing.T) {
	tests := []struct {
		name string
		pw   string
		want error
	}{
		{"ok", "correct horse", nil},
		{"exactly min", "abcdefghij", nil},
		{"too short", "abcdefghi", ErrPasswordTooShort},
		{"empty", "", ErrPasswordTooShort},
		{"multibyte counts runes", "ééééééééé", ErrPasswordTooShort},
		{"multibyte ok", "éééééééééé", nil},
		{"max bytes", strings.Repeat("a", 256), nil},
		{"too long", strings.Repeat("a", 257), ErrPasswordTooLong},
		{"all spaces", strings.Repeat(" ", 12), ErrPasswordBlank},
		{"all mixed whitespace", " \t\n \u00a0 \t\n  \u3000", ErrPasswordBlank},
		{"inner spaces fine", "  a  b  c  ", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ValidatePassword(tt.pw); !errors.Is(got, tt.want) {
				t.Fatalf("ValidatePassword(%q) = %v, want %v", tt.pw, got, tt.want)
			}
		})
	}
}

// The only tests that run argon2 with full parameters: keep them few.
func TestHashAndCheckPassword(t *testing.T) {
	const pw = "correct horse battery"
	enc, err := HashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(enc, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("unexpected encoding %q", enc)
	}
	parts := strings.Split(enc, "$")
	if len(parts[4]) != 22 || len(parts[5]) != 43 { // 16 and 32 bytes, unpadded
		t.Fatalf("salt/hash lengths %d/%d", len(parts[4]), len(parts[5]))
	}
	if NeedsRehash(enc) {
		t.Error("fresh hash reported as needing rehash")
	}

	for _, tc := range []struct {
		pw   string
		want bool
	}{{pw, true}, {pw + "x", false}, {"", false}} {
		ok, err := CheckPassword(enc, tc.pw)
		if err != nil || ok != tc.want {
			t.Errorf("CheckPassword(%q) = %v, %v; want %v, nil", tc.pw, ok, err, tc.want)
		}
	}

	enc2, err := HashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	if enc2 == enc {
		t.Error("two hashes of the same password are identical: salt not random")
	}
	DummyCheck(pw) // must not panic
}

// Hashes with other (cheap) parameters must still verify, so the defaults can
// change later.
func TestCheckPasswordOtherParams(t *testing.T) {
	salt := []byte("0123456789abcdef")
	key := argon2.IDKey([]byte("secret-pass"), salt, 1, 64, 2, 24)
	enc := fmt.Sprintf("$argon2id$v=19$m=64,t=1,p=2$%s$%s",
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))

	if ok, err := CheckPassword(enc, "secret-pass"); err != nil || !ok {
		t.Fatalf("CheckPassword = %v, %v; want true, nil", ok, err)
	}
	if ok, err := CheckPassword(enc, "secret-pasS"); err != nil || ok {
		t.Fatalf("wrong password: CheckPassword = %v, %v; want false, nil", ok, err)
	}
	if !NeedsRehash(enc) {
		t.Error("old params should need rehash")
	}
}

func TestCheckPasswordMalformed(t *testing.T) {
	salt := base64.RawStdEncoding.EncodeToString([]byte("0123456789abcdef"))
	key := base64.RawStdEncoding.EncodeToString(make([]byte, 32))
	tests := []struct {
		name string
		enc  string
	}{
		{"empty", ""},
		{"garbage", "not a hash"},
		{"bcrypt", "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"},
		{"argon2i", "$argon2i$v=19$m=64,t=1,p=1$" + salt + "$" + key},
		{"wrong version", "$argon2id$v=16$m=64,t=1,p=1$" + salt + "$" + key},
		{"missing version", "$argon2id$m=64,t=1,p=1$" + salt + "$" + key},
		{"params order", "$argon2id$v=19$t=1,m=64,p=1$" + salt + "$" + key},
		{"params junk", "$argon2id$v=19$m=64,t=1,p=1x$" + salt + "$" + key},
		{"zero time", "$argon2id$v=19$m=64,t=0,p=1$" + salt + "$" + key},
		{"zero threads", "$argon2id$v=19$m=64,t=1,p=0$" + salt + "$" + key},
		{"huge memory", "$argon2id$v=19$m=4294967295,t=1,p=1$" + salt + "$" + key},
		{"huge time", "$argon2id$v=19$m=64,t=1000,p=1$" + salt + "$" + key},
		{"too many threads", "$argon2id$v=19$m=4096,t=1,p=256$" + salt + "$" + key},
		{"padded salt", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "==$" + key},
		{"bad base64", "$argon2id$v=19$m=64,t=1,p=1$!!!!$" + key},
		{"short salt", "$argon2id$v=19$m=64,t=1,p=1$AAAA$" + key},
		{"short key", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$AAAA"},
		{"extra field", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + key + "$x"},
		{"no leading dollar", "argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + key + "$"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, err := CheckPassword(tt.enc, "whatever-password")
			if ok || !errors.Is(err, ErrMalformedHash) {
				t.Fatalf("CheckPassword(%q) = %v, %v; want false, ErrMalformedHash", tt.enc, ok, err)
			}
			if !NeedsRehash(tt.enc) {
				t.Fatal("malformed hash should need rehash")
			}
		})
	}
}
