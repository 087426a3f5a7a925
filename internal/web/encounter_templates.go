package web

import (
	"net/http"
	"net/url"

	"medic"
	"medic/internal/app"
)

// encounterTemplateRoutes registers encounter templates.
func (h *Handler) encounterTemplateRoutes(mux Router) {
	mux.HandleFunc("GET /encounter-templates", h.member(h.encounterTemplates))
	mux.HandleFunc("POST /encounter-templates/new", h.member(h.createEncounterTemplate))
	mux.HandleFunc("GET /encounter-templates/{id}", h.member(h.encounterTemplateForm))
	mux.HandleFunc("POST /encounter-templates/{id}", h.member(h.updateEncounterTemplate))
}

// templatesView is the data of the template admin page: every template
// (retired ones too) and the form of the one being added or edited.
type templatesView struct {
	Templates []*medic.EncounterTemplate
	Editing   *medic.EncounterTemplate // nil: the form adds a new one
	Action    string
}

// encounterTemplates lists the practice's SOAP templates with a form to add
// one (admins).
func (h *Handler) encounterTemplates(w http.ResponseWriter, r *http.Request, v *visitor) {
	if !h.offers(w, r, "encounter_template.create") {
		return
	}
	h.renderTemplates(w, r, http.StatusOK, nil, newForm("template", url.Values{}))
}

// encounterTemplateForm shows the list with one template in the form.
func (h *Handler) encounterTemplateForm(w http.ResponseWriter, r *http.Request, v *visitor) {
	if !h.offers(w, r, "encounter_template.update") {
		return
	}
	t, err := h.app.GetEncounterTemplate(r.Context(), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	vals := url.Values{"name": {t.Name}, "subjective": {t.SOAP.Subjective}, "objective": {t.SOAP.Objective}, "assessment": {t.SOAP.Assessment}, "plan": {t.SOAP.Plan}}
	if t.Active {
		vals.Set("active", "on")
	}
	h.renderTemplates(w, r, http.StatusOK, t, newForm("template", vals))
}

func (h *Handler) renderTemplates(w http.ResponseWriter, r *http.Request, status int, editing *medic.EncounterTemplate, f *form) {
	ts, err := h.app.ListEncounterTemplates(r.Context(), true)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	f.Keys = map[string]string{"soap.subjective": "subjective", "soap.objective": "objective", "soap.assessment": "assessment", "soap.plan": "plan"}
	d := templatesView{Templates: ts, Editing: editing, Action: "/encounter-templates/new"}
	if editing != nil {
		d.Action = "/encounter-templates/" + url.PathEscape(editing.ID)
	}
	p := h.page(r, "Encounter templates", "encounter-templates")
	p.withForm(f)
	p.Data = d
	h.render(w, r, status, "encounter_templates", p)
}

func templateChangeOf(f *form, withActive bool) app.TemplateChange {
	get := func(k string) *string { s := f.Get(k); return &s }
	c := app.TemplateChange{Name: get("name"), Subjective: get("subjective"), Objective: get("objective"), Assessment: get("assessment"), Plan: get("plan")}
	if withActive {
		on := f.Checked("active")
		c.Active = &on
	}
	return c
}

// createEncounterTemplate adds a template.
func (h *Handler) createEncounterTemplate(w http.ResponseWriter, r *http.Request, v *visitor) {
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	f := newForm("template", r.PostForm)
	c := templateChangeOf(f, false)
	t := &medic.EncounterTemplate{Name: *c.Name, SOAP: medic.SOAP{Subjective: *c.Subjective, Objective: *c.Objective, Assessment: *c.Assessment, Plan: *c.Plan}}
	if err := h.app.CreateEncounterTemplate(r.Context(), t); err != nil {
		h.formFail(w, r, err, f, func(status int) { h.renderTemplates(w, r, status, nil, f) })
		return
	}
	seeOther(w, r, "/encounter-templates?m=template-added")
}

// updateEncounterTemplate saves or retires a template.
func (h *Handler) updateEncounterTemplate(w http.ResponseWriter, r *http.Request, v *visitor) {
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	f := newForm("template", r.PostForm)
	t, err := h.app.UpdateEncounterTemplate(r.Context(), r.PathValue("id"), templateChangeOf(f, true))
	if err != nil {
		h.formFail(w, r, err, f, func(status int) {
			cur, gerr := h.app.GetEncounterTemplate(r.Context(), r.PathValue("id"))
			if gerr != nil {
				h.fail(w, r, gerr)
				return
			}
			h.renderTemplates(w, r, status, cur, f)
		})
		return
	}
	seeOther(w, r, "/encounter-templates/"+url.PathEscape(t.ID)+"?m=template-saved")
}
