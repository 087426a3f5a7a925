package medic_test

import (
	"testing"

	"medic"
)

func TestNormalizeOrigin(t *testing.T) {
	for in, want := range map[string]string{
		"https://www.example.com":       "https://www.example.com",
		"HTTPS://WWW.Example.com":       "https://www.example.com",
		" http://localhost:3000 ":       "http://localhost:3000",
		"https://[2001:db8::1]:8443":    "https://[2001:db8::1]:8443",
		"https://www.example.com:443":   "https://www.example.com",
		"http://localhost:80":           "http://localhost",
		"http://localhost:443":          "http://localhost:443",
		"https://example.com/":          "",
		"https://example.com/x":         "",
		"https://example.com?":          "",
		"https://example.com#":          "",
		"https://u:p@example.com":       "",
		"example.com":                   "",
		"ftp://example.com":             "",
		"https://*.example.com":         "",
		"https://example.com:0":         "",
		"https://example.com:":          "",
		"https://exa mple.com":          "",
		"https://example.com\r\nX: y":   "",
		"null":                          "",
		"":                              "",
		"javascript:alert(1)":           "",
		"https://example.com:443:443":   "",
		"https://example.com%2f.evil.x": "",
	} {
		got, err := medic.NormalizeOrigin(in)
		if (want == "") != (err != nil) || got != want {
			t.Errorf("NormalizeOrigin(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	b := medic.BookingSettings{AllowedOrigins: []string{"https://www.example.com"}}
	if !b.AllowsOrigin("https://www.example.com") || b.AllowsOrigin("https://www.example.com.evil.x") || b.AllowsOrigin("") || b.AllowsOrigin("https://WWW.example.com") {
		t.Error("AllowsOrigin is not an exact match")
	}
}
