package fhirapi

import (
	"net/http"
	"strconv"

	"medic"
	"medic/internal/fhir"
)

func (h *Handler) groupType() *resourceType {
	return &resourceType{name: "Group", doc: "The groups Group/[id]/$export takes: " + medic.GroupAllPatients + " (every chart: its quantity, no members) " +
		"or a practitioner's id (the charts with an appointment or an encounter with them, as members by id, the first " +
		strconv.Itoa(medic.GroupMembersShown) + "; quantity counts them all). Read only; members who may read charts.",
		read: h.readGroup}
}

func (h *Handler) readGroup(w http.ResponseWriter, r *http.Request, id string) {
	g, err := h.app.GetPatientGroup(r.Context(), id)
	if err != nil {
		h.error(w, r, err)
		return
	}
	t, _ := medic.TenantFrom(r.Context())
	h.writeResource(w, http.StatusOK, fhir.FromPatientGroup(g, t.PracticeID))
}
