package mail_test

import (
	"bytes"
	"context"
	"errors"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"medic/internal/mail"
	"medic/internal/mail/mailtest"
)

const from = "Praxis Dr. Müller <noreply@praxis.example>"

// ics uses CRLF line endings as RFC 5545 requires; it must arrive byte-for-byte.
var ics = []byte("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//medic//test//EN\r\nMETHOD:REQUEST\r\n" +
	"BEGIN:VEVENT\r\nUID:appt-42@praxis.example\r\nDTSTART:20260302T090000Z\r\n" +
	"SUMMARY:Kontrolltermin\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")

func newSender(t *testing.T, url string) *mail.SMTPSender {
	t.Helper()
	s, err := mail.NewSMTPSender(url, from)
	if err != nil {
		t.Fatalf("NewSMTPSender: %v", err)
	}
	return s
}

func waitFor(t *testing.T, sink *mailtest.Sink, n int) []mailtest.Received {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	msgs, err := sink.WaitFor(ctx, n)
	if err != nil {
		t.Fatal(err)
	}
	return msgs
}

func TestSendRoundTrip(t *testing.T) {
	sink := mailtest.NewSink(t)
	sender := newSender(t, sink.URL())

	// Umlauts and a long line force RFC 2047 and quoted-printable soft breaks.
	text := "Guten Tag Frau Öztürk,\n\nIhr Termin ist am 2. März um 10:00 Uhr. " +
		strings.Repeat("Bitte bringen Sie Ihre Versichertenkarte mit. ", 5) + "\n\nIhre Praxis"
	html := `<p>Guten Tag Frau Öztürk,</p><p>Ihr Termin ist am <b>2. März</b> um 10:00 Uhr.</p>` +
		`<p style="color: #333">=3D is not an escape here</p>`
	msg := mail.Message{
		To:      []string{"patientin@example.org", "Max Mustermann <max@example.org>"},
		Subject: "Terminbestätigung für Ihren Besuch – Praxis Müller",
		Text:    text,
		HTML:    html,
		ReplyTo: "empfang@praxis.example",
		Attachments: []mail.Attachment{
			{Filename: "termin.ics", ContentType: "text/calendar", Data: ics},
			{Filename: "befund.bin", Data: []byte{0x00, 0xff, 0x10, '\r', '\n', 0x80}},
		},
	}
	if err := sender.Send(t.Context(), msg); err != nil {
		t.Fatalf("Send: %v", err)
	}

	got := waitFor(t, sink, 1)[0]
	if got.Subject != msg.Subject {
		t.Errorf("Subject = %q, want %q", got.Subject, msg.Subject)
	}
	if got.From != "noreply@praxis.example" {
		t.Errorf("envelope From = %q", got.From)
	}
	wantTo := []string{"patientin@example.org", "max@example.org"}
	if !slices.Equal(got.To, wantTo) {
		t.Errorf("envelope To = %q, want %q", got.To, wantTo)
	}
	if h := got.Header.Get("Reply-To"); !strings.Contains(h, "empfang@praxis.example") {
		t.Errorf("Reply-To header = %q", h)
	}
	if got.Text != text {
		t.Errorf("Text = %q, want %q", got.Text, text)
	}
	if got.HTML != html {
		t.Errorf("HTML = %q, want %q", got.HTML, html)
	}
	if len(got.Attachments) != 2 {
		t.Fatalf("got %d attachments, want 2", len(got.Attachments))
	}
	cal := got.Attachments[0]
	if cal.Filename != "termin.ics" || cal.ContentType != "text/calendar" || !bytes.Equal(cal.Data, ics) {
		t.Errorf("calendar attachment = %q %q %q", cal.Filename, cal.ContentType, cal.Data)
	}
	bin := got.Attachments[1]
	if bin.Filename != "befund.bin" || bin.ContentType != "application/octet-stream" ||
		!bytes.Equal(bin.Data, msg.Attachments[1].Data) {
		t.Errorf("binary attachment = %q %q %x", bin.Filename, bin.ContentType, bin.Data)
	}
}

func TestSendSingleBody(t *testing.T) {
	sink := mailtest.NewSink(t)
	sender := newSender(t, sink.URL())

	if err := sender.Send(t.Context(), mail.Message{To: []string{"a@example.org"}, Subject: "text", Text: "only text"}); err != nil {
		t.Fatal(err)
	}
	if err := sender.Send(t.Context(), mail.Message{To: []string{"b@example.org"}, Subject: "html", HTML: "<p>only html</p>"}); err != nil {
		t.Fatal(err)
	}

	msgs := waitFor(t, sink, 2)
	if m := msgs[0]; m.Text != "only text" || m.HTML != "" || len(m.Attachments) != 0 {
		t.Errorf("text-only message = %+v", m)
	}
	if m := msgs[1]; m.HTML != "<p>only html</p>" || m.Text != "" || len(m.Attachments) != 0 {
		t.Errorf("html-only message = %+v", m)
	}
}

// countingListener records whether anything connected to it. To know for sure
// that nothing did, it dials a marker connection itself: accept order is FIFO,
// so if the first accepted connection is the marker, nobody came before it.
type countingListener struct {
	net.Listener
	first chan net.Addr
}

func newCountingListener(t *testing.T) *countingListener {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	cl := &countingListener{Listener: l, first: make(chan net.Addr, 1)}
	go func() {
		c, err := l.Accept()
		if err != nil {
			close(cl.first)
			return
		}
		cl.first <- c.RemoteAddr()
		c.Close()
	}()
	return cl
}

func (cl *countingListener) URL() string { return "smtp://" + cl.Addr().String() + "?tls=none" }

func (cl *countingListener) assertNoConnection(t *testing.T) {
	t.Helper()
	marker, err := net.Dial("tcp", cl.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer marker.Close()
	if got := <-cl.first; got.String() != marker.LocalAddr().String() {
		t.Errorf("sender connected (from %v) although the message was invalid", got)
	}
}

func TestSendRefusesHeaderInjectionBeforeConnecting(t *testing.T) {
	tests := map[string]mail.Message{
		"CRLF in to":       {To: []string{"a@example.org\r\nBcc: victim@example.org"}, Subject: "Hi"},
		"CR in to":         {To: []string{"a@example.org\rBcc: victim@example.org"}, Subject: "Hi"},
		"CRLF in reply-to": {To: []string{"a@example.org"}, Subject: "Hi", ReplyTo: "r@example.org\r\nBcc: v@example.org"},
		"CRLF in filename": {To: []string{"a@example.org"}, Subject: "Hi", Attachments: []mail.Attachment{
			{Filename: "a.ics\r\nX-Evil: 1", ContentType: "text/calendar", Data: ics},
		}},
		"no recipients": {Subject: "Hi", Text: "body"},
		"bad address":   {To: []string{"not an address"}, Subject: "Hi"},
	}
	for name, msg := range tests {
		t.Run(name, func(t *testing.T) {
			l := newCountingListener(t)
			err := newSender(t, l.URL()).Send(t.Context(), msg)
			if !errors.Is(err, mail.ErrInvalidMessage) {
				t.Fatalf("Send error = %v, want ErrInvalidMessage", err)
			}
			if strings.Contains(err.Error(), "victim") {
				t.Errorf("error echoes the injected header: %v", err)
			}
			l.assertNoConnection(t)
		})
	}
}

func TestSendErrorOmitsBody(t *testing.T) {
	// Nothing listens on a just-closed port, so the dial fails.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()

	err = newSender(t, "smtp://"+addr+"?tls=none").Send(t.Context(), mail.Message{
		To: []string{"a@example.org"}, Subject: "Befund", Text: "Diagnose: streng vertraulich",
	})
	if err == nil {
		t.Fatal("Send succeeded without a server")
	}
	if strings.Contains(err.Error(), "vertraulich") {
		t.Errorf("error contains the body: %v", err)
	}
}

func TestSendHonoursContextAfterDial(t *testing.T) {
	// A server that accepts but never sends its greeting would stall go-mail
	// until its own 15s timeout; cancelling ctx must abort right away.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	ctx, cancel := context.WithCancel(t.Context())
	go func() {
		c, err := l.Accept()
		if err != nil {
			return
		}
		t.Cleanup(func() { c.Close() })
		cancel()
	}()

	start := time.Now()
	err = newSender(t, "smtp://"+l.Addr().String()+"?tls=none").Send(ctx, mail.Message{
		To: []string{"a@example.org"}, Subject: "Hi", Text: "body",
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Send error = %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Send took %v after cancellation", d)
	}
}

func TestNewSMTPSenderErrors(t *testing.T) {
	tests := map[string]string{
		"unparsable":        "smtp://user:s3cret@bad host:25",
		"wrong scheme":      "http://user:s3cret@host:25",
		"no scheme":         "mail.example.org:587",
		"missing host":      "smtp://user:s3cret@:25",
		"bad port":          "smtp://user:s3cret@host:99999",
		"non-numeric port":  "smtp://user:s3cret@host:abc",
		"unknown tls mode":  "smtp://host:25?tls=maybe",
		"tls with smtps":    "smtps://host:465?tls=none",
		"unknown parameter": "smtp://host:25?tsl=none",
		"path":              "smtp://host:25/inbox",
	}
	for name, url := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := mail.NewSMTPSender(url, from)
			if err == nil {
				t.Fatalf("NewSMTPSender(%q) succeeded", url)
			}
			if strings.Contains(err.Error(), "s3cret") {
				t.Errorf("error leaks the password: %v", err)
			}
		})
	}

	for _, bad := range []string{"", "nobody", "a@example.org\r\nBcc: v@example.org"} {
		if _, err := mail.NewSMTPSender("smtp://host:25", bad); err == nil {
			t.Errorf("NewSMTPSender accepted from address %q", bad)
		}
	}
}
