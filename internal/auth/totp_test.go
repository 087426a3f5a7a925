package auth

import (
	"bytes"
	"image/png"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
)

// totpCode computes the expected code through the library's time-based API,
// independently of VerifyTOTP's own step arithmetic.
func totpCode(secret string, step int64) (string, error) {
	return totp.GenerateCode(secret, time.Unix(step*30, 0))
}

// RFC 6238 appendix B SHA-1 seed "12345678901234567890" in base32.
const rfcSecret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"

func TestVerifyTOTPVectors(t *testing.T) {
	// Last six digits of the RFC 6238 8-digit SHA-1 vectors.
	tests := []struct {
		unix int64
		code string
	}{
		{59, "287082"},
		{1111111109, "081804"},
		{1111111111, "050471"},
		{1234567890, "005924"},
		{2000000000, "279037"},
	}
	for _, tt := range tests {
		step, ok := VerifyTOTP(rfcSecret, tt.code, time.Unix(tt.unix, 0), 0)
		if !ok || step != tt.unix/30 {
			t.Errorf("t=%d code=%s: got step %d ok %v, want step %d ok", tt.unix, tt.code, step, ok, tt.unix/30)
		}
	}
}

func TestVerifyTOTP(t *testing.T) {
	// Codes for steps 37037035..37037037 (t=1111111109 is in step 37037036).
	now := time.Unix(1111111109, 0)
	const cur = int64(37037036)
	codeAt := func(step int64) string {
		t.Helper()
		c, err := totpCode(rfcSecret, step)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	// Sanity: generated current code matches the RFC vector.
	if got := codeAt(cur); got != "081804" {
		t.Fatalf("code at current step = %s, want 081804", got)
	}

	tests := []struct {
		name     string
		code     string
		lastUsed int64
		wantStep int64
		wantOK   bool
	}{
		{"current step", codeAt(cur), 0, cur, true},
		{"previous step (skew)", codeAt(cur - 1), 0, cur - 1, true},
		{"next step (skew)", codeAt(cur + 1), 0, cur + 1, true},
		{"two steps back", codeAt(cur - 2), 0, 0, false},
		{"two steps ahead", codeAt(cur + 2), 0, 0, false},
		{"replay of current", codeAt(cur), cur, 0, false},
		{"older than last used", codeAt(cur - 1), cur - 1, 0, false},
		{"after last used", codeAt(cur), cur - 1, cur, true},
		{"next after current used", codeAt(cur + 1), cur, cur + 1, true},
		{"all used", codeAt(cur + 1), cur + 1, 0, false},
		{"surrounding spaces", "  " + codeAt(cur) + "\n", 0, cur, true},
		{"inner space", codeAt(cur)[:3] + " " + codeAt(cur)[3:], 0, cur, true},
		{"wrong code", "000000", 0, 0, false},
		{"empty", "", 0, 0, false},
		{"five digits", codeAt(cur)[:5], 0, 0, false},
		{"seven digits", codeAt(cur) + "0", 0, 0, false},
		{"letters", "08180a", 0, 0, false},
		{"sign", "+81804", 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			step, ok := VerifyTOTP(rfcSecret, tt.code, now, tt.lastUsed)
			if ok != tt.wantOK || step != tt.wantStep {
				t.Fatalf("VerifyTOTP(%q, last=%d) = %d, %v; want %d, %v",
					tt.code, tt.lastUsed, step, ok, tt.wantStep, tt.wantOK)
			}
		})
	}

	if _, ok := VerifyTOTP("not base32!", "123456", now, 0); ok {
		t.Error("invalid secret accepted")
	}
}

func TestNewTOTPKeyAndQR(t *testing.T) {
	secret, u, err := NewTOTPKey("Medic", "alice@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^[A-Z2-7]{32}$`).MatchString(secret) {
		t.Fatalf("secret %q is not 32 base32 chars", secret)
	}
	parsed, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	q := parsed.Query()
	if parsed.Scheme != "otpauth" || parsed.Host != "totp" || q.Get("secret") != secret ||
		q.Get("issuer") != "Medic" || q.Get("digits") != "6" || q.Get("period") != "30" {
		t.Fatalf("unexpected url %q", u)
	}

	// A freshly generated key verifies its own code.
	now := time.Unix(1_700_000_000, 0)
	code, err := totpCode(secret, now.Unix()/30)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := VerifyTOTP(secret, code, now, 0); !ok {
		t.Fatal("own code rejected")
	}

	if _, _, err := NewTOTPKey("", "alice"); err == nil {
		t.Error("empty issuer accepted")
	}
	if _, _, err := NewTOTPKey("Medic", ""); err == nil {
		t.Error("empty account accepted")
	}

	pngBytes, err := TOTPQRCodePNG(u)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(pngBytes))
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 200 || b.Dy() != 200 {
		t.Fatalf("qr size %v, want 200x200", b)
	}
	if _, err := TOTPQRCodePNG("%zz"); err == nil {
		t.Error("bad url accepted")
	}
}

func TestNewRecoveryCodes(t *testing.T) {
	re := regexp.MustCompile(`^[0-9a-hjkmnp-tv-z]{5}-[0-9a-hjkmnp-tv-z]{5}$`)
	for _, n := range []int{0, 1, 10} {
		codes, err := NewRecoveryCodes(n)
		if err != nil {
			t.Fatal(err)
		}
		if len(codes) != n {
			t.Fatalf("got %d codes, want %d", len(codes), n)
		}
		seen := map[string]bool{}
		for _, c := range codes {
			if !re.MatchString(c) {
				t.Errorf("bad code format %q", c)
			}
			if seen[c] {
				t.Errorf("duplicate code %q", c)
			}
			seen[c] = true
			if NormalizeRecoveryCode(c) != c {
				t.Errorf("normalize changed canonical code %q", c)
			}
		}
	}
	if _, err := NewRecoveryCodes(-1); err == nil {
		t.Error("negative count accepted")
	}
}

func TestNormalizeRecoveryCode(t *testing.T) {
	tests := []struct{ in, want string }{
		{"abcde-fghjk", "abcde-fghjk"},
		{"ABCDE-FGHJK", "abcde-fghjk"},
		{"abcdefghjk", "abcde-fghjk"},
		{" abc de-fg hjk ", "abcde-fghjk"},
		{"abc", "abc"},
		{"0O1IL-abcde", "00111-abcde"},
	}
	for _, tt := range tests {
		if got := NormalizeRecoveryCode(tt.in); got != tt.want {
			t.Errorf("NormalizeRecoveryCode(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestIsAndHashRecoveryCode(t *testing.T) {
	codes, err := NewRecoveryCodes(1)
	if err != nil {
		t.Fatal(err)
	}
	c := codes[0]
	for _, in := range []string{c, strings.ToUpper(c), strings.ReplaceAll(c, "-", ""), " " + c[:3] + " " + c[3:] + " "} {
		if !IsRecoveryCode(in) {
			t.Errorf("IsRecoveryCode(%q) = false", in)
		}
		if !bytes.Equal(HashRecoveryCode(in), HashRecoveryCode(c)) {
			t.Errorf("HashRecoveryCode(%q) differs from the canonical code's", in)
		}
	}
	for _, in := range []string{"", "123456", "123 456", "abcde-fghj", "abcde-fghjkm", "abcde-fghu1", "abcde_fghjk"} {
		if IsRecoveryCode(in) {
			t.Errorf("IsRecoveryCode(%q) = true", in)
		}
	}
	if bytes.Equal(HashRecoveryCode("abcde-fghjk"), HashRecoveryCode("abcde-fghjm")) {
		t.Error("different codes hash the same")
	}
}
