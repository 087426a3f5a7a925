package medic

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strconv"
	"time"
)

// Vitals is one set of measurements taken at an encounter. Every value is
// optional (nil = not measured); BMI is computed from weight and height.
// Whole-number measurements (pressures, rates, SpO2) are held as float64
// too, so one table of limits serves all; Validate refuses fractions there.
type Vitals struct {
	ID          string
	PracticeID  string
	EncounterID string
	PatientID   string
	MeasuredAt  time.Time
	RecordedBy  string // user id

	SystolicMmHg        *float64
	DiastolicMmHg       *float64
	PulseBPM            *float64
	TemperatureC        *float64
	RespiratoryRate     *float64
	SpO2Percent         *float64
	WeightKg            *float64
	HeightCm            *float64
	GlucoseMmolL        *float64
	HeadCircumferenceCm *float64

	CreatedAt time.Time
}

// VitalField names a measurement as the API, the forms and the errors do.
type VitalField string

const (
	VitalSystolic          VitalField = "systolic_mmhg"
	VitalDiastolic         VitalField = "diastolic_mmhg"
	VitalPulse             VitalField = "pulse_bpm"
	VitalTemperature       VitalField = "temperature_c"
	VitalRespiratoryRate   VitalField = "respiratory_rate"
	VitalSpO2              VitalField = "spo2_percent"
	VitalWeight            VitalField = "weight_kg"
	VitalHeight            VitalField = "height_cm"
	VitalGlucose           VitalField = "glucose_mmol_l"
	VitalHeadCircumference VitalField = "head_circumference_cm"
	VitalBMI               VitalField = "bmi" // computed, never entered
)

// VitalSpec describes an entered measurement: its label and unit for forms
// and charts, the physiologically possible range (anything outside is a
// typing or unit mistake, refused), and how many decimals are kept.
type VitalSpec struct {
	Field    VitalField
	Label    string
	Unit     string
	Min, Max float64
	Decimals int // 0: whole numbers only
}

// VitalSpecs lists the entered measurements in form order.
//
// The possible ranges are wide on purpose: they refuse what cannot be a
// living patient's reading (or is a unit mix-up), never a merely alarming
// one, which is flagged instead.
//   - systolic 30-300 mmHg: a preterm newborn's systolic is about 40; cuff
//     manometers end at 300. Diastolic 10-200 and below the systolic.
//   - pulse 20-300/min: neonatal supraventricular tachycardia reaches ~300.
//   - temperature 25-45 C: below 25 C survival is exceptional and clinic
//     thermometers do not read; above 45 C is not survivable (and 98.6
//     is Fahrenheit).
//   - respiratory rate 2-150/min: a distressed preterm baby breathes ~120.
//   - SpO2 20-100 %: oximeters report down to about 20 %; more than 100 is
//     impossible by definition.
//   - weight 0.2-500 kg (the smallest surviving newborns weigh ~0.25 kg),
//     height 20-272 cm (the tallest recorded person), glucose 0.5-100
//     mmol/L (hyperosmolar states have been recorded above 80),
//     head circumference 20-60 cm (a 22-week preterm to macrocephaly).
var VitalSpecs = []VitalSpec{
	{VitalSystolic, "Systolic pressure", "mmHg", 30, 300, 0},
	{VitalDiastolic, "Diastolic pressure", "mmHg", 10, 200, 0},
	{VitalPulse, "Pulse", "/min", 20, 300, 0},
	{VitalTemperature, "Temperature", "°C", 25, 45, 1},
	{VitalRespiratoryRate, "Respiratory rate", "/min", 2, 150, 0},
	{VitalSpO2, "SpO2", "%", 20, 100, 0},
	{VitalWeight, "Weight", "kg", 0.2, 500, 3},
	{VitalHeight, "Height", "cm", 20, 272, 1},
	{VitalGlucose, "Blood glucose", "mmol/L", 0.5, 100, 1},
	{VitalHeadCircumference, "Head circumference", "cm", 20, 60, 1},
}

// Spec returns the spec of an entered field (and BMI's label and unit).
func (f VitalField) Spec() (VitalSpec, bool) {
	if f == VitalBMI {
		return VitalSpec{Field: VitalBMI, Label: "BMI", Unit: "kg/m²", Decimals: 1}, true
	}
	for _, s := range VitalSpecs {
		if s.Field == f {
			return s, true
		}
	}
	return VitalSpec{}, false
}

// Value returns a pointer to the field's value in v (nil for an unknown
// field); BMI is computed.
func (v *Vitals) Value(f VitalField) *float64 {
	if p := v.Slot(f); p != nil {
		return *p
	}
	if f == VitalBMI {
		return v.BMI()
	}
	return nil
}

// Set stores x (nil clears) in field f; it reports false for BMI or an
// unknown field.
func (v *Vitals) Set(f VitalField, x *float64) bool {
	p := v.Slot(f)
	if p == nil {
		return false
	}
	*p = x
	return true
}

// Slot returns where field f is held in v (nil for BMI or an unknown
// field), for code that handles every measurement alike.
func (v *Vitals) Slot(f VitalField) **float64 {
	switch f {
	case VitalSystolic:
		return &v.SystolicMmHg
	case VitalDiastolic:
		return &v.DiastolicMmHg
	case VitalPulse:
		return &v.PulseBPM
	case VitalTemperature:
		return &v.TemperatureC
	case VitalRespiratoryRate:
		return &v.RespiratoryRate
	case VitalSpO2:
		return &v.SpO2Percent
	case VitalWeight:
		return &v.WeightKg
	case VitalHeight:
		return &v.HeightCm
	case VitalGlucose:
		return &v.GlucoseMmolL
	case VitalHeadCircumference:
		return &v.HeadCircumferenceCm
	}
	return nil
}

// Empty reports whether nothing was measured.
func (v *Vitals) Empty() bool {
	for _, s := range VitalSpecs {
		if v.Value(s.Field) != nil {
			return false
		}
	}
	return true
}

// BMI is weight / height² in kg/m², to one decimal, when both are present.
func (v *Vitals) BMI() *float64 {
	if v.WeightKg == nil || v.HeightCm == nil || *v.HeightCm <= 0 {
		return nil
	}
	m := *v.HeightCm / 100
	b := round(*v.WeightKg/(m*m), 1)
	return &b
}

// BMI outside 5-200 cannot be a person: the weight and height were
// mistyped or belong to different units.
const minBMI, maxBMI = 5, 200

// HeadCircumferenceMaxAgeMonths: head circumference is a growth measure
// for children under 3 (36 months).
const HeadCircumferenceMaxAgeMonths = 36

// VitalsSubject is what validation and flags need to know of the patient.
type VitalsSubject struct {
	DateOfBirth Date
	Sex         Sex
}

// Validate refuses impossible values with a message naming the field:
// outside the possible range (see VitalSpecs), a fraction where a whole
// number is measured, a diastolic not below the systolic, half a blood
// pressure, a weight and height giving an impossible BMI, a head
// circumference for a child of 3 or older (age on the day measured, on).
// Accepted values are rounded to the field's decimals. Nothing measured is
// an error too.
func (v *Vitals) Validate(s VitalsSubject, on Date) error {
	f := FieldErrors{}
	for _, sp := range VitalSpecs {
		x := v.Value(sp.Field)
		if x == nil {
			continue
		}
		val := *x
		switch {
		case math.IsNaN(val) || math.IsInf(val, 0):
			f.Add(string(sp.Field), fmt.Sprintf("Enter the %s as a number.", lower(sp.Label)))
		case val < 0:
			f.Add(string(sp.Field), fmt.Sprintf("The %s cannot be negative.", lower(sp.Label)))
		case val < sp.Min || val > sp.Max:
			f.Add(string(sp.Field), fmt.Sprintf("A %s must be between %s and %s %s; check the value and the unit.",
				lower(sp.Label), FormatVital(sp.Min, sp.Decimals), FormatVital(sp.Max, sp.Decimals), sp.Unit))
		case sp.Decimals == 0 && val != math.Trunc(val):
			f.Add(string(sp.Field), fmt.Sprintf("Enter the %s as a whole number.", lower(sp.Label)))
		default:
			r := round(val, sp.Decimals)
			v.Set(sp.Field, &r)
		}
	}
	if _, bad := f[string(VitalSystolic)]; !bad && v.SystolicMmHg != nil && v.DiastolicMmHg == nil {
		f.Add(string(VitalDiastolic), "Enter the diastolic pressure with the systolic.")
	}
	if _, bad := f[string(VitalDiastolic)]; !bad && v.DiastolicMmHg != nil {
		switch {
		case v.SystolicMmHg == nil:
			f.Add(string(VitalSystolic), "Enter the systolic pressure with the diastolic.")
		case *v.DiastolicMmHg >= *v.SystolicMmHg:
			f.Add(string(VitalDiastolic), "The diastolic pressure must be below the systolic.")
		}
	}
	if v.HeadCircumferenceCm != nil && !s.DateOfBirth.IsZero() && AgeMonths(s.DateOfBirth, on) >= HeadCircumferenceMaxAgeMonths {
		f.Add(string(VitalHeadCircumference), "Head circumference is recorded only for children under 3.")
	}
	if b := v.BMI(); b != nil && f[string(VitalWeight)] == "" && f[string(VitalHeight)] == "" && (*b < minBMI || *b > maxBMI) {
		f.Add(string(VitalWeight), fmt.Sprintf("This weight and height give a BMI of %s; check both.", FormatVital(*b, 1)))
	}
	if !s.DateOfBirth.IsZero() && on.Before(s.DateOfBirth) {
		f.Add("measured_at", "The measurement cannot be before the date of birth.")
	}
	if err := f.Err(); err != nil {
		return err
	}
	if v.Empty() {
		return &Error{Code: EINVALID, Message: "Enter at least one measurement."}
	}
	return nil
}

func lower(s string) string {
	if s == "SpO2" {
		return s
	}
	return lowerFirst(s)
}

func round(x float64, decimals int) float64 {
	p := math.Pow(10, float64(decimals))
	return math.Round(x*p) / p
}

// FormatVital writes x with at most the given decimals, no trailing zeros.
func FormatVital(x float64, decimals int) string {
	return strconv.FormatFloat(round(x, decimals), 'f', -1, 64)
}

// VitalsService records and lists a practice's vitals; ENOTFOUND for an
// encounter or patient of another practice.
type VitalsService interface {
	// CreateVitals stores v for its encounter (which names the patient);
	// ErrEncounterFinished once the encounter is locked.
	CreateVitals(ctx context.Context, v *Vitals) error
	// ListVitals returns a patient's vitals measured in [from, to), oldest
	// first, at most limit.
	ListVitals(ctx context.Context, patientID string, from, to time.Time, limit int) ([]*Vitals, error)
	// ListVitalsOf is ListVitals of all time for each of the charts at
	// once (the latest limit of each, oldest first), by chart id.
	ListVitalsOf(ctx context.Context, patientIDs []string, limit int) (map[string][]*Vitals, error)
	// EncounterVitals returns the vitals of one encounter, oldest first.
	EncounterVitals(ctx context.Context, encounterID string) ([]*Vitals, error)
}

// VitalLatest is the last value of one measurement on a chart, with the
// one before it for the trend.
type VitalLatest struct {
	Field    VitalField
	Label    string
	Unit     string
	Decimals int
	Value    float64
	At       time.Time
	Previous *float64
}

// Trend is "up", "down" or "same" against the previous value ("" when
// there is none).
func (l VitalLatest) Trend() string {
	switch {
	case l.Previous == nil:
		return ""
	case round(l.Value, l.Decimals) > round(*l.Previous, l.Decimals):
		return "up"
	case round(l.Value, l.Decimals) < round(*l.Previous, l.Decimals):
		return "down"
	}
	return "same"
}

// LatestVitals returns, for each measurement (and BMI) found in vs (any
// order), its newest value and the one before; in form order.
func LatestVitals(vs []*Vitals) []VitalLatest {
	sorted := make([]*Vitals, len(vs))
	copy(sorted, vs)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].MeasuredAt.After(sorted[j].MeasuredAt) })
	fields := make([]VitalField, 0, len(VitalSpecs)+1)
	for _, sp := range VitalSpecs {
		fields = append(fields, sp.Field)
	}
	fields = append(fields, VitalBMI)
	var out []VitalLatest
	for _, f := range fields {
		sp, _ := f.Spec()
		var l *VitalLatest
		for _, v := range sorted {
			x := v.Value(f)
			if x == nil {
				continue
			}
			if l == nil {
				l = &VitalLatest{Field: f, Label: sp.Label, Unit: sp.Unit, Decimals: sp.Decimals, Value: *x, At: v.MeasuredAt}
				continue
			}
			prev := *x
			l.Previous = &prev
			break
		}
		if l != nil {
			out = append(out, *l)
		}
	}
	return out
}
