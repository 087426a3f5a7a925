package mail

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"strconv"

	gomail "github.com/wneessen/go-mail"
)

// tlsMode says how the connection to the SMTP server is secured.
type tlsMode int

const (
	tlsOpportunistic tlsMode = iota // STARTTLS if the server offers it
	tlsStartTLS                     // STARTTLS required
	tlsImplicit                     // TLS from the first byte (smtps://)
	tlsNone                         // plaintext, for local sinks only
)

// SMTPSender sends Messages through an SMTP server. It is safe for concurrent
// use; every Send opens its own connection.
type SMTPSender struct {
	host     string
	port     int
	tls      tlsMode
	username string
	password string
	from     string
}

// NewSMTPSender configures a sender from a URL and a From address.
//
// Supported URLs:
//
//	smtp://user:pass@host:587             STARTTLS if offered (default port 587)
//	smtp://user:pass@host:587?tls=starttls STARTTLS required
//	smtp://host:25?tls=none               plaintext, for local test sinks
//	smtps://user:pass@host:465            implicit TLS (default port 465)
//
// User and password are optional; when present the sender authenticates,
// which requires an encrypted connection unless the host is localhost.
func NewSMTPSender(rawURL, from string) (*SMTPSender, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		// url.Error repeats the whole URL, password included; keep only the cause.
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		return nil, fmt.Errorf("mail: invalid SMTP URL: %w", err)
	}

	s := &SMTPSender{host: u.Hostname()}
	var defaultPort int
	switch u.Scheme {
	case "smtp":
		defaultPort = 587
		switch mode := u.Query().Get("tls"); mode {
		case "", "opportunistic":
			s.tls = tlsOpportunistic
		case "starttls":
			s.tls = tlsStartTLS
		case "none":
			s.tls = tlsNone
		default:
			return nil, fmt.Errorf("mail: invalid SMTP URL: unknown tls mode %q", mode)
		}
	case "smtps":
		defaultPort = 465
		s.tls = tlsImplicit
		if u.Query().Has("tls") {
			return nil, errors.New("mail: invalid SMTP URL: tls parameter is not allowed with smtps")
		}
	default:
		return nil, fmt.Errorf("mail: invalid SMTP URL: scheme must be smtp or smtps, got %q", u.Scheme)
	}
	if s.host == "" {
		return nil, errors.New("mail: invalid SMTP URL: missing host")
	}
	if u.Path != "" && u.Path != "/" {
		return nil, errors.New("mail: invalid SMTP URL: unexpected path")
	}
	for key := range u.Query() {
		// Reject unknown parameters so typos such as "tsl=none" are not silently ignored.
		if key != "tls" {
			return nil, fmt.Errorf("mail: invalid SMTP URL: unknown parameter %q", key)
		}
	}

	s.port = defaultPort
	if p := u.Port(); p != "" {
		s.port, err = strconv.Atoi(p)
		if err != nil || s.port < 1 || s.port > 65535 {
			return nil, errors.New("mail: invalid SMTP URL: invalid port")
		}
	}
	if u.User != nil {
		s.username = u.User.Username()
		s.password, _ = u.User.Password()
	}

	if err := validateAddress(from); err != nil {
		return nil, fmt.Errorf("mail: invalid from address: %w", err)
	}
	s.from = from
	return s, nil
}

// Send validates m and delivers it. Cancelling ctx aborts the SMTP
// conversation, not only the dial. Errors never include the message body.
func (s *SMTPSender) Send(ctx context.Context, m Message) error {
	if err := m.Validate(); err != nil {
		return err
	}
	msg, err := s.build(m)
	if err != nil {
		return fmt.Errorf("mail: build message: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("mail: send: %w", err)
	}

	client, release, err := s.client(ctx)
	if err != nil {
		return fmt.Errorf("mail: configure SMTP client: %w", err)
	}
	defer release()
	if err := client.DialAndSendWithContext(ctx, msg); err != nil {
		if cerr := context.Cause(ctx); cerr != nil {
			// The failure is most likely our own abort; surface ctx's error
			// so callers can match it with errors.Is.
			return fmt.Errorf("mail: send to %s: %w: %w", s.addr(), cerr, err)
		}
		return fmt.Errorf("mail: send to %s: %w", s.addr(), err)
	}
	return nil
}

func (s *SMTPSender) addr() string {
	return net.JoinHostPort(s.host, strconv.Itoa(s.port))
}

// build converts m into a go-mail message.
func (s *SMTPSender) build(m Message) (*gomail.Msg, error) {
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	from, err := mail.ParseAddress(s.from)
	if err != nil {
		return nil, fmt.Errorf("from: %w", err)
	}
	if name := headerText(m.FromName); name != "" {
		from.Name = name
	}
	// A mail.Address is written with its name RFC 2047-encoded when needed;
	// go-mail's FromFormat would paste the name between quotes unescaped.
	msg.SetAddrHeaderFromMailAddress(gomail.HeaderFrom, from)
	if err := msg.To(m.To...); err != nil {
		return nil, fmt.Errorf("to: %w", err)
	}
	if m.ReplyTo != "" {
		replyTo, err := mail.ParseAddress(m.ReplyTo)
		if err != nil {
			return nil, fmt.Errorf("reply-to: %w", err)
		}
		if name := headerText(m.ReplyToName); name != "" {
			replyTo.Name = name
		}
		msg.SetAddrHeaderFromMailAddress(gomail.HeaderReplyTo, replyTo)
	}
	msg.Subject(headerText(m.Subject))
	msg.SetDate()
	msg.SetMessageID()

	switch {
	case m.Text != "" && m.HTML != "":
		// Text first: clients show the last alternative they understand.
		msg.SetBodyString(gomail.TypeTextPlain, m.Text)
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	case m.HTML != "":
		msg.SetBodyString(gomail.TypeTextHTML, m.HTML)
	default:
		msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	}

	for _, a := range m.Attachments {
		ct := gomail.TypeAppOctetStream
		if a.ContentType != "" {
			ct = gomail.ContentType(a.ContentType)
		}
		msg.AttachReadSeeker(a.Filename, bytes.NewReader(a.Data), gomail.WithFileContentType(ct))
	}
	return msg, nil
}

// client builds a single-use go-mail client whose connection is closed as
// soon as ctx ends, because go-mail itself only honours ctx while dialling.
// release must be called after sending so the ctx hook does not outlive it.
func (s *SMTPSender) client(ctx context.Context) (c *gomail.Client, release func(), err error) {
	stop := func() bool { return false }
	release = func() { stop() }
	tlsConf := &tls.Config{ServerName: s.host, MinVersion: tls.VersionTLS12}
	opts := []gomail.Option{
		gomail.WithPort(s.port),
		gomail.WithTLSConfig(tlsConf),
		gomail.WithDialContextFunc(func(dialCtx context.Context, network, addr string) (net.Conn, error) {
			var d net.Dialer
			conn, err := d.DialContext(dialCtx, network, addr)
			if err != nil {
				return nil, err
			}
			// Registered on the outer ctx: dialCtx is cancelled once dialling is done.
			stop = context.AfterFunc(ctx, func() { conn.Close() })
			if s.tls != tlsImplicit {
				return conn, nil
			}
			tlsConn := tls.Client(conn, tlsConf)
			if err := tlsConn.HandshakeContext(dialCtx); err != nil {
				conn.Close()
				return nil, err
			}
			return tlsConn, nil
		}),
	}
	switch s.tls {
	case tlsOpportunistic:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	case tlsStartTLS:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case tlsImplicit, tlsNone:
		// Implicit TLS is done by the dialer above; no STARTTLS on top.
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	}
	if s.username != "" {
		// PLAIN/LOGIN refuse to run over plaintext (except to localhost).
		// An explicit preference is needed because go-mail's auto-discovery
		// cannot see that our own dialer already did TLS for smtps.
		opts = append(opts,
			gomail.WithUsername(s.username),
			gomail.WithPassword(s.password),
			gomail.WithOpportunisticSMTPAuth(
				gomail.SMTPAuthSCRAMSHA256, gomail.SMTPAuthPlain, gomail.SMTPAuthLogin,
			),
		)
	}
	c, err = gomail.NewClient(s.host, opts...)
	return c, release, err
}
