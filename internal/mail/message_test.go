package mail

import (
	"errors"
	"testing"
)

func TestValidate(t *testing.T) {
	ok := Message{To: []string{"a@example.org", "Erika Mustermann <erika@example.org>"}, Subject: "Termin", Text: "x"}
	if err := ok.Validate(); err != nil {
		t.Fatalf("valid message rejected: %v", err)
	}

	tests := map[string]func(m *Message){
		"no recipients":        func(m *Message) { m.To = nil },
		"unparsable recipient": func(m *Message) { m.To = []string{"a@example.org", "nope"} },
		"two in one recipient": func(m *Message) { m.To = []string{"a@example.org, b@example.org"} },
		"LF in recipient":      func(m *Message) { m.To = []string{"a@example.org\nBcc: b@example.org"} },
		"bad reply-to":         func(m *Message) { m.ReplyTo = "nope" },
		"CRLF in reply-to":     func(m *Message) { m.ReplyTo = "r@example.org\r\nX: y" },
		"attachment no name":   func(m *Message) { m.Attachments = []Attachment{{Data: []byte("x")}} },
		"attachment bad type":  func(m *Message) { m.Attachments = []Attachment{{Filename: "a", ContentType: "text/"}} },
		"attachment CRLF type": func(m *Message) { m.Attachments = []Attachment{{Filename: "a", ContentType: "text/plain\r\nX: y"}} },
		"attachment CRLF name": func(m *Message) { m.Attachments = []Attachment{{Filename: "a\r\nX: y"}} },
	}
	for name, mutate := range tests {
		t.Run(name, func(t *testing.T) {
			m := ok
			m.To = append([]string(nil), ok.To...)
			mutate(&m)
			if err := m.Validate(); !errors.Is(err, ErrInvalidMessage) {
				t.Errorf("Validate() = %v, want ErrInvalidMessage", err)
			}
		})
	}
}

func TestHeaderText(t *testing.T) {
	tests := map[string]string{
		"Praxis Müller":                     "Praxis Müller",
		"  Evil\r\nBcc: v@example.org\r\n ": "Evil Bcc: v@example.org",
		"a\x00b\tc\u0085d\u2028e\x7ff":      "a b c d e f",
		"\u202eevil\u202c name\u2066":       "evil name",
		"bad \xff utf8":                     "bad \uFFFD utf8",
	}
	for in, want := range tests {
		if got := headerText(in); got != want {
			t.Errorf("headerText(%q) = %q, want %q", in, got, want)
		}
	}
}
