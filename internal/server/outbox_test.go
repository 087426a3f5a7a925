package server_test

import (
	"bytes"
	"context"
	"errors"
	"mime"
	"net/http"
	netmail "net/mail"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"medic"
	"medic/internal/mail/mailtest"
	"medic/internal/server/servertest"
)

// hostileName is a practice name as an attacker would store it: line
// breaks that would start headers, non-ASCII, a bidi override, 200
// characters. It goes straight into the database: validation refuses it
// through the API and the desk, and mail must not depend on that.
var hostileName = func() string {
	s := "Évil Prâctice\r\nBcc: victim@evil.example\r\nX-Injected: yes\n\u202eSüd-Ost "
	for len([]rune(s)) < 200 {
		s += "ü"
	}
	return s
}()

func ownerConn(t *testing.T, env *servertest.Env) *pgx.Conn {
	t.Helper()
	c, err := pgx.Connect(context.Background(), env.DB.OwnerURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

// waitMessage waits for the sink's next message to addr.
func waitMessage(t *testing.T, sink *mailtest.Sink, addr string) mailtest.Received {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	for n := 1; ; n++ {
		msgs, err := sink.WaitFor(ctx, n)
		if err != nil {
			t.Fatal(err)
		}
		if m := msgs[n-1]; len(m.To) == 1 && m.To[0] == addr {
			return m
		}
	}
}

// waitOutbox polls the outbox (as the client) until the mail to addr is
// in state; River works the job asynchronously.
func waitOutbox(t *testing.T, c *servertest.Client, base, addr, state string) map[string]any {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		r := want(t, c.Do("GET", base+"/outbox", nil), http.StatusOK)
		for _, it := range r.Items() {
			if it["recipient"] == addr && it["state"] == state {
				return it
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %s mail to %s in the outbox: %s", state, addr, r)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestHostilePracticeNameStillSendsConfirmation(t *testing.T) {
	t.Parallel()
	env := servertest.New(t)
	sink := env.UseSMTP(t)
	d := newDesk(t, env, "hostile")
	if _, err := ownerConn(t, env).Exec(t.Context(), `UPDATE practices SET name = $1, email = 'desk@hostile.example' WHERE id = $2`,
		hostileName, d.p.ID); err != nil {
		t.Fatal(err)
	}

	d.book(t, d.patient(t, "Hostile", "hostile@example.org"), thu0900)
	got := waitMessage(t, sink, "hostile@example.org")

	head, _, ok := bytes.Cut(got.Raw, []byte("\r\n\r\n"))
	if !ok {
		t.Fatalf("no end of headers: %q", got.Raw)
	}
	fields := map[string]int{}
	for _, line := range strings.Split(string(head), "\r\n") {
		if strings.ContainsAny(line, "\r\n") || len(line) > 998 {
			t.Errorf("malformed header line %q", line)
		}
		if line == "" || line[0] == ' ' || line[0] == '\t' {
			continue // a folded field goes on
		}
		name, _, _ := strings.Cut(line, ":")
		fields[strings.ToLower(name)]++
	}
	for name, n := range fields {
		switch name {
		case "date", "from", "to", "reply-to", "subject", "message-id", "mime-version", "content-type":
			if n != 1 {
				t.Errorf("header %s appears %d times", name, n)
			}
		default:
			t.Errorf("unexpected header %q: injected?", name)
		}
	}
	if got.To[0] != "hostile@example.org" || len(got.To) != 1 {
		t.Errorf("envelope recipients %q", got.To)
	}

	clean := strings.Join(strings.Fields(strings.ReplaceAll(hostileName, "\u202e", "")), " ")
	if want := "Your appointment at " + clean + " is booked"; got.Subject != want {
		t.Errorf("Subject = %q, want %q", got.Subject, want)
	}
	parser := netmail.AddressParser{WordDecoder: &mime.WordDecoder{}}
	for _, f := range []string{"Subject", "From", "Reply-To"} {
		raw := got.Header.Get(f)
		if !strings.Contains(strings.ToLower(raw), "=?utf-8?") {
			t.Errorf("%s is not RFC 2047-encoded: %q", f, raw)
		}
		if f == "Subject" {
			continue
		}
		addr, err := parser.Parse(raw)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if addr.Name != clean {
			t.Errorf("%s name = %q, want %q", f, addr.Name, clean)
		}
	}
	if !strings.Contains(got.Text, "Dr Naledi Dlamini") {
		t.Errorf("body: %q", got.Text)
	}
	waitOutbox(t, d.c[medic.RoleAdmin], d.base, "hostile@example.org", "sent")
}

func TestOutboxRefusedMailFailsAndRetries(t *testing.T) {
	t.Parallel()
	env := servertest.New(t)
	sink := env.UseSMTP(t)
	d := newDesk(t, env, "refuse")
	other := newDesk(t, env, "other")
	admin, reception := d.c[medic.RoleAdmin], d.c[medic.RoleReceptionist]
	owner := ownerConn(t, env)

	const addr = "refused@example.org"
	sink.Refuse(addr, "Mailbox unavailable")
	patient := d.patient(t, "Refused", addr)
	d.book(t, patient, thu0900)

	// Refused for good (5xx): failed at once, with the server's reply.
	m := waitOutbox(t, admin, d.base, addr, "failed")
	id, _ := m["id"].(string)
	if m["last_error"] != "The mail server answered 550 5.1.1 Mailbox unavailable" || m["attempts"] != float64(1) ||
		!strings.Contains(m["subject"].(string), "is booked") || m["sent_at"] != nil {
		t.Errorf("failed mail: %v", m)
	}
	if _, ok := m["mail"]; ok {
		t.Errorf("the list shows the mail's content: %v", m)
	}
	want(t, admin.Do("GET", d.base+"/outbox?state=failed", nil), http.StatusOK)
	if r := want(t, admin.Do("GET", d.base+"/outbox?state=sent", nil), http.StatusOK); len(r.Items()) != 0 {
		t.Errorf("sent mails: %s", r)
	}
	wantProblem(t, admin.Do("GET", d.base+"/outbox?state=lost", nil), http.StatusUnprocessableEntity)

	// The admins are told; other roles do not see it.
	r := want(t, admin.Do("GET", d.base+"/notifications", nil), http.StatusOK)
	var note map[string]any
	for _, n := range r.Items() {
		if n["kind"] == medic.NotificationMailFailed {
			note = n
		}
	}
	if note == nil || !strings.Contains(note["body"].(string), addr) || !strings.Contains(note["body"].(string), "550 5.1.1 Mailbox unavailable") {
		t.Fatalf("admin notifications: %s", r)
	}
	r = want(t, reception.Do("GET", d.base+"/notifications", nil), http.StatusOK)
	for _, n := range r.Items() {
		if n["kind"] == medic.NotificationMailFailed {
			t.Errorf("the receptionist sees %v", n)
		}
	}
	if r.Get("unread") != float64(len(r.Items())) {
		t.Errorf("receptionist's unread count counts the admins' notification: %s", r)
	}
	wantProblem(t, reception.Do("POST", d.base+"/notifications/"+note["id"].(string)+"/read", nil), http.StatusNotFound)
	if page := want(t, admin.Do("GET", "/notifications", nil), http.StatusOK); !strings.Contains(string(page.Body), `href="/outbox?state=failed"`) {
		t.Errorf("the desk notification does not lead to the outbox")
	}

	// The operator console counts it.
	env.Operator(t, "op@example.org", pw)
	op := env.Login(t, "op@example.org", pw)
	r = want(t, op.Do("GET", "/api/v1/operator/practices", nil), http.StatusOK)
	for _, p := range r.Items() {
		wantFailed := map[string]float64{"refuse": 1, "other": 0}[p["slug"].(string)]
		if got := p["counts"].(map[string]any)["failed_mails"]; got != wantFailed {
			t.Errorf("%s: failed_mails = %v, want %v", p["slug"], got, wantFailed)
		}
	}
	page := want(t, op.Do("GET", "/operator", nil), http.StatusOK)
	if !strings.Contains(string(page.Body), "Failed mails") {
		t.Errorf("operator page lacks the failed mails column")
	}

	// Admins only: another role is refused (and audited); another
	// practice sees nothing of it.
	wantProblem(t, reception.Do("GET", d.base+"/outbox", nil), http.StatusForbidden)
	wantProblem(t, reception.Do("POST", d.base+"/outbox/"+id+"/retry", nil), http.StatusForbidden)
	var denied int
	if err := owner.QueryRow(t.Context(), `SELECT count(*) FROM audit_events WHERE practice_id = $1 AND action IN ('outbox.list', 'outbox.retry') AND outcome = 'denied'`,
		d.p.ID).Scan(&denied); err != nil || denied != 2 {
		t.Errorf("denied audit events = %d, %v; want 2", denied, err)
	}
	otherAdmin := other.c[medic.RoleAdmin]
	if r := want(t, otherAdmin.Do("GET", other.base+"/outbox", nil), http.StatusOK); len(r.Items()) != 0 {
		t.Errorf("another practice's outbox lists %s", r)
	}
	wantProblem(t, otherAdmin.Do("GET", d.base+"/outbox", nil), http.StatusNotFound)
	wantProblem(t, otherAdmin.Do("POST", other.base+"/outbox/"+id+"/retry", nil), http.StatusNotFound)
	wantProblem(t, admin.Do("POST", d.base+"/outbox/"+newUUID()+"/retry", nil), http.StatusNotFound)
	wantProblem(t, admin.Do("POST", d.base+"/outbox/not-an-id/retry", nil), http.StatusNotFound)

	// The desk's outbox shows it with a Retry button.
	desk := want(t, admin.Do("GET", "/outbox?state=failed", nil), http.StatusOK)
	for _, s := range []string{addr, "550 5.1.1 Mailbox unavailable", `action="/outbox/` + id + `/retry"`} {
		if !strings.Contains(string(desk.Body), s) {
			t.Errorf("desk outbox lacks %q", s)
		}
	}
	if page := want(t, reception.Do("GET", "/outbox", nil), http.StatusForbidden); strings.Contains(string(page.Body), addr) {
		t.Errorf("the receptionist's page shows the mail")
	}

	// Once the server accepts, a retry sends it; the body is then erased.
	sink.Accept(addr)
	r = want(t, admin.Do("POST", d.base+"/outbox/"+id+"/retry", nil), http.StatusAccepted)
	if r.Str("state") != "queued" {
		t.Errorf("retried: %s", r)
	}
	got := waitMessage(t, sink, addr)
	if !strings.Contains(got.Subject, "is booked") || len(got.Attachments) != 1 {
		t.Errorf("retried mail: %+v", got)
	}
	sent := waitOutbox(t, admin, d.base, addr, "sent")
	if sent["attempts"] != float64(2) || sent["sent_at"] == nil || sent["last_error"] != "" {
		t.Errorf("sent: %v", sent)
	}
	var kept int
	if err := owner.QueryRow(t.Context(), `SELECT count(*) FROM mail_outbox WHERE mail IS NOT NULL AND state = 'sent'`).Scan(&kept); err != nil || kept != 0 {
		t.Errorf("sent mails keep their body: %d %v", kept, err)
	}
	wantProblem(t, admin.Do("POST", d.base+"/outbox/"+id+"/retry", nil), http.StatusConflict)

	// A retry from the desk works the same way.
	sink.Refuse(addr, "Mailbox unavailable")
	d.book(t, patient, thu0930)
	again := waitOutbox(t, admin, d.base, addr, "failed")["id"].(string)
	sink.Accept(addr)
	res := want(t, admin.Do("POST", "/outbox/"+again+"/retry", ""), http.StatusSeeOther)
	if loc := res.Header.Get("Location"); !strings.HasPrefix(loc, "/outbox?state=failed") {
		t.Errorf("desk retry redirects to %q", loc)
	}
	waitMessage(t, sink, addr)
	var retried int
	if err := owner.QueryRow(t.Context(), `SELECT count(*) FROM audit_events WHERE practice_id = $1 AND action = 'outbox.retried'`, d.p.ID).Scan(&retried); err != nil || retried != 2 {
		t.Errorf("outbox.retried events = %d, %v; want 2", retried, err)
	}
}

// A mail the server cannot take yet stays queued, its attempts and cause
// shown; the last attempt failing fails it and tells the admins.
func TestOutboxLastAttemptFails(t *testing.T) {
	t.Parallel()
	env := servertest.New(t)
	env.SetMailer(medic.MailerFunc(func(context.Context, medic.Mail) error {
		return &medic.DeliveryError{Summary: "The mail server could not be reached."}
	}))
	d := newDesk(t, env, "unreachable")
	admin := d.c[medic.RoleAdmin]
	d.book(t, d.patient(t, "Waiting", "waiting@example.org"), thu0900)

	m := waitOutbox(t, admin, d.base, "waiting@example.org", "queued")
	for m["attempts"] == float64(0) { // queued before its first attempt
		time.Sleep(50 * time.Millisecond)
		m = waitOutbox(t, admin, d.base, "waiting@example.org", "queued")
	}
	if m["last_error"] != "The mail server could not be reached." {
		t.Errorf("queued mail: %v", m)
	}
	if r := want(t, admin.Do("GET", d.base+"/notifications", nil), http.StatusOK); len(r.Items()) != 0 {
		t.Errorf("notified before the last attempt: %s", r)
	}
	wantProblem(t, admin.Do("POST", d.base+"/outbox/"+m["id"].(string)+"/retry", nil), http.StatusConflict)

	// River's last attempt, run here rather than hours later.
	err := env.App.SendOutboxMail(t.Context(), medic.OutboxJob{PracticeID: d.p.ID, MailID: m["id"].(string)}, true)
	var de *medic.DeliveryError
	if !errors.As(err, &de) || de.Permanent {
		t.Errorf("last attempt = %v, want the transient DeliveryError (River discards the job)", err)
	}
	failed := waitOutbox(t, admin, d.base, "waiting@example.org", "failed")
	if failed["last_error"] != "The mail server could not be reached." {
		t.Errorf("failed mail: %v", failed)
	}
	r := want(t, admin.Do("GET", d.base+"/notifications", nil), http.StatusOK)
	if len(r.Items()) != 1 || r.Items()[0]["kind"] != medic.NotificationMailFailed {
		t.Errorf("admin notifications: %s", r)
	}
}
