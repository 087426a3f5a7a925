package app

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"medic"
)

// Documents on the practice letterhead: each download is a read of the
// chart, audited as one "...pdf_downloaded" event; the PDF itself is laid
// out by internal/pdf from what is gathered here.

// MaxSignatureBytes bounds an uploaded signature image.
const MaxSignatureBytes = 256 << 10

// SetPractitionerSignature stores a PNG or JPEG signature for a
// practitioner (as for editing the practitioner).
func (a *App) SetPractitionerSignature(ctx context.Context, practitionerID string, data []byte) error {
	if _, err := a.allow(ctx, "practitioner.signature"); err != nil {
		return err
	}
	if len(data) == 0 || len(data) > MaxSignatureBytes {
		return &medic.Error{Code: medic.EINVALID, Message: "Upload a PNG or JPEG of at most 256 KB.",
			Fields: map[string]string{"signature": "Upload a PNG or JPEG of at most 256 KB."}}
	}
	ct := imageType(data)
	if ct == "" {
		return &medic.Error{Code: medic.EINVALID, Message: "The signature must be a PNG or JPEG image.",
			Fields: map[string]string{"signature": "The signature must be a PNG or JPEG image."}}
	}
	return a.Tx.InTx(ctx, func(ctx context.Context) error {
		if err := a.Practitioners.SetSignature(ctx, practitionerID, &medic.Signature{ContentType: ct, Data: data}); err != nil {
			return err
		}
		return a.audit(ctx, "practitioner.signature_changed", "practitioner", practitionerID, nil)
	})
}

// PractitionerSignature returns a practitioner's signature image (any
// member, as for reading the practitioner; ENOTFOUND if none).
func (a *App) PractitionerSignature(ctx context.Context, practitionerID string) (*medic.Signature, error) {
	if _, ok := medic.TenantFrom(ctx); !ok {
		return nil, medic.ErrNotFound
	}
	return a.Practitioners.Signature(ctx, practitionerID)
}

// PrescriptionDocument gathers a prescription's paper (as for reading the
// prescription): the letterhead, the chart, the prescriber with their
// signature and the chart's severe allergies. One audit event.
func (a *App) PrescriptionDocument(ctx context.Context, id string) (*medic.PrescriptionDocument, error) {
	if _, err := a.allow(ctx, "prescription.view"); err != nil {
		return nil, err
	}
	d := &medic.PrescriptionDocument{}
	err := a.Tx.InReadTx(ctx, func(ctx context.Context) error {
		var err error
		if d.Prescription, err = a.Prescriptions.FindPrescription(ctx, id); err != nil {
			return err
		}
		p := d.Prescription
		loc := a.location(ctx) // printed in the practice's time
		p.IssuedAt, p.CancelledAt = p.IssuedAt.In(loc), p.CancelledAt.In(loc)
		if d.Letterhead, err = a.letterhead(ctx); err != nil {
			return err
		}
		if d.Patient, err = a.Patients.FindPatient(ctx, p.PatientID); err != nil {
			return err
		}
		if d.Prescriber, err = a.signatory(ctx, p.PrescriberID, p.PrescriberName); err != nil {
			return err
		}
		allergies, err := a.ClinicalLists.ListAllergies(ctx, p.PatientID)
		if err != nil {
			return err
		}
		for _, al := range allergies.Items {
			if al.Status == medic.AllergyActive && al.Severity == medic.SeveritySevere {
				d.SevereAllergies = append(d.SevereAllergies, al)
			}
		}
		return a.auditPrescription(ctx, "prescription.pdf_downloaded", p, nil)
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// ReferralDocument gathers a referral letter (as for reading the
// referral): the letterhead, the chart and the referring practitioner with
// their signature. One audit event.
func (a *App) ReferralDocument(ctx context.Context, id string) (*medic.ReferralDocument, error) {
	if _, err := a.allow(ctx, "referral.view"); err != nil {
		return nil, err
	}
	d := &medic.ReferralDocument{}
	err := a.Tx.InReadTx(ctx, func(ctx context.Context) error {
		var err error
		if d.Referral, err = a.Referrals.FindReferral(ctx, id); err != nil {
			return err
		}
		r := d.Referral
		loc := a.location(ctx)
		r.CreatedAt, r.SentAt = r.CreatedAt.In(loc), r.SentAt.In(loc)
		if d.Letterhead, err = a.letterhead(ctx); err != nil {
			return err
		}
		if d.Patient, err = a.Patients.FindPatient(ctx, r.PatientID); err != nil {
			return err
		}
		if d.Referrer, err = a.signatory(ctx, r.CreatedBy, r.CreatedByName); err != nil {
			return err
		}
		return a.auditReferral(ctx, "referral.pdf_downloaded", r)
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// letterhead reads the practice in context and its logo, if any.
func (a *App) letterhead(ctx context.Context) (medic.Letterhead, error) {
	p, err := a.GetPractice(ctx)
	if err != nil {
		return medic.Letterhead{}, err
	}
	lh := medic.Letterhead{Practice: p}
	if !p.Branding.HasLogo {
		return lh, nil
	}
	logo, err := a.Practices.Logo(ctx)
	switch {
	case err == nil:
		lh.Logo = logo
	case medic.ErrorCode(err) != medic.ENOTFOUND:
		return lh, err
	}
	return lh, nil
}

// signatory is who signs a document a document written by userID: their
// practitioner profile and signature when they have them, else the name
// the document was stored with.
func (a *App) signatory(ctx context.Context, userID, name string) (medic.Signatory, error) {
	s := medic.Signatory{Name: name}
	m, err := a.Members.FindMemberByUser(ctx, userID)
	if medic.ErrorCode(err) == medic.ENOTFOUND {
		return s, nil // a former member: the stored name only
	} else if err != nil {
		return s, err
	}
	pr, err := a.Practitioners.FindPractitionerByMember(ctx, m.ID)
	if medic.ErrorCode(err) == medic.ENOTFOUND {
		return s, nil
	} else if err != nil {
		return s, err
	}
	s.Practitioner = pr
	if !pr.HasSignature {
		return s, nil
	}
	sig, err := a.Practitioners.Signature(ctx, pr.ID)
	switch {
	case err == nil:
		s.Signature = sig
	case medic.ErrorCode(err) != medic.ENOTFOUND:
		return s, err
	}
	return s, nil
}

// documentKinds are the kinds of ks (none: every kind) that t's role reads.
func documentKinds(t medic.Tenant, ks []medic.DocumentKind) []medic.DocumentKind {
	if len(ks) == 0 {
		ks = medic.DocumentKinds
	}
	var out []medic.DocumentKind
	for _, k := range ks {
		if t.Can(actions[string(k)+".list"]) {
			out = append(out, k)
		}
	}
	return out
}

// GetDocument returns one sick note, prescription or referral letter as a
// document (as for reading it); the read is audited as the record's.
func (a *App) GetDocument(ctx context.Context, kind medic.DocumentKind, id string) (*medic.ClinicalDocument, error) {
	if !slices.Contains(medic.DocumentKinds, kind) {
		return nil, medic.ErrNotFound
	}
	if _, err := a.allow(ctx, string(kind)+".view"); err != nil {
		return nil, err
	}
	var d *medic.ClinicalDocument
	err := a.Tx.InReadTx(ctx, func(ctx context.Context) error {
		var err error
		if d, err = a.Documents.FindDocument(ctx, kind, id); err != nil {
			return err
		}
		return a.Audit.Record(ctx, medic.AuditEvent{Action: string(kind) + ".viewed", EntityType: string(kind), EntityID: d.ID, PatientID: d.PatientID,
			Detail: map[string]string{"as": "document"}})
	})
	return d, err
}

// ListDocuments pages through the documents of the kinds asked for (none:
// all) that the member's role reads, newest first; EFORBIDDEN when it
// reads none of them. One audit event per page names the charts.
func (a *App) ListDocuments(ctx context.Context, f medic.DocumentFilter, pg medic.Page) ([]*medic.ClinicalDocument, string, error) {
	t, ok := medic.TenantFrom(ctx)
	if !ok {
		return nil, "", medic.ErrNotFound
	}
	asked := f.Kinds
	if f.Kinds = documentKinds(t, asked); len(f.Kinds) == 0 {
		if len(asked) == 0 {
			asked = medic.DocumentKinds
		}
		_, err := a.allow(ctx, string(asked[0])+".list") // refused, and audited as such
		return nil, "", err
	}
	var out []*medic.ClinicalDocument
	var next string
	err := a.Tx.InReadTx(ctx, func(ctx context.Context) error {
		var err error
		if out, next, err = a.Documents.ListDocuments(ctx, f, pg); err != nil {
			return err
		}
		kinds := make([]string, len(f.Kinds))
		for i, k := range f.Kinds {
			kinds[i] = string(k)
		}
		e := medic.AuditEvent{Action: "document.listed", EntityType: "document", PatientID: f.PatientID,
			Detail: map[string]string{"count": strconv.Itoa(len(out)), "kinds": strings.Join(kinds, ",")}}
		seen := map[string]bool{}
		for _, d := range out {
			if !seen[d.PatientID] {
				seen[d.PatientID] = true
				e.PatientIDs = append(e.PatientIDs, d.PatientID)
			}
		}
		if e.PatientID == "" && len(e.PatientIDs) == 1 {
			e.PatientID = e.PatientIDs[0]
		}
		return a.Audit.Record(ctx, e)
	})
	return out, next, err
}
