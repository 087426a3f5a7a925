package medic

import "slices"

// ChartPart is a group of a chart's fields that the role table (DOMAIN.md
// "Roles") gives or withholds as a whole. Which role reads and writes which
// part is decided here and nowhere else: every representation of a patient
// (API, desk, exports) shows a chart only as ProjectPatient returns it, and
// every change goes through CheckChartEdit.
type ChartPart string

const (
	// ChartDemographics is who the patient is and how to reach them: names,
	// date of birth, sex, ID and passport numbers, contact details, address,
	// language, medical aid, emergency contacts, status.
	ChartDemographics ChartPart = "demographics"
	// ChartClinical is the clinical record: allergies and chronic conditions
	// today; encounters, vitals, diagnoses and orders join it as they arrive.
	ChartClinical ChartPart = "clinical"
	// ChartDiagnosisCodes is the ICD-10 codes of the chart's diagnoses,
	// which billing reads for claims without the rest of the clinical
	// record. No field holds them yet: the hook is here for when one does.
	ChartDiagnosisCodes ChartPart = "diagnosis_codes"
)

// CanReadChart reports whether role r may read part of a chart.
func (r Role) CanReadChart(part ChartPart) bool {
	switch part {
	case ChartDemographics:
		return r.Can(PermPatientsRead)
	case ChartClinical:
		return r.Can(PermClinicalRead)
	case ChartDiagnosisCodes:
		return r.Can(PermDiagnosesRead)
	}
	return false
}

// CanWriteChart reports whether role r may change part of a chart. The
// clinical part (allergies, chronic conditions) is written by doctors and
// admins, exactly as the allergy and problem-list use cases allow: the
// role table gives nurses vitals and notes and "read rest". Reception and
// billing never touch it.
func (r Role) CanWriteChart(part ChartPart) bool {
	switch part {
	case ChartDemographics:
		return r.Can(PermPatientsWrite)
	case ChartClinical:
		return r.CanReadChart(ChartClinical) && r.Can(PermClinicalWrite)
	case ChartDiagnosisCodes:
		return r.Can(PermClinicalWrite)
	}
	return false
}

// ProjectPatient returns the chart as role r may see it: a copy whose
// withheld parts are empty (nil) and listed in Withheld, so that a
// representation can leave them out rather than show them empty.
func ProjectPatient(p *Patient, r Role) *Patient {
	if p == nil {
		return nil
	}
	c := *p
	c.EmergencyContacts = slices.Clone(p.EmergencyContacts)
	c.Allergies, c.ChronicConditions = slices.Clone(p.Allergies), slices.Clone(p.ChronicConditions)
	c.Withheld = nil
	if !r.CanReadChart(ChartDemographics) {
		// Fail closed: a role without patient access sees the id only.
		return &Patient{ID: p.ID, PracticeID: p.PracticeID, Withheld: []ChartPart{ChartDemographics, ChartClinical, ChartDiagnosisCodes}}
	}
	if !r.CanReadChart(ChartClinical) {
		c.Allergies, c.ChronicConditions = nil, nil
		c.Withheld = append(c.Withheld, ChartClinical)
	}
	if !r.CanReadChart(ChartDiagnosisCodes) {
		c.Withheld = append(c.Withheld, ChartDiagnosisCodes)
	}
	return &c
}

// Shows reports whether this copy of the chart holds part (false for a part
// ProjectPatient withheld).
func (p *Patient) Shows(part ChartPart) bool { return !slices.Contains(p.Withheld, part) }

// ErrClinicalWrite refuses a change to the clinical part by a role that may
// not write it; nothing is saved (a withheld part is never silently cleared
// or overwritten either).
var ErrClinicalWrite = &Error{Code: EFORBIDDEN, Message: "Your role does not allow changing allergies or chronic conditions."}

// CheckChartEdit returns the chart to store after role r edited edited, a
// copy of ProjectPatient(full, r) (for a new chart, full is an empty
// Patient): the parts r may not write keep full's values. ErrClinicalWrite
// when r set a clinical field: for a part r cannot read, any value set
// (even an empty list) counts, since r cannot know what it would replace.
func CheckChartEdit(full, edited *Patient, r Role) (*Patient, error) {
	out := *edited
	out.Withheld = nil
	if !r.CanWriteChart(ChartClinical) {
		var changed bool
		if r.CanReadChart(ChartClinical) {
			changed = !slices.Equal(edited.Allergies, full.Allergies) || !slices.Equal(edited.ChronicConditions, full.ChronicConditions)
		} else {
			changed = edited.Allergies != nil || edited.ChronicConditions != nil
		}
		if changed {
			return nil, ErrClinicalWrite
		}
		out.Allergies, out.ChronicConditions = full.Allergies, full.ChronicConditions
	}
	return &out, nil
}
