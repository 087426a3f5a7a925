package mail

import "testing"

func TestNewSMTPSenderParsesURL(t *testing.T) {
	tests := []struct {
		url  string
		want SMTPSender
	}{
		{"smtp://user:p%40ss@mail.example.org:587", SMTPSender{host: "mail.example.org", port: 587, tls: tlsOpportunistic, username: "user", password: "p@ss"}},
		{"smtp://mail.example.org", SMTPSender{host: "mail.example.org", port: 587, tls: tlsOpportunistic}},
		{"smtp://mail.example.org:25?tls=starttls", SMTPSender{host: "mail.example.org", port: 25, tls: tlsStartTLS}},
		{"smtp://127.0.0.1:2525?tls=none", SMTPSender{host: "127.0.0.1", port: 2525, tls: tlsNone}},
		{"smtps://user@mail.example.org", SMTPSender{host: "mail.example.org", port: 465, tls: tlsImplicit, username: "user"}},
		{"smtps://[::1]:1465/", SMTPSender{host: "::1", port: 1465, tls: tlsImplicit}},
	}
	for _, tt := range tests {
		got, err := NewSMTPSender(tt.url, "noreply@praxis.example")
		if err != nil {
			t.Errorf("NewSMTPSender(%q): %v", tt.url, err)
			continue
		}
		tt.want.from = "noreply@praxis.example"
		if *got != tt.want {
			t.Errorf("NewSMTPSender(%q) = %+v, want %+v", tt.url, *got, tt.want)
		}
	}
}
