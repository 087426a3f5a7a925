package mail_test

import (
	"bytes"
	"errors"
	"mime"
	netmail "net/mail"
	"strings"
	"testing"

	"medic"
	"medic/internal/mail/mailtest"
)

// hostile is a practice name as an attacker would type it: line breaks
// that would start new headers, non-ASCII, and 200 characters in all.
var hostile = func() string {
	s := "Évil Prâctice\r\nBcc: victim@evil.example\r\nX-Injected: yes\n\u202eSüd-Ost Klinik "
	for len([]rune(s)) < 200 {
		s += "ü"
	}
	return s
}()

// CheckHeaders fails unless raw's header section is well formed: CRLF line
// ends only, no line over 998 octets, only the fields the sender writes,
// each once, and the free-text fields RFC 2047-encoded where not ASCII.
func checkHeaders(t *testing.T, raw []byte) netmail.Header {
	t.Helper()
	head, _, ok := bytes.Cut(raw, []byte("\r\n\r\n"))
	if !ok {
		t.Fatalf("no end of headers in %q", raw)
	}
	allowed := map[string]bool{"Date": true, "From": true, "To": true, "Reply-To": true, "Subject": true,
		"Message-Id": true, "Mime-Version": true, "Content-Type": true, "Content-Transfer-Encoding": true}
	seen := map[string]bool{}
	for _, line := range strings.Split(string(head), "\r\n") {
		if strings.ContainsAny(line, "\r\n") {
			t.Errorf("bare CR or LF in header line %q", line)
		}
		if len(line) > 998 {
			t.Errorf("header line of %d octets", len(line))
		}
		if line == "" || line[0] == ' ' || line[0] == '\t' {
			continue // continuation of a folded field
		}
		name, _, ok := strings.Cut(line, ":")
		if !ok {
			t.Errorf("header line without a field name: %q", line)
			continue
		}
		name = textprotoCanonical(name)
		if !allowed[name] {
			t.Errorf("unexpected header field %q (injected?)", line)
		}
		if seen[name] {
			t.Errorf("header field %s twice", name)
		}
		seen[name] = true
	}
	msg, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("read message: %v", err)
	}
	for _, f := range []string{"Subject", "From"} {
		if v := msg.Header.Get(f); !strings.Contains(v, "=?UTF-8?") && !strings.Contains(v, "=?utf-8?") {
			t.Errorf("%s is not RFC 2047-encoded: %q", f, v)
		}
	}
	return msg.Header
}

func textprotoCanonical(s string) string {
	parts := strings.Split(strings.ToLower(strings.TrimSpace(s)), "-")
	for i, p := range parts {
		if p != "" {
			parts[i] = strings.ToUpper(p[:1]) + p[1:]
		}
	}
	return strings.Join(parts, "-")
}

func TestSendEncodesHostileHeaderText(t *testing.T) {
	sink := mailtest.NewSink(t)
	sender := newSender(t, sink.URL())
	err := sender.Deliver(t.Context(), medic.Mail{
		To:       []string{"patient@example.org"},
		Subject:  "Your appointment at " + hostile + " is booked",
		Text:     "Hello",
		FromName: hostile, ReplyTo: "desk@praxis.example", ReplyToName: hostile,
	})
	if err != nil {
		t.Fatalf("Deliver: %v", err)
	}
	got := waitFor(t, sink, 1)[0]
	h := checkHeaders(t, got.Raw)

	// One line, no bidi override, every letter kept.
	clean := "Évil Prâctice Bcc: victim@evil.example X-Injected: yes Süd-Ost Klinik " + strings.Repeat("ü", 200-len([]rune("Évil Prâctice\r\nBcc: victim@evil.example\r\nX-Injected: yes\n\u202eSüd-Ost Klinik ")))
	if want := "Your appointment at " + clean + " is booked"; got.Subject != want {
		t.Errorf("Subject = %q, want %q", got.Subject, want)
	}
	for _, f := range []string{"From", "Reply-To"} {
		addr, err := (&netmail.AddressParser{WordDecoder: &mime.WordDecoder{}}).Parse(h.Get(f))
		if err != nil {
			t.Fatalf("%s: %v (%q)", f, err, h.Get(f))
		}
		if addr.Name != clean {
			t.Errorf("%s name = %q, want %q", f, addr.Name, clean)
		}
	}
	if len(got.To) != 1 || got.To[0] != "patient@example.org" {
		t.Errorf("envelope recipients = %q: the injected Bcc must not become one", got.To)
	}
}

func TestDeliverRefusedRecipient(t *testing.T) {
	sink := mailtest.NewSink(t)
	sender := newSender(t, sink.URL())
	m := medic.Mail{To: []string{"gone@example.org"}, Subject: "Hi", Text: "Diagnose: vertraulich"}

	sink.Refuse("gone@example.org", "Mailbox unavailable")
	err := sender.Deliver(t.Context(), m)
	var de *medic.DeliveryError
	if !errors.As(err, &de) {
		t.Fatalf("Deliver = %v, want a DeliveryError", err)
	}
	if !de.Permanent || de.Summary != "The mail server answered 550 5.1.1 Mailbox unavailable" {
		t.Errorf("DeliveryError = %+v", de)
	}
	for _, leak := range []string{"127.0.0.1", "vertraulich", "affected"} {
		if strings.Contains(de.Summary, leak) {
			t.Errorf("summary leaks %q: %s", leak, de.Summary)
		}
	}

	sink.Accept("gone@example.org")
	if err := sender.Deliver(t.Context(), m); err != nil {
		t.Fatalf("Deliver once accepted: %v", err)
	}
	waitFor(t, sink, 1)
}

func TestDeliverInvalidIsPermanent(t *testing.T) {
	err := newSender(t, "smtp://127.0.0.1:1?tls=none").Deliver(t.Context(), medic.Mail{To: []string{"nope"}, Subject: "Hi"})
	var de *medic.DeliveryError
	if !errors.As(err, &de) || !de.Permanent || medic.ErrorCode(err) != medic.EINVALID {
		t.Fatalf("Deliver = %#v, want a permanent EINVALID DeliveryError", err)
	}
	if !strings.HasPrefix(de.Summary, "The message is not valid: recipient") {
		t.Errorf("summary = %q", de.Summary)
	}
}

func TestDeliverUnreachable(t *testing.T) {
	err := newSender(t, "smtp://127.0.0.1:1?tls=none").Deliver(t.Context(), medic.Mail{To: []string{"a@example.org"}, Subject: "Hi"})
	var de *medic.DeliveryError
	if !errors.As(err, &de) || de.Permanent || de.Summary != "The mail server could not be reached." {
		t.Fatalf("Deliver = %#v", err)
	}
}
