package api

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"time"

	"medic"
)

// maxTariffImportBytes bounds an uploaded tariff file.
const maxTariffImportBytes = 4 << 20

func (h *Handler) tariffRoutes(mux Router) {
	mux.HandleFunc("GET /api/v1/practices/{practice}/tariff-codes", h.tenant(h.listTariffCodes))
	mux.HandleFunc("POST /api/v1/practices/{practice}/tariff-codes", h.tenant(h.createTariffCode))
	mux.HandleFunc("POST /api/v1/practices/{practice}/tariff-codes/import", h.tenant(h.importTariffCodes))
	mux.HandleFunc("GET /api/v1/practices/{practice}/tariff-codes/{id}", h.tenant(h.getTariffCode))
	mux.HandleFunc("PATCH /api/v1/practices/{practice}/tariff-codes/{id}", h.tenant(h.updateTariffCode))
	mux.HandleFunc("POST /api/v1/practices/{practice}/tariff-codes/{id}/prices", h.tenant(h.setTariffPrice))
}

type tariffPriceDTO struct {
	EffectiveFrom medic.Date `json:"effective_from"`
	UnitCents     int64      `json:"unit_cents"`
}

type tariffCodeDTO struct {
	ID          string               `json:"id"`
	Code        string               `json:"code"`
	Description string               `json:"description"`
	Category    medic.TariffCategory `json:"category"`
	VATable     bool                 `json:"vatable"`
	MedicineID  *string              `json:"medicine_id"`
	Source      medic.MedicineSource `json:"source"`
	Active      bool                 `json:"active"`
	// UnitCents is the price on the date asked for (null: none yet).
	UnitCents *int64           `json:"unit_cents"`
	Prices    []tariffPriceDTO `json:"prices,omitempty"`
	UpdatedAt time.Time        `json:"updated_at"`
}

func toTariffCode(t *medic.TariffCode) tariffCodeDTO {
	d := tariffCodeDTO{ID: t.ID, Code: t.Code, Description: t.Description, Category: t.Category, VATable: t.VATable,
		MedicineID: optString(t.MedicineID), Source: t.Source, Active: t.Active, UpdatedAt: t.UpdatedAt}
	if t.UnitCents >= 0 {
		c := t.UnitCents
		d.UnitCents = &c
	}
	for _, p := range t.Prices {
		d.Prices = append(d.Prices, tariffPriceDTO{EffectiveFrom: p.EffectiveFrom, UnitCents: p.UnitCents})
	}
	return d
}

// listTariffCodes: GET .../tariff-codes ?q= &category= &on=YYYY-MM-DD
// (prices on that date, today by default) &inactive=1.
func (h *Handler) listTariffCodes(w http.ResponseWriter, r *http.Request) {
	pg, err := page(r)
	if err != nil {
		h.error(w, r, err)
		return
	}
	q := r.URL.Query()
	f := medic.TariffFilter{Query: q.Get("q"), Category: medic.TariffCategory(q.Get("category")), WithInactive: q.Get("inactive") == "1" || q.Get("inactive") == "true"}
	if s := q.Get("on"); s != "" {
		if f.On, err = medic.ParseDate(s); err != nil {
			h.error(w, r, &medic.Error{Code: medic.EINVALID, Message: medic.ErrorMessage(err), Fields: map[string]string{"on": medic.ErrorMessage(err)}})
			return
		}
	}
	out, next, err := h.app.ListTariffCodes(r.Context(), f, pg)
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, newList(mapAll(out, toTariffCode), next))
}

func (h *Handler) getTariffCode(w http.ResponseWriter, r *http.Request) {
	t, err := h.app.GetTariffCode(r.Context(), r.PathValue("id"))
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toTariffCode(t))
}

type tariffInput struct {
	Code          string      `json:"code"`
	Description   string      `json:"description"`
	Category      string      `json:"category"`
	VATable       *bool       `json:"vatable"`
	MedicineID    string      `json:"medicine_id"`
	Active        *bool       `json:"active"`
	UnitCents     int64       `json:"unit_cents"`
	EffectiveFrom *medic.Date `json:"effective_from"`
}

// createTariffCode: POST .../tariff-codes {"code", "description",
// "category", "vatable", "medicine_id"?, "unit_cents", "effective_from"?}.
func (h *Handler) createTariffCode(w http.ResponseWriter, r *http.Request) {
	var in tariffInput
	if err := decode(r, &in); err != nil {
		h.error(w, r, err)
		return
	}
	t := &medic.TariffCode{Code: in.Code, Description: in.Description, Category: medic.TariffCategory(in.Category), VATable: true,
		MedicineID: in.MedicineID, Active: true, Prices: []medic.TariffPrice{{UnitCents: in.UnitCents}}}
	if in.VATable != nil {
		t.VATable = *in.VATable
	}
	if in.EffectiveFrom != nil {
		t.Prices[0].EffectiveFrom = *in.EffectiveFrom
	}
	if err := h.app.CreateTariffCode(r.Context(), t); err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, toTariffCode(t))
}

// updateTariffCode: PATCH .../tariff-codes/{id} {"description",
// "category", "vatable", "medicine_id", "active"} (fields left out keep
// their values; the code itself is kept).
func (h *Handler) updateTariffCode(w http.ResponseWriter, r *http.Request) {
	if err := h.app.Authorize(r.Context(), "tariff.manage"); err != nil {
		h.error(w, r, err) // refused as the change, not as the read before it
		return
	}
	cur, err := h.app.GetTariffCode(r.Context(), r.PathValue("id"))
	if err != nil {
		h.error(w, r, err)
		return
	}
	var in struct {
		Description *string `json:"description"`
		Category    *string `json:"category"`
		VATable     *bool   `json:"vatable"`
		MedicineID  *string `json:"medicine_id"`
		Active      *bool   `json:"active"`
	}
	if err := decode(r, &in); err != nil {
		h.error(w, r, err)
		return
	}
	t := *cur
	if in.Description != nil {
		t.Description = *in.Description
	}
	if in.Category != nil {
		t.Category = medic.TariffCategory(*in.Category)
	}
	if in.VATable != nil {
		t.VATable = *in.VATable
	}
	if in.MedicineID != nil {
		t.MedicineID = *in.MedicineID
	}
	if in.Active != nil {
		t.Active = *in.Active
	}
	if err := h.app.UpdateTariffCode(r.Context(), &t); err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toTariffCode(&t))
}

// setTariffPrice: POST .../tariff-codes/{id}/prices {"effective_from",
// "unit_cents"} -> the code with its versions.
func (h *Handler) setTariffPrice(w http.ResponseWriter, r *http.Request) {
	var in struct {
		EffectiveFrom medic.Date `json:"effective_from"`
		UnitCents     int64      `json:"unit_cents"`
	}
	if err := decode(r, &in); err != nil {
		h.error(w, r, err)
		return
	}
	t, err := h.app.SetTariffPrice(r.Context(), r.PathValue("id"), medic.TariffPrice{EffectiveFrom: in.EffectiveFrom, UnitCents: in.UnitCents})
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toTariffCode(t))
}

// importTariffCodes: POST .../tariff-codes/import?effective_from= with a
// CSV body -> {"added", "updated", "rejected": [{"line", "name", "reason"}]}.
func (h *Handler) importTariffCodes(w http.ResponseWriter, r *http.Request) {
	if err := h.app.Authorize(r.Context(), "tariff.manage"); err != nil {
		h.error(w, r, err) // before reading the body
		return
	}
	var from medic.Date
	if s := r.URL.Query().Get("effective_from"); s != "" {
		var err error
		if from, err = medic.ParseDate(s); err != nil {
			h.error(w, r, &medic.Error{Code: medic.EINVALID, Message: medic.ErrorMessage(err), Fields: map[string]string{"effective_from": medic.ErrorMessage(err)}})
			return
		}
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxTariffImportBytes))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		h.error(w, r, &medic.Error{Code: medic.ETOOLARGE, Message: "The file is too large."})
		return
	} else if err != nil {
		h.error(w, r, &medic.Error{Code: medic.EINVALID, Message: "The request body could not be read."})
		return
	}
	rep, err := h.app.ImportTariffCSV(r.Context(), bytes.NewReader(data), from)
	if err != nil {
		h.error(w, r, err)
		return
	}
	rejected := make([]rejectedRowDTO, len(rep.Rejected))
	for i, rr := range rep.Rejected {
		rejected[i] = rejectedRowDTO{Line: rr.Line, Name: rr.Name, Reason: rr.Reason}
	}
	writeJSON(w, http.StatusOK, map[string]any{"added": rep.Added, "updated": rep.Updated, "rejected": rejected})
}
