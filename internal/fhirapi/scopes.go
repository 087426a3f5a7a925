package fhirapi

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"

	"medic"
	"medic/internal/app"
)

// SMART scopes, enforced on every interaction: the scope letter an
// interaction needs (c r u d s) must be granted for the resource type.
// When only patient/ scopes grant it, the request is confined to the
// launch patient's compartment: searches are narrowed to the patient, and
// a read of anything that is not the patient's answers 404.

// scopeLetter is the SMART v2 permission an interaction needs.
func scopeLetter(in Interaction) byte {
	switch in {
	case Search:
		return 's'
	case Create:
		return 'c'
	case Update:
		return 'u'
	case Delete:
		return 'd'
	}
	return 'r' // read, vread, history, $everything
}

// compartmentTypes are the types served whose records belong to one
// patient; publicTypes hold no patient's data and need no compartment.
// patient/ scopes reach nothing else (the audit log, groups, system-level
// operations such as $export).
var (
	compartmentTypes = map[string]bool{"Patient": true, "Appointment": true, "Encounter": true, "Observation": true, "Condition": true,
		"AllergyIntolerance": true, "ServiceRequest": true, "DiagnosticReport": true, "MedicationRequest": true, "DocumentReference": true, "Binary": true}
	publicTypes = map[string]bool{"Practitioner": true, "PractitionerRole": true, "Organization": true, "Location": true, "Schedule": true, "Slot": true}
)

// allows reports whether a scope of the context grants the letter on typ.
// A Binary (a document's PDF) is granted by a scope on Binary or on
// DocumentReference: it is that document's content.
func allows(acc *medic.SMARTAccess, context, typ string, letter byte) bool {
	return acc.Scopes.Allows(context, typ, letter) || typ == "Binary" && acc.Scopes.Allows(context, "DocumentReference", letter)
}

// permit checks a SMART token's scopes for the interaction (personal API
// tokens grant what the member's role allows: the use cases decide). It
// returns the patient the request is confined to, if any.
func permit(r *http.Request, typ string, in Interaction) (patient string, err error) {
	acc := app.SMARTAccessFrom(r.Context())
	if acc == nil {
		return "", nil
	}
	letter := scopeLetter(in)
	types := []string{typ}
	if typ == "Bundle" { // a transaction creates charts and appointments
		types = []string{"Patient", "Appointment"}
	}
	for _, t := range types {
		if allows(acc, "user", t, letter) || allows(acc, "system", t, letter) {
			continue
		}
		if !allows(acc, "patient", t, letter) {
			return "", medic.Errorf(medic.EFORBIDDEN, "The access token's scopes do not allow this interaction on %s.", t)
		}
		switch {
		case publicTypes[t] && (letter == 'r' || letter == 's'):
		case !compartmentTypes[t] || in == Export:
			return "", medic.Errorf(medic.EFORBIDDEN, "patient/ scopes reach the launch patient's records only; this needs a user/ or system/ scope.")
		case acc.PatientID == "":
			return "", medic.Errorf(medic.EFORBIDDEN, "The access token has patient/ scopes but no patient context (launch/patient).")
		case strings.IndexByte("cud", letter) >= 0 || typ == "Bundle":
			return "", medic.Errorf(medic.EFORBIDDEN, "patient/ scopes read only; writing needs a user/ scope.")
		default:
			patient = acc.PatientID
		}
	}
	return patient, nil
}

// inCompartment serves a request confined to patient's compartment.
func (h *Handler) inCompartment(w http.ResponseWriter, r *http.Request, typ string, in Interaction, patient string, next http.HandlerFunc) {
	switch {
	case in == Search:
		narrowSearch(r, typ, patient)
		next(w, r)
	case typ == "Patient":
		if r.PathValue("id") != patient {
			h.error(w, r, errNotFound)
			return
		}
		next(w, r)
	case typ == "Binary":
		// A PDF names no patient: the handler checks the document's.
		next(w, r.WithContext(context.WithValue(r.Context(), compartmentKey{}, patient)))
	default:
		// A record's patient is known once it is read: hold the answer
		// and let it out only if it is this patient's.
		bw := &heldResponse{header: http.Header{}}
		next(bw, r)
		if bw.status == http.StatusOK && !onlyPatient(bw.body.Bytes(), patient) {
			h.error(w, r, errNotFound)
			return
		}
		for k, vs := range bw.header {
			w.Header()[k] = vs
		}
		w.WriteHeader(bw.status)
		_, _ = w.Write(bw.body.Bytes())
	}
}

// narrowSearch replaces whatever the search says about patients with the
// one patient (for Patient, its _id).
func narrowSearch(r *http.Request, typ, patient string) {
	if r.Method == http.MethodPost {
		_ = r.ParseForm() // a malformed body is reported by the search
	}
	param, value := "patient", "Patient/"+patient
	if typ == "Patient" {
		param, value = "_id", patient
	}
	q := r.URL.Query()
	for _, vals := range []map[string][]string{q, r.PostForm, r.Form} {
		for k := range vals {
			if k == param || strings.HasPrefix(k, param+":") || strings.HasPrefix(k, param+".") || strings.HasPrefix(k, "subject") {
				delete(vals, k)
			}
		}
	}
	q.Set(param, value)
	r.URL.RawQuery = q.Encode()
}

// onlyPatient reports whether a resource (or history bundle) names patient
// and no other patient in its references.
func onlyPatient(body []byte, patient string) bool {
	var v any
	if json.Unmarshal(body, &v) != nil {
		return false
	}
	found, other := false, false
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if ref, ok := x["reference"].(string); ok {
				if id, ok := strings.CutPrefix(ref, "Patient/"); ok {
					if id == patient {
						found = true
					} else {
						other = true
					}
				}
			}
			for _, e := range x {
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(v)
	return found && !other
}

// heldResponse holds a handler's answer until it is checked.
type heldResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (h *heldResponse) Header() http.Header { return h.header }

func (h *heldResponse) WriteHeader(code int) {
	if h.status == 0 {
		h.status = code
	}
}

func (h *heldResponse) Write(b []byte) (int, error) {
	if h.status == 0 {
		h.status = http.StatusOK
	}
	return h.body.Write(b)
}

// compartmentKey holds, on a Binary read's context, the patient the
// request is confined to.
type compartmentKey struct{}

// outsideCompartment reports whether a record of patientID is outside the
// compartment the request is confined to, if any.
func outsideCompartment(ctx context.Context, patientID string) bool {
	p, _ := ctx.Value(compartmentKey{}).(string)
	return p != "" && p != patientID
}
