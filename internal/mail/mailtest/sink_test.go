package mailtest

import (
	"context"
	"errors"
	"net/smtp"
	"strings"
	"testing"
)

// A hand-written message covering what go-mail does not produce itself:
// base64 text, a base64 attachment named only via Content-Type, RFC 2047
// subject and a 7bit body nested two levels deep.
const nested = "From: a@example.org\r\n" +
	"To: b@example.org\r\n" +
	"Subject: =?UTF-8?B?QmVmdW5kIGbDvHIgSWhyZW4gVGVybWlu?=\r\n" +
	"MIME-Version: 1.0\r\n" +
	"Content-Type: multipart/mixed; boundary=outer\r\n" +
	"\r\n" +
	"preamble\r\n" +
	"--outer\r\n" +
	"Content-Type: multipart/alternative; boundary=inner\r\n" +
	"\r\n" +
	"--inner\r\n" +
	"Content-Type: text/plain; charset=utf-8\r\n" +
	"Content-Transfer-Encoding: base64\r\n" +
	"\r\n" +
	"SGFsbG8gV2VsdCwK\r\n" +
	"w6TDtsO8\r\n" +
	"--inner\r\n" +
	"Content-Type: text/html\r\n" +
	"\r\n" +
	"<p>Hallo</p>\r\n" +
	"--inner--\r\n" +
	"--outer\r\n" +
	"Content-Type: text/calendar; name=termin.ics\r\n" +
	"Content-Transfer-Encoding: quoted-printable\r\n" +
	"\r\n" +
	"BEGIN:VCALENDAR\r\n" +
	"SUMMARY:Kontrolle =C3=A4=\r\n" +
	"rztlich\r\n" +
	"END:VCALENDAR\r\n" +
	"--outer--\r\n"

func TestSinkParsesNestedMultipart(t *testing.T) {
	sink := NewSink(t)
	addr := strings.TrimSuffix(strings.TrimPrefix(sink.URL(), "smtp://"), "?tls=none")
	if err := smtp.SendMail(addr, nil, "a@example.org", []string{"b@example.org", "c@example.org"}, []byte(nested)); err != nil {
		t.Fatal(err)
	}

	msgs, err := sink.WaitFor(t.Context(), 1)
	if err != nil {
		t.Fatal(err)
	}
	got := msgs[0]
	if got.From != "a@example.org" || strings.Join(got.To, ",") != "b@example.org,c@example.org" {
		t.Errorf("envelope = %q -> %q", got.From, got.To)
	}
	if got.Subject != "Befund für Ihren Termin" {
		t.Errorf("Subject = %q", got.Subject)
	}
	if got.Text != "Hallo Welt,\näöü" {
		t.Errorf("Text = %q", got.Text)
	}
	if got.HTML != "<p>Hallo</p>" {
		t.Errorf("HTML = %q", got.HTML)
	}
	if len(got.Attachments) != 1 {
		t.Fatalf("got %d attachments, want 1", len(got.Attachments))
	}
	a := got.Attachments[0]
	wantData := "BEGIN:VCALENDAR\r\nSUMMARY:Kontrolle ärztlich\r\nEND:VCALENDAR"
	if a.Filename != "termin.ics" || a.ContentType != "text/calendar" || string(a.Data) != wantData {
		t.Errorf("attachment = %q %q %q", a.Filename, a.ContentType, a.Data)
	}
	if string(got.Raw) != nested {
		t.Errorf("Raw differs from what was sent")
	}
	if n := len(sink.Messages()); n != 1 {
		t.Errorf("Messages() has %d entries", n)
	}
}

func TestSinkRejectsUnparsableMessage(t *testing.T) {
	sink := NewSink(t)
	addr := strings.TrimSuffix(strings.TrimPrefix(sink.URL(), "smtp://"), "?tls=none")
	raw := "Subject: x\r\nContent-Type: multipart/mixed\r\n\r\nno boundary\r\n"
	if err := smtp.SendMail(addr, nil, "a@example.org", []string{"b@example.org"}, []byte(raw)); err == nil {
		t.Fatal("sink accepted a message it cannot parse")
	}
	if n := len(sink.Messages()); n != 0 {
		t.Errorf("Messages() has %d entries", n)
	}
}

func TestWaitForStopsWithContext(t *testing.T) {
	sink := NewSink(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := sink.WaitFor(ctx, 1); !errors.Is(err, context.Canceled) {
		t.Fatalf("WaitFor = %v, want context.Canceled", err)
	}
	// n <= what has arrived returns immediately, even with a dead ctx.
	if msgs, err := sink.WaitFor(ctx, 0); err != nil || len(msgs) != 0 {
		t.Fatalf("WaitFor(0) = %v, %v", msgs, err)
	}
}

func TestWaitForWakesUp(t *testing.T) {
	sink := NewSink(t)
	addr := strings.TrimSuffix(strings.TrimPrefix(sink.URL(), "smtp://"), "?tls=none")
	errc := make(chan error, 1)
	go func() {
		var err error
		for i := 0; i < 3 && err == nil; i++ {
			err = smtp.SendMail(addr, nil, "a@example.org", []string{"b@example.org"}, []byte("Subject: hi\r\n\r\nbody\r\n"))
		}
		errc <- err
	}()
	msgs, err := sink.WaitFor(t.Context(), 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 3 || msgs[2].Text != "body" {
		t.Errorf("got %+v", msgs)
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
}
