package fhirapi

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"medic"
	"medic/internal/app"
	"medic/internal/fhir"
)

const transactionDoc = "A transaction Bundle (POST " + Base + ") of Patient and Appointment creates (request.method POST, url Patient or Appointment): urn:uuid fullUrls of new Patients are resolved in the Appointments' references; all entries commit in one database transaction or none does (a full slot answers 409 and rolls the new charts back too). The response is a transaction-response Bundle in the request's order."

// transactionIn is a transaction Bundle as sent.
type transactionIn struct {
	ResourceType string `json:"resourceType"`
	ID           string `json:"id,omitempty"`
	Type         string `json:"type"`
	Entry        []struct {
		FullURL  string             `json:"fullUrl,omitempty"`
		Resource json.RawMessage    `json:"resource"`
		Request  *fhir.EntryRequest `json:"request"`
	} `json:"entry"`
}

// transaction serves POST /fhir/R4 with a transaction Bundle: Patients
// first (their urn:uuid fullUrls then name them), then Appointments, all
// through the use cases inside one database transaction.
func (h *Handler) transaction(w http.ResponseWriter, r *http.Request) {
	var in transactionIn
	if err := readBody(r, &in); err != nil {
		h.error(w, r, err)
		return
	}
	if in.ResourceType != "Bundle" || in.Type != "transaction" {
		h.error(w, r, badRequest("POST "+Base+" takes a Bundle of type transaction."))
		return
	}
	patients := make([]*medic.Patient, len(in.Entry))
	appts := make([]*fhir.Appointment, len(in.Entry))
	for i, e := range in.Entry {
		at := "entry[" + strconv.Itoa(i) + "]"
		if e.Request == nil || e.Request.Method != http.MethodPost || (e.Request.URL != "Patient" && e.Request.URL != "Appointment") {
			h.error(w, r, badRequest(at+": a transaction here creates Patients and Appointments only (request.method POST, request.url Patient or Appointment)."))
			return
		}
		if e.Request.IfNoneExist != "" || e.Request.IfMatch != "" {
			h.error(w, r, badRequest(at+": conditional requests are not supported in a transaction."))
			return
		}
		if e.Request.URL == "Patient" {
			var res fhir.Patient
			if err := decodeResource(e.Resource, &res, at); err != nil {
				h.error(w, r, err)
				return
			}
			p := &medic.Patient{}
			if err := fhir.ApplyPatient(&res, p); err != nil {
				h.error(w, r, err, fhir.PatientField)
				return
			}
			if res.ResourceType != "Patient" || res.ID != "" {
				h.error(w, r, badRequest(at+": a new Patient, without an id."))
				return
			}
			patients[i] = p
			continue
		}
		var res fhir.Appointment
		if err := decodeResource(e.Resource, &res, at); err != nil {
			h.error(w, r, err)
			return
		}
		if res.ResourceType != "Appointment" || res.ID != "" {
			h.error(w, r, badRequest(at+": a new Appointment, without an id."))
			return
		}
		appts[i] = &res
	}
	out := make([]fhir.BundleEntry, len(in.Entry))
	loc, base := h.location(r), h.baseURL(r)
	err := h.app.InTransaction(r.Context(), func(ctx context.Context) error {
		created := map[string]string{} // fullUrl -> Patient/id
		for i, p := range patients {
			if p == nil {
				continue
			}
			if _, err := h.app.CreatePatient(ctx, p, false); err != nil {
				return err
			}
			res := fhir.FromPatient(p)
			if in.Entry[i].FullURL != "" {
				created[in.Entry[i].FullURL] = "Patient/" + p.ID
			}
			out[i] = entryCreated(base, "Patient", p.ID, res.Meta, res)
		}
		for i, a := range appts {
			if a == nil {
				continue
			}
			for _, pt := range a.Participant {
				if pt.Actor != nil {
					if ref, ok := created[pt.Actor.Reference]; ok {
						pt.Actor.Reference = ref
					}
				}
			}
			req, err := fhir.ReadAppointment(a)
			if err == nil && req.Status != medic.StatusBooked {
				err = &medic.Error{Code: medic.EINVALID, Message: "A new appointment is booked.", Fields: map[string]string{"Appointment.status": "Use booked."}}
			}
			if err != nil {
				return err
			}
			ap, err := h.app.BookAppointment(ctx, app.BookingRequest{PatientID: req.PatientID, PractitionerID: req.PractitionerID, LocationID: req.LocationID,
				AppointmentTypeID: req.TypeID, Start: req.Start, Notes: req.Notes})
			if err != nil {
				return err
			}
			res := fhir.FromAppointment(ap, loc)
			out[i] = entryCreated(base, "Appointment", ap.ID, res.Meta, res)
		}
		return nil
	})
	if err != nil {
		h.error(w, r, err, fhir.PatientField, appointmentField)
		return
	}
	h.writeResource(w, http.StatusOK, fhir.Bundle{ResourceType: "Bundle", Type: "transaction-response", Entry: out})
}

// entryCreated is a transaction-response entry for a created resource.
func entryCreated(base, typ, id string, meta *fhir.Meta, res any) fhir.BundleEntry {
	raw, _ := json.Marshal(res)
	e := fhir.BundleEntry{FullURL: base + "/" + typ + "/" + id, Resource: raw, Response: &fhir.EntryResponse{Status: "201 Created", Location: typ + "/" + id}}
	if meta != nil && meta.VersionID != "" {
		e.Response.Location += "/_history/" + meta.VersionID
		e.Response.Etag = `W/"` + meta.VersionID + `"`
		e.Response.LastModified = meta.LastUpdated
	}
	return e
}

// decodeResource decodes one entry's resource strictly (unknown elements
// are refused, as in a create).
func decodeResource(raw json.RawMessage, dst any, at string) error {
	if len(raw) == 0 {
		return badRequest(at + ": the entry has no resource.")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		if msg := err.Error(); strings.HasPrefix(msg, "json: unknown field ") {
			return badRequest(at + ": this server does not store the element " + strings.TrimPrefix(msg, "json: unknown field ") + "; leave it out.")
		}
		return badRequest(at + ": the resource is not valid JSON of its type.")
	}
	return nil
}
