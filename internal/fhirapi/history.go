package fhirapi

import (
	"encoding/json"
	"medic"
	"net/http"

	"medic/internal/fhir"
)

// version is one kept version of a resource, mapped.
type version struct {
	meta *fhir.Meta
	res  any
}

// versions maps kept versions, newest first, one per versionId (two
// changes in one transaction share it: the later is the version).
func versions[T any](vs []T, mapped func(T) (*fhir.Meta, any)) []version {
	var out []version
	seen := map[string]bool{}
	for _, v := range vs {
		meta, res := mapped(v)
		if meta == nil || seen[meta.VersionID] {
			continue
		}
		seen[meta.VersionID] = true
		out = append(out, version{meta, res})
	}
	return out
}

func (h *Handler) patientVersions(r *http.Request, id string) ([]version, error) {
	vs, err := h.app.PatientHistory(r.Context(), id)
	if err != nil {
		return nil, err
	}
	return versions(vs, func(p *medic.Patient) (*fhir.Meta, any) { res := fhir.FromPatient(p); return res.Meta, res }), nil
}

func (h *Handler) appointmentVersions(r *http.Request, id string) ([]version, error) {
	vs, err := h.app.AppointmentHistory(r.Context(), id)
	if err != nil {
		return nil, err
	}
	loc := h.location(r)
	return versions(vs, func(a *medic.Appointment) (*fhir.Meta, any) {
		res := fhir.FromAppointment(a, loc)
		return res.Meta, res
	}), nil
}

// vread serves {type}/{id}/_history/{vid} from the kept versions.
func (h *Handler) vread(list func(*http.Request, string) ([]version, error)) func(w http.ResponseWriter, r *http.Request, id, vid string) {
	return func(w http.ResponseWriter, r *http.Request, id, vid string) {
		vs, err := list(r, id)
		if err != nil {
			h.error(w, r, err)
			return
		}
		for _, v := range vs {
			if v.meta.VersionID == vid {
				h.writeVersioned(w, http.StatusOK, v.meta, v.res)
				return
			}
		}
		h.error(w, r, errNotFound)
	}
}

// history serves {type}/{id}/_history: a history Bundle, newest first,
// the oldest version as the create.
func (h *Handler) history(typ string, list func(*http.Request, string) ([]version, error)) func(w http.ResponseWriter, r *http.Request, id string) {
	return func(w http.ResponseWriter, r *http.Request, id string) {
		for name := range r.URL.Query() {
			if name != "_format" && preferStrict(r) {
				h.error(w, r, badRequest("History takes no parameters here ("+name+" is not supported)."))
				return
			}
		}
		vs, err := list(r, id)
		if err != nil {
			h.error(w, r, err)
			return
		}
		base := h.baseURL(r)
		total := len(vs)
		b := fhir.Bundle{ResourceType: "Bundle", Type: "history", Total: &total,
			Link: []fhir.BundleLink{{Relation: "self", URL: base + "/" + typ + "/" + id + "/_history"}}}
		for i, v := range vs {
			raw, _ := json.Marshal(v.res)
			req, status := &fhir.EntryRequest{Method: "PUT", URL: typ + "/" + id}, "200 OK"
			if i == len(vs)-1 {
				req, status = &fhir.EntryRequest{Method: "POST", URL: typ}, "201 Created"
			}
			b.Entry = append(b.Entry, fhir.BundleEntry{FullURL: base + "/" + typ + "/" + id, Resource: raw, Request: req,
				Response: &fhir.EntryResponse{Status: status, Etag: `W/"` + v.meta.VersionID + `"`, LastModified: v.meta.LastUpdated,
					Location: typ + "/" + id + "/_history/" + v.meta.VersionID}})
		}
		h.writeResource(w, http.StatusOK, b)
	}
}
