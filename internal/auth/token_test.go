package auth

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"testing"
)

func TestNewToken(t *testing.T) {
	for _, prefix := range []string{"", "mdc_", "sess_"} {
		t.Run(prefix, func(t *testing.T) {
			plain, hash, err := NewToken(prefix)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(plain, prefix) {
				t.Fatalf("%q lacks prefix %q", plain, prefix)
			}
			raw, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(plain, prefix))
			if err != nil || len(raw) != 32 {
				t.Fatalf("body decodes to %d bytes, err %v", len(raw), err)
			}
			want := sha256.Sum256([]byte(plain))
			if !bytes.Equal(hash, want[:]) || !bytes.Equal(HashToken(plain), hash) {
				t.Fatal("hash is not sha256 of the plain token")
			}
			plain2, _, err := NewToken(prefix)
			if err != nil || plain2 == plain {
				t.Fatalf("second token %q equals first or err %v", plain2, err)
			}
		})
	}
}

func TestNewNumericCode(t *testing.T) {
	for _, digits := range []int{1, 6, 8, 18} {
		c, err := NewNumericCode(digits)
		if err != nil {
			t.Fatal(err)
		}
		if len(c) != digits || strings.Trim(c, "0123456789") != "" {
			t.Errorf("NewNumericCode(%d) = %q", digits, c)
		}
	}
	for _, digits := range []int{-1, 0, 19} {
		if _, err := NewNumericCode(digits); err == nil {
			t.Errorf("NewNumericCode(%d) succeeded", digits)
		}
	}
}

// Coarse uniformity check on 1-digit codes: every digit shows up with
// roughly equal frequency (bounds are loose enough to never flake).
func TestNewNumericCodeDistribution(t *testing.T) {
	const n = 20000
	var counts [10]int
	for range n {
		c, err := NewNumericCode(1)
		if err != nil {
			t.Fatal(err)
		}
		counts[c[0]-'0']++
	}
	for d, got := range counts {
		if got < n/10*8/10 || got > n/10*12/10 {
			t.Errorf("digit %d seen %d times of %d", d, got, n)
		}
	}
}
