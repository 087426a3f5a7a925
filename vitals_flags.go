package medic

import (
	"fmt"
	"time"
)

// AgeBand is the age group whose reference ranges apply to a measurement.
type AgeBand string

const (
	BandNewborn    AgeBand = "newborn"    // under 28 days
	BandInfant     AgeBand = "infant"     // 28 days to under 1 year
	BandToddler    AgeBand = "toddler"    // 1 to under 3 years
	BandChild      AgeBand = "child"      // 3 to under 12 years
	BandAdolescent AgeBand = "adolescent" // 12 to under 18 years
	BandAdult      AgeBand = "adult"      // 18 years and over
)

// AgeMonths is the number of whole calendar months from birth to on.
func AgeMonths(dob, on Date) int {
	m := (on.Year()-dob.Year())*12 + int(on.Month()-dob.Month())
	if on.Day() < dob.Day() {
		m--
	}
	return m
}

// AgeBandOn returns the age band of a patient born dob on the day on.
func AgeBandOn(dob, on Date) AgeBand {
	days := int(on.Time().Sub(dob.Time()) / (24 * time.Hour))
	months := AgeMonths(dob, on)
	switch {
	case days < 28:
		return BandNewborn
	case months < 12:
		return BandInfant
	case months < 36:
		return BandToddler
	case months < 12*12:
		return BandChild
	case months < 18*12:
		return BandAdolescent
	}
	return BandAdult
}

// Label is the band's name in a sentence ("for a toddler").
func (b AgeBand) Label() string {
	switch b {
	case BandNewborn:
		return "a newborn"
	case BandInfant:
		return "an infant"
	case BandToddler:
		return "a toddler"
	case BandChild:
		return "a child"
	case BandAdolescent:
		return "an adolescent"
	}
	return "an adult"
}

// FlagLevel grades an abnormal value.
type FlagLevel string

const (
	FlagLow          FlagLevel = "low"
	FlagHigh         FlagLevel = "high"
	FlagCriticalLow  FlagLevel = "critical_low"
	FlagCriticalHigh FlagLevel = "critical_high"
)

// Critical reports whether the level calls for action now.
func (l FlagLevel) Critical() bool { return l == FlagCriticalLow || l == FlagCriticalHigh }

// VitalFlag marks one abnormal value.
type VitalFlag struct {
	Field   VitalField
	Level   FlagLevel
	Message string
}

// VitalRange holds a measurement's thresholds for one age band, as the
// guidelines write them: a value below LowBelow is low, at or above
// HighFrom is high, and likewise for the critical levels. Zero means the
// band has no such threshold. The normal band is [LowBelow, HighFrom).
type VitalRange struct {
	LowBelow, HighFrom                 float64
	CriticalLowBelow, CriticalHighFrom float64
	Source                             string
}

// Sources of the reference ranges. The numbers were entered by hand from
// these publications; where a guideline gives no critical value we chose
// one beyond the 1st/99th centiles of Fleming et al. and say so. A
// clinician should review them before the flags guide care.
const (
	// American Heart Association, PALS Provider Manual (2020): normal heart
	// rate (awake), respiratory rate and blood pressure by age; paediatric
	// hypotension (systolic < 60 newborn, < 70 infant, < 70 + 2 x age in
	// years from 1 to 10, < 90 from 10); bradycardia < 60 with poor
	// perfusion calls for CPR; SVT is usually > 220/min in infants and
	// > 180/min in children.
	srcPALS = "PALS 2020"
	// Fleming S et al. Normal ranges of heart rate and respiratory rate in
	// children from birth to 18 years: a systematic review. Lancet
	// 2011;377:1011-18 (centile charts): our critical rates lie beyond
	// their 1st and 99th centiles.
	srcFleming = "Fleming et al., Lancet 2011"
	// Royal College of Physicians, National Early Warning Score (NEWS) 2
	// (2017): adult values scoring 3 (pulse <= 40 or >= 131, respiratory
	// rate <= 8 or >= 25, SpO2 <= 91 %, systolic <= 90, temperature <= 35.0)
	// are critical; systolic 91-100 and pulse <= 50 score too.
	srcNEWS2 = "NEWS2 (RCP 2017)"
	// Unger T et al. 2020 International Society of Hypertension global
	// practice guidelines, and the SA Hypertension Practice Guideline 2014:
	// hypertension from 140/90, urgency/emergency from 180/110. Flynn JT et
	// al., AAP Clinical Practice Guideline 2017: from 13 years hypertension
	// from 130/80; in younger children more than 30 mmHg above the upper
	// limit needs same-day evaluation.
	srcBP = "ISH 2020 / AAP 2017"
	// WHO, Thermal Protection of the Newborn (1997): normal 36.5-37.5 C,
	// moderate hypothermia below 36.0 C. NICE NG143 (2019), Fever in under
	// 5s: 38 C or more under 3 months is high risk, 39 C or more at 3-6
	// months a warning sign. Fever from 38.0 C; hyperpyrexia from 40.0 C.
	srcTemp = "WHO 1997 / NICE NG143"
	// British Thoracic Society oxygen guideline (2017): target 94-98 %;
	// WHO, Oxygen therapy for children (2016): give oxygen below 90 %.
	srcSpO2 = "BTS 2017 / WHO 2016"
	// American Diabetes Association Standards of Care (2024) and SEMDSA
	// 2017 guideline: hypoglycaemia level 1 < 3.9, level 2 < 3.0 mmol/L;
	// random plasma glucose >= 11.1 mmol/L is in the diabetic range;
	// >= 13.9 mmol/L (250 mg/dL) is the DKA threshold (Kitabchi, ADA
	// consensus 2009): test ketones now. Newborns: BAPM framework (2017),
	// operational threshold 2.6 mmol/L, below 2.0 mmol/L act at once.
	srcGlucose = "ADA 2024 / SEMDSA 2017 / BAPM 2017"
	// WHO BMI classification for adults: < 16 severe thinness, < 18.5
	// underweight, >= 25 overweight, >= 40 obese class III. Children's BMI
	// needs BMI-for-age z-scores and is not flagged here.
	srcBMI = "WHO"
)

// VitalRangeFor returns the reference thresholds of field for a patient
// born dob, measured on the day on; false when the field has none for the
// age (weight, height and head circumference are judged against the WHO
// growth standards instead; BMI only for adults).
func VitalRangeFor(field VitalField, dob, on Date) (VitalRange, bool) {
	band := AgeBandOn(dob, on)
	switch field {
	case VitalPulse:
		// Normal: PALS 2020 awake rates (child: preschool 80-120 and
		// school-age 75-118 merged). Critical: PALS CPR and SVT thresholds
		// for children; NEWS2 for adolescents (validated from 16) and adults.
		return map[AgeBand]VitalRange{
			BandNewborn:    {100, 206, 60, 220, srcPALS},
			BandInfant:     {100, 181, 60, 220, srcPALS},
			BandToddler:    {98, 141, 60, 180, srcPALS},
			BandChild:      {75, 121, 60, 180, srcPALS},
			BandAdolescent: {60, 101, 41, 131, srcPALS + " / " + srcNEWS2},
			BandAdult:      {51, 101, 41, 131, srcNEWS2},
		}[band], true
	case VitalRespiratoryRate:
		// Normal: PALS 2020 (newborn: WHO IMCI, fast breathing from 60 under
		// 2 months). Critical for children: our choice, beyond Fleming 2011's
		// 1st/99th centiles (and IMCI's fast breathing of 40 at 1-5 years);
		// NEWS2 for adolescents and adults.
		return map[AgeBand]VitalRange{
			BandNewborn:    {30, 60, 20, 70, srcPALS + " / " + srcFleming},
			BandInfant:     {30, 54, 20, 70, srcPALS + " / " + srcFleming},
			BandToddler:    {22, 38, 15, 50, srcPALS + " / " + srcFleming},
			BandChild:      {18, 29, 12, 40, srcPALS + " / " + srcFleming},
			BandAdolescent: {12, 21, 9, 25, srcPALS + " / " + srcNEWS2},
			BandAdult:      {12, 21, 9, 25, srcNEWS2},
		}[band], true
	case VitalSystolic:
		// Normal: PALS 2020 (child: preschool to pre-adolescent merged).
		// Critical low: PALS hypotension; high: AAP 2017's upper limit +30.
		r := map[AgeBand]VitalRange{
			BandNewborn:    {67, 85, 60, 115, srcPALS},
			BandInfant:     {72, 105, 70, 135, srcPALS},
			BandToddler:    {86, 107, 0, 137, srcPALS},
			BandChild:      {89, 121, 0, 151, srcPALS},
			BandAdolescent: {100, 130, 90, 180, srcPALS + " / " + srcBP},
			BandAdult:      {101, 140, 91, 180, srcNEWS2 + " / " + srcBP},
		}[band]
		if band == BandToddler || band == BandChild {
			years := AgeMonths(dob, on) / 12
			r.CriticalLowBelow = 90
			if years < 10 {
				r.CriticalLowBelow = float64(70 + 2*years)
			}
		}
		return r, true
	case VitalDiastolic:
		return map[AgeBand]VitalRange{
			BandNewborn:    {35, 54, 0, 84, srcPALS},
			BandInfant:     {37, 57, 0, 87, srcPALS},
			BandToddler:    {42, 64, 0, 94, srcPALS},
			BandChild:      {46, 81, 0, 111, srcPALS},
			BandAdolescent: {60, 80, 0, 120, srcBP},
			BandAdult:      {60, 90, 0, 110, srcBP},
		}[band], true
	case VitalTemperature:
		switch band {
		case BandNewborn:
			return VitalRange{36.5, 37.6, 36.0, 38.0, srcTemp}, true
		case BandInfant:
			return VitalRange{36.0, 38.0, 35.1, 39.0, srcTemp}, true
		}
		return VitalRange{36.0, 38.0, 35.1, 40.0, srcTemp + " / " + srcNEWS2}, true
	case VitalSpO2:
		if band == BandAdolescent || band == BandAdult {
			return VitalRange{94, 0, 92, 0, srcSpO2 + " / " + srcNEWS2}, true
		}
		return VitalRange{94, 0, 90, 0, srcSpO2}, true
	case VitalGlucose:
		if band == BandNewborn {
			return VitalRange{2.6, 11.1, 2.0, 13.9, srcGlucose}, true
		}
		return VitalRange{3.9, 11.1, 3.0, 13.9, srcGlucose}, true
	case VitalBMI:
		if band == BandAdult {
			return VitalRange{18.5, 25, 16, 40, srcBMI}, true
		}
	}
	return VitalRange{}, false
}

// Flags grades each present value of v against the ranges of the patient's
// age band on the day measured, and a young child's weight and height
// against the WHO growth standards (below -2 SD low, weight above +2 SD
// high). Call it on validated vitals.
func (v *Vitals) Flags(s VitalsSubject, on Date) []VitalFlag {
	var out []VitalFlag
	if s.DateOfBirth.IsZero() {
		return nil
	}
	band := AgeBandOn(s.DateOfBirth, on)
	fields := make([]VitalField, 0, len(VitalSpecs)+1)
	for _, sp := range VitalSpecs {
		fields = append(fields, sp.Field)
	}
	fields = append(fields, VitalBMI)
	for _, f := range fields {
		x := v.Value(f)
		if x == nil {
			continue
		}
		if r, ok := VitalRangeFor(f, s.DateOfBirth, on); ok {
			if fl, ok := r.grade(f, *x, band); ok {
				out = append(out, fl)
			}
		}
	}
	months := float64(on.Time().Sub(s.DateOfBirth.Time())) / float64(averageMonth)
	for _, g := range []struct {
		field VitalField
		ref   GrowthMeasure
		high  bool
		words string
	}{
		{VitalWeight, GrowthWeight, true, "weight"},
		{VitalHeight, GrowthLength, false, "length/height"},
	} {
		x := v.Value(g.field)
		c, ok := GrowthReferenceAt(g.ref, s.Sex, months)
		if x == nil || !ok {
			continue
		}
		switch {
		case *x < c.Minus2SD:
			out = append(out, VitalFlag{g.field, FlagLow, fmt.Sprintf("%s %s %s is below -2 SD for age (WHO growth standard; median %s).",
				capital(g.words), FormatVital(*x, 3), growthUnit(g.ref), FormatVital(c.Median, 1))})
		case g.high && *x > c.Plus2SD:
			out = append(out, VitalFlag{g.field, FlagHigh, fmt.Sprintf("%s %s %s is above +2 SD for age (WHO growth standard; median %s).",
				capital(g.words), FormatVital(*x, 3), growthUnit(g.ref), FormatVital(c.Median, 1))})
		}
	}
	return out
}

func capital(s string) string {
	if s == "" {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}

// grade returns the flag for x, critical levels first.
func (r VitalRange) grade(f VitalField, x float64, band AgeBand) (VitalFlag, bool) {
	sp, _ := f.Spec()
	val := FormatVital(x, sp.Decimals) + " " + sp.Unit
	var level FlagLevel
	var limit string
	switch {
	case r.CriticalLowBelow > 0 && x < r.CriticalLowBelow:
		level, limit = FlagCriticalLow, "below "+FormatVital(r.CriticalLowBelow, 1)
	case r.CriticalHighFrom > 0 && x >= r.CriticalHighFrom:
		level, limit = FlagCriticalHigh, FormatVital(r.CriticalHighFrom, 1)+" or more"
	case r.LowBelow > 0 && x < r.LowBelow:
		level, limit = FlagLow, "below "+FormatVital(r.LowBelow, 1)
	case r.HighFrom > 0 && x >= r.HighFrom:
		level, limit = FlagHigh, FormatVital(r.HighFrom, 1)+" or more"
	default:
		return VitalFlag{}, false
	}
	words := map[FlagLevel]string{FlagLow: "low", FlagHigh: "high", FlagCriticalLow: "critically low", FlagCriticalHigh: "critically high"}[level]
	return VitalFlag{
		Field: f,
		Level: level,
		Message: fmt.Sprintf("%s %s is %s for %s (%s; %s).",
			sp.Label, val, words, band.Label(), limit, r.Source),
	}, true
}
