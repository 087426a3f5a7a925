package web

import (
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"medic"
)

// form is one HTML form of a page: the values to show (as sent, when it is
// re-rendered after an error) and the messages per field.
type form struct {
	Name    string
	Values  url.Values
	Errors  map[string]string
	Message string // a message for the whole form
	// Keys maps a field name of the domain's errors to the form's own
	// when they differ (medical_aid.scheme -> aid_scheme), so the message
	// shows beside its field.
	Keys map[string]string
}

// key is the form's name for the domain's field k.
func (f *form) key(k string) string {
	if n, ok := f.Keys[k]; ok {
		return n
	}
	return k
}

func newForm(name string, values url.Values) *form {
	if values == nil {
		values = url.Values{}
	}
	return &form{Name: name, Values: values, Errors: map[string]string{}}
}

// Get is the value of a field.
func (f *form) Get(k string) string { return f.Values.Get(k) }

// Err is the message of a field ("" when it is fine).
func (f *form) Err(k string) string { return f.Errors[k] }

// Checked reports whether a checkbox field is on.
func (f *form) Checked(k string) bool {
	v := f.Values.Get(k)
	return v == "on" || v == "true" || v == "1"
}

// Is reports whether field k has value v (for selected options).
func (f *form) Is(k, v string) bool { return f.Values.Get(k) == v }

// Has reports whether the repeated field k holds v (checkbox groups).
func (f *form) Has(k, v string) bool { return slices.Contains(f.Values[k], v) }

// HasErrors reports whether any field or the form has a message.
func (f *form) HasErrors() bool { return len(f.Errors) > 0 || f.Message != "" }

// setError records err's per-field messages and its safe summary.
func (f *form) setError(err error) {
	for k, v := range medic.ErrorFields(err) {
		f.Errors[f.key(k)] = v
	}
	f.Message = medic.ErrorMessage(err)
}

// fail records a message for a field the desk itself checked.
func (f *form) fail(field, msg string) {
	if _, ok := f.Errors[field]; !ok {
		f.Errors[field] = msg
	}
}

// failFields adds the per-field messages of a domain validation error.
func (f *form) failFields(err error) {
	for k, m := range medic.ErrorFields(err) {
		f.fail(f.key(k), m)
	}
}

// err is the form's own validation as an EINVALID error, or nil.
func (f *form) err() error {
	if len(f.Errors) == 0 {
		return nil
	}
	return &medic.Error{Code: medic.EINVALID, Message: "Some fields are not valid.", Fields: f.Errors}
}

// parseForm reads a urlencoded or multipart body; a body over the limit is a
// clear ETOOLARGE (413), any other unreadable body EINVALID, never an
// internal error.
func parseForm(r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return &medic.Error{Code: medic.ETOOLARGE, Message: "The form is too large to send. Shorten the longest answers and try again."}
		}
		return &medic.Error{Code: medic.EINVALID, Message: "The form could not be read. It may be too large."}
	}
	for _, vs := range r.Form {
		for _, v := range vs {
			if !medic.StorableText(v) {
				return medic.ErrUnstorableText
			}
		}
	}
	return nil
}

// fieldArgs is what the "field" partial renders: a labelled input with its
// hint and message tied to it for screen readers.
type fieldArgs struct {
	ID, Name, Label, Type, Value, Err, Hint       string
	Autocomplete, Inputmode, Placeholder, Pattern string
	Min, Max, Step, Maxlength, List               string
	// Suggest is the address that fills the List datalist as one types
	// (htmx): for lists too long to send with the page.
	Suggest                      string
	Required, Checked, Autofocus bool
}

// DescribedBy lists the ids of the hint and message, for aria-describedby.
func (a fieldArgs) DescribedBy() string {
	var ids []string
	if a.Hint != "" {
		ids = append(ids, a.ID+"-hint")
	}
	if a.Err != "" {
		ids = append(ids, a.ID+"-error")
	}
	return strings.Join(ids, " ")
}

var idUnsafe = regexp.MustCompile(`[^a-zA-Z0-9_-]`)

// makeField builds fieldArgs from a form: field f "email" "Email" "type=email" "required".
func makeField(f *form, name, label string, opts ...string) fieldArgs {
	a := fieldArgs{ID: idUnsafe.ReplaceAllString(f.Name+"-"+name, "-"), Name: name, Label: label, Type: "text",
		Value: f.Get(name), Err: f.Err(name), Checked: f.Checked(name)}
	for _, o := range opts {
		k, v, _ := strings.Cut(o, "=")
		switch k {
		case "type":
			a.Type = v
		case "hint":
			a.Hint = v
		case "autocomplete":
			a.Autocomplete = v
		case "inputmode":
			a.Inputmode = v
		case "placeholder":
			a.Placeholder = v
		case "pattern":
			a.Pattern = v
		case "min":
			a.Min = v
		case "max":
			a.Max = v
		case "step":
			a.Step = v
		case "maxlength":
			a.Maxlength = v
		case "list":
			a.List = v
		case "suggest":
			a.Suggest = v
		case "required":
			a.Required = true
		case "autofocus":
			a.Autofocus = true
		case "id":
			a.ID = v
		case "error":
			a.Err = f.Err(v) // show another key's message here (e.g. hours.mon)
		case "":
			// an option a template left out (autofocusIf false)
		default:
			panic("web: unknown field option " + k)
		}
	}
	if a.Type == "password" {
		a.Value = "" // never echo a password back
	}
	return a
}

// option is one choice of a select.
type option struct{ Value, Label string }

// selectArgs is what the "select" partial renders: a labelled select with
// its hint and message tied to it.
type selectArgs struct {
	ID, Name, Label, Err, Hint, Selected, Empty string
	Options                                     []option
	Required                                    bool
}

// DescribedBy lists the ids of the hint and message, for aria-describedby.
func (a selectArgs) DescribedBy() string {
	return fieldArgs{ID: a.ID, Hint: a.Hint, Err: a.Err}.DescribedBy()
}

// makeSelect builds selectArgs from a form: choose $f "type" "Type" $options "empty=Any type".
func makeSelect(f *form, name, label string, options []option, opts ...string) selectArgs {
	a := selectArgs{ID: idUnsafe.ReplaceAllString(f.Name+"-"+name, "-"), Name: name, Label: label, Options: options,
		Selected: f.Get(name), Err: f.Err(name)}
	for _, o := range opts {
		k, v, _ := strings.Cut(o, "=")
		switch k {
		case "hint":
			a.Hint = v
		case "empty":
			a.Empty = v
		case "required":
			a.Required = true
		case "id":
			a.ID = v
		case "error":
			a.Err = f.Err(v)
		default:
			panic("web: unknown select option " + k)
		}
	}
	return a
}

func templateFuncs(as *assets) template.FuncMap {
	return template.FuncMap{
		"asset":        as.url,
		"field":        makeField,
		"choose":       makeSelect,
		"statusLabel":  statusLabel,
		"flagWords":    flagWords,
		"statusAction": statusAction,
		"dateLabel":    dateLabel,
		"money":        medic.FormatCents,
		"creditNote":   medic.FormatCreditNoteNumber,
		"vatRate":      func(bp int) string { return strconv.FormatFloat(float64(bp)/100, 'f', -1, 64) + "%" },
		"sexLabel":     sexLabel,
		"dayName":      func(d time.Weekday) string { return d.String() },
		"inc":          func(i int) int { return i + 1 },
		"sexOptions": func() []option {
			return []option{{"unknown", "Unknown"}, {"female", "Female"}, {"male", "Male"}, {"other", "Other"}}
		},
		"roleLabel": roleLabel,
		"autofocusIf": func(b bool) string {
			if b {
				return "autofocus"
			}
			return ""
		},
		"minutesLabel": minutesLabel,
		"longDay":      func(d medic.Date) string { return d.Time().Format("Monday 2 January") },
		"weekdayLabel": weekdayLabel,
		"weekdayShort": weekdayShort,
		"linkify":      linkify,
		"roles":        func() []medic.Role { return medic.Roles },
		"orderKinds":   func() []option { return orderKindOptions },
		"urgencies":    func() []option { return urgencyOptions },
		"weekdays":     func() []string { return medic.Weekdays },
		"bookSteps":    func() []string { return []string{"Choose a time", "Your details", "Enter the code", "Booked"} },
	}
}

func roleLabel(r medic.Role) string {
	switch r {
	case medic.RoleAdmin:
		return "Administrator"
	case medic.RoleDoctor:
		return "Doctor"
	case medic.RoleNurse:
		return "Nurse"
	case medic.RoleReceptionist:
		return "Receptionist"
	case medic.RoleBilling:
		return "Billing"
	}
	return string(r)
}

var statusLabels = map[medic.AppointmentStatus]string{
	medic.StatusBooked: "Booked", medic.StatusCheckedIn: "Checked in", medic.StatusInProgress: "In progress",
	medic.StatusCompleted: "Completed", medic.StatusCancelled: "Cancelled", medic.StatusNoShow: "No-show",
}

func statusLabel(s medic.AppointmentStatus) string {
	if l, ok := statusLabels[s]; ok {
		return l
	}
	return string(s)
}

// statusAction is the label of the button that moves an appointment to s.
func statusAction(s medic.AppointmentStatus) string {
	switch s {
	case medic.StatusCheckedIn:
		return "Check in"
	case medic.StatusInProgress:
		return "Start"
	case medic.StatusCompleted:
		return "Complete"
	case medic.StatusNoShow:
		return "No-show"
	case medic.StatusCancelled:
		return "Cancel"
	}
	return statusLabel(s)
}

// dateLabel shows a calendar date, "4 Mar 2030" ("" for none).
func dateLabel(d medic.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.Time().Format("2 Jan 2006")
}

func sexLabel(s medic.Sex) string {
	switch s {
	case medic.SexFemale:
		return "Female"
	case medic.SexMale:
		return "Male"
	case medic.SexOther:
		return "Other"
	}
	return "Unknown"
}

var weekdayNames = map[string]string{"mon": "Monday", "tue": "Tuesday", "wed": "Wednesday", "thu": "Thursday", "fri": "Friday", "sat": "Saturday", "sun": "Sunday"}

func weekdayLabel(d string) string { return weekdayNames[d] }

func weekdayShort(d string) string {
	if l := weekdayLabel(d); len(l) >= 3 {
		return l[:3]
	}
	return d
}

var linkRE = regexp.MustCompile(`https?://[^\s<>"']+`)

// linkify escapes text and makes its http(s) links clickable.
func linkify(s string) template.HTML {
	var b strings.Builder
	last := 0
	for _, m := range linkRE.FindAllStringIndex(s, -1) {
		end := m[1]
		for end > m[0] && strings.ContainsRune(".,;:!?)", rune(s[end-1])) {
			end-- // trailing punctuation belongs to the sentence
		}
		b.WriteString(template.HTMLEscapeString(s[last:m[0]]))
		u := template.HTMLEscapeString(s[m[0]:end])
		b.WriteString(`<a href="` + u + `">` + u + `</a>`)
		last = end
	}
	b.WriteString(template.HTMLEscapeString(s[last:]))
	return template.HTML(b.String())
}

// minutesLabel shows a span of minutes in words: "24 hours", "90 minutes".
func minutesLabel(m int) string { return medic.MinutesLabel(m) }
