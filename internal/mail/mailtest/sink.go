// Package mailtest provides an in-process SMTP server that records and
// parses everything sent to it, for tests of code that sends mail.
package mailtest

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	netmail "net/mail"
	"net/textproto"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-smtp"

	"medic/internal/mail"
)

// Received is one message accepted by a Sink.
type Received struct {
	From    string   // envelope sender (MAIL FROM)
	To      []string // envelope recipients (RCPT TO), so Bcc shows up too
	Subject string   // decoded from RFC 2047 if needed
	// Text and HTML are the first text/plain and text/html parts, with CRLF
	// turned into \n. A non-multipart body loses its final line break,
	// because SMTP adds one whether or not the sender wrote it.
	Text        string
	HTML        string
	Attachments []mail.Attachment
	Header      netmail.Header // top-level headers, for anything not covered above
	Raw         []byte         // the message exactly as received
}

// Sink is an SMTP server on 127.0.0.1 that keeps every message in memory.
type Sink struct {
	addr string

	mu      sync.Mutex
	msgs    []Received
	arrived chan struct{}              // closed and replaced whenever a message arrives
	refused map[string]*smtp.SMTPError // by recipient address
}

// NewSink starts a Sink that is shut down when the test ends.
func NewSink(t testing.TB) *Sink {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("mailtest: listen: %v", err)
	}
	s := &Sink{addr: l.Addr().String(), arrived: make(chan struct{})}

	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		return &session{sink: s}, nil
	}))
	srv.Domain = "localhost"
	srv.MaxMessageBytes = 32 << 20
	srv.MaxRecipients = 100
	// go-smtp logs to stderr by default; t.Log would panic if a connection
	// logs after the test finished, so just drop it.
	srv.ErrorLog = log.New(io.Discard, "", 0)

	done := make(chan struct{})
	go func() {
		defer close(done)
		srv.Serve(l) // returns once srv.Close is called
	}()
	t.Cleanup(func() {
		srv.Close()
		// Serve may not have registered l with srv yet, in which case
		// srv.Close cannot see it; closing l ourselves always ends Serve.
		l.Close()
		<-done
	})
	return s
}

// URL returns an smtp:// URL for mail.NewSMTPSender pointing at the sink.
func (s *Sink) URL() string {
	return "smtp://" + s.addr + "?tls=none"
}

// Refuse makes the sink answer RCPT TO for addr with a permanent 550 and
// text, until Accept; a message to addr is then not delivered at all.
func (s *Sink) Refuse(addr, text string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.refused == nil {
		s.refused = map[string]*smtp.SMTPError{}
	}
	s.refused[strings.ToLower(addr)] = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: text}
}

// Accept undoes Refuse for addr.
func (s *Sink) Accept(addr string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.refused, strings.ToLower(addr))
}

func (s *Sink) refusal(addr string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.refused[strings.ToLower(addr)]; ok {
		return e
	}
	return nil
}

// Messages returns a copy of the messages received so far.
func (s *Sink) Messages() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.msgs...)
}

// WaitFor blocks until at least n messages have arrived and returns all of
// them, or returns ctx's error when ctx ends first.
func (s *Sink) WaitFor(ctx context.Context, n int) ([]Received, error) {
	for {
		s.mu.Lock()
		if len(s.msgs) >= n {
			msgs := append([]Received(nil), s.msgs...)
			s.mu.Unlock()
			return msgs, nil
		}
		arrived := s.arrived
		s.mu.Unlock()

		select {
		case <-arrived:
		case <-ctx.Done():
			return nil, fmt.Errorf("mailtest: waiting for %d messages, got %d: %w", n, len(s.Messages()), ctx.Err())
		}
	}
}

func (s *Sink) add(r Received) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.msgs = append(s.msgs, r)
	close(s.arrived)
	s.arrived = make(chan struct{})
}

// session collects one SMTP transaction at a time.
type session struct {
	sink *Sink
	from string
	to   []string
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if err := ss.sink.refusal(to); err != nil {
		return err
	}
	ss.to = append(ss.to, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	rec, err := parse(raw)
	if err != nil {
		// Reject so the sender's test fails loudly instead of the sink
		// silently storing something it could not understand.
		return &smtp.SMTPError{
			Code:         554,
			EnhancedCode: smtp.EnhancedCode{5, 6, 0},
			Message:      "mailtest: cannot parse message: " + err.Error(),
		}
	}
	rec.From = ss.from
	rec.To = append([]string(nil), ss.to...)
	ss.sink.add(rec)
	return nil
}

func (ss *session) Reset() {
	ss.from = ""
	ss.to = nil
}

func (ss *session) Logout() error { return nil }

// parse decodes a raw RFC 5322 message into a Received. From and To are
// left empty because they come from the SMTP envelope, not the headers.
func parse(raw []byte) (Received, error) {
	msg, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return Received{}, fmt.Errorf("read message: %w", err)
	}
	rec := Received{Header: msg.Header, Raw: raw}
	var dec mime.WordDecoder
	rec.Subject, err = dec.DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		return Received{}, fmt.Errorf("decode subject: %w", err)
	}
	if err := rec.walk(textproto.MIMEHeader(msg.Header), msg.Body, true); err != nil {
		return Received{}, err
	}
	return rec, nil
}

// walk descends into multipart containers and sorts leaf parts into text,
// HTML and attachments. topLevel is true for the body of the message itself.
func (rec *Received) walk(header textproto.MIMEHeader, body io.Reader, topLevel bool) error {
	ctype := header.Get("Content-Type")
	if ctype == "" {
		ctype = "text/plain" // RFC 2045 default
	}
	mediaType, params, err := mime.ParseMediaType(ctype)
	if err != nil {
		return fmt.Errorf("content type: %w", err)
	}

	if strings.HasPrefix(mediaType, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			// NextRawPart: NextPart would silently decode quoted-printable
			// and drop the header, and we decode all encodings ourselves.
			p, err := mr.NextRawPart()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return fmt.Errorf("multipart: %w", err)
			}
			if err := rec.walk(p.Header, p, false); err != nil {
				return err
			}
		}
	}

	data, err := decodeBody(header.Get("Content-Transfer-Encoding"), body)
	if err != nil {
		return err
	}

	disposition, dparams, _ := mime.ParseMediaType(header.Get("Content-Disposition"))
	filename := dparams["filename"]
	if filename == "" {
		filename = params["name"]
	}
	if disposition == "attachment" || filename != "" {
		var dec mime.WordDecoder
		if decoded, err := dec.DecodeHeader(filename); err == nil {
			filename = decoded
		}
		// Drop "name": it only repeats the filename.
		delete(params, "name")
		rec.Attachments = append(rec.Attachments, mail.Attachment{
			Filename:    filename,
			ContentType: mime.FormatMediaType(mediaType, params),
			Data:        data,
		})
		return nil
	}

	text := strings.ReplaceAll(string(data), "\r\n", "\n")
	if topLevel {
		// SMTP makes a non-multipart body end in CRLF whether or not the
		// sender wrote one; drop it so "hello" round-trips as "hello".
		// (Inside multipart the CRLF belongs to the boundary already.)
		text = strings.TrimSuffix(text, "\n")
	}
	switch {
	case mediaType == "text/plain" && rec.Text == "":
		rec.Text = text
	case mediaType == "text/html" && rec.HTML == "":
		rec.HTML = text
	}
	return nil
}

func decodeBody(encoding string, body io.Reader) ([]byte, error) {
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "base64":
		// The decoder skips the CRLFs that wrap base64 lines.
		body = base64.NewDecoder(base64.StdEncoding, body)
	case "", "7bit", "8bit", "binary":
	default:
		return nil, fmt.Errorf("unsupported transfer encoding %q", encoding)
	}
	data, err := io.ReadAll(body)
	if err != nil {
		return nil, fmt.Errorf("decode %s body: %w", encoding, err)
	}
	return data, nil
}
