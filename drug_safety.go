package medic

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
)

// The drug-safety checks run on every prescription item before it is
// issued. Each is a pure function of the item and what the chart holds, so
// the rules are tested as tables; the app layer gathers the chart's data
// and stores any override reason with the item.

// AlertKind names a check, as the API's "alerts" carry it.
type AlertKind string

const (
	AlertAllergy        AlertKind = "allergy"
	AlertInteraction    AlertKind = "interaction"
	AlertDuplicate      AlertKind = "duplicate"
	AlertPaediatricDose AlertKind = "paediatric_dose"
)

// SafetyAlert is one fired check. An item with alerts is issued only with
// an override reason.
type SafetyAlert struct {
	Kind     AlertKind
	Severity string // "severe" or "moderate"
	Message  string
}

// CheckAllergies fires when m contains an ingredient the patient is
// allergic to, or belongs to a class an allergy names ("penicillin" covers
// amoxicillin). Only active allergies count.
func CheckAllergies(m *Medicine, allergies []*Allergy) []SafetyAlert {
	var out []SafetyAlert
	for _, a := range allergies {
		if a.Status != AllergyActive {
			continue
		}
		s := normalSubstance(a.Substance)
		if s == "" {
			continue
		}
		sev := "moderate"
		if a.Severity == SeveritySevere {
			sev = "severe"
		}
		if msg := allergyConflict(m, s); msg != "" {
			out = append(out, SafetyAlert{Kind: AlertAllergy, Severity: sev,
				Message: fmt.Sprintf("Recorded %s allergy to %s: %s %s.", a.Severity, a.Substance, m.Name, msg)})
		}
	}
	return out
}

// normalSubstance lower-cases a recorded substance and drops the words
// people add ("allergy", "antibiotics") so "Penicillin allergy" names
// penicillin.
func normalSubstance(s string) string {
	var words []string
	for _, w := range strings.Fields(strings.ToLower(s)) {
		w = strings.Trim(w, ".,;:()")
		switch w {
		case "", "allergy", "allergic", "to", "intolerance", "reaction", "drug", "drugs":
			continue
		}
		words = append(words, w)
	}
	return strings.Join(words, " ")
}

// allergyConflict says why m conflicts with an allergy to substance, or
// "": an ingredient the substance names, then a class it names ("sulfa"),
// then an ingredient that merely begins with what was typed ("amoxy").
func allergyConflict(m *Medicine, substance string) string {
	for _, in := range m.Ingredients {
		if in == substance || (len(in) >= 4 && strings.Contains(substance, in)) {
			return "contains " + in
		}
	}
	for _, c := range allergyClasses {
		if c.namedBy(substance) && c.covers(m) {
			return "is one of the " + c.label
		}
	}
	for _, in := range m.Ingredients {
		if len(substance) >= 5 && strings.HasPrefix(in, substance) {
			return "contains " + in
		}
	}
	return ""
}

// allergyClass is a group of medicines an allergy to any one member warns
// against: the words that name it, its ATC prefixes and members whose ATC
// code lies elsewhere.
type allergyClass struct {
	label       string
	terms       []string
	atc         []string
	ingredients []string
}

func (c allergyClass) namedBy(substance string) bool {
	for _, t := range c.terms {
		if strings.Contains(substance, t) {
			return true
		}
	}
	for _, in := range c.ingredients {
		if strings.Contains(substance, in) {
			return true
		}
	}
	return false
}

func (c allergyClass) covers(m *Medicine) bool {
	for _, p := range c.atc {
		if m.InClass(p) {
			return true
		}
	}
	for _, in := range c.ingredients {
		if m.HasIngredient(in) {
			return true
		}
	}
	return false
}

// allergyClasses: same-class reactions a prescriber must be warned of.
// Cross-sensitivity between classes (penicillin and cephalosporins, about
// 1-2%) is left to the prescriber, not blocked.
var allergyClasses = []allergyClass{
	{label: "penicillins", terms: []string{"penicillin", "augmentin"}, atc: []string{"J01C"},
		ingredients: []string{"amoxicillin", "ampicillin", "flucloxacillin", "cloxacillin", "phenoxymethylpenicillin", "benzylpenicillin", "benzathine benzylpenicillin", "piperacillin"}},
	{label: "cephalosporins", terms: []string{"cephalosporin", "cefalosporin"}, atc: []string{"J01DB", "J01DC", "J01DD", "J01DE"},
		ingredients: []string{"cefalexin", "cephalexin", "cefuroxime", "ceftriaxone", "cefazolin", "cefixime", "cefpodoxime"}},
	{label: "sulfonamides", terms: []string{"sulfa", "sulpha", "sulfonamide", "sulphonamide", "co-trimoxazole", "cotrimoxazole", "bactrim"}, atc: []string{"J01E"},
		ingredients: []string{"sulfamethoxazole", "silver sulfadiazine", "sulfadiazine", "sulfasalazine"}},
	{label: "anti-inflammatory painkillers (NSAIDs and aspirin)", terms: []string{"nsaid", "anti-inflammator", "aspirin", "salicylate"}, atc: []string{"M01A", "N02BA"},
		ingredients: []string{"ibuprofen", "diclofenac", "naproxen", "mefenamic acid", "meloxicam", "celecoxib", "indometacin", "acetylsalicylic acid"}},
	{label: "macrolide antibiotics", terms: []string{"macrolide"}, atc: []string{"J01FA"},
		ingredients: []string{"erythromycin", "azithromycin", "clarithromycin"}},
	{label: "fluoroquinolones", terms: []string{"quinolone"}, atc: []string{"J01MA", "S01AE"},
		ingredients: []string{"ciprofloxacin", "levofloxacin", "moxifloxacin", "ofloxacin"}},
	{label: "tetracyclines", terms: []string{"tetracycline"}, atc: []string{"J01AA", "S01AA09"},
		ingredients: []string{"doxycycline", "tetracycline", "minocycline"}},
	{label: "opioids", terms: []string{"opioid", "opiate"}, atc: []string{"N02A"},
		ingredients: []string{"codeine", "morphine", "tramadol", "pethidine", "tilidine", "oxycodone", "fentanyl"}},
	{label: "ACE inhibitors", terms: []string{"ace inhibitor", "ace-inhibitor"}, atc: []string{"C09A", "C09B"},
		ingredients: []string{"enalapril", "lisinopril", "perindopril", "captopril", "ramipril"}},
	{label: "iodine antiseptics", terms: []string{"iodine", "povidone"}, atc: []string{"D08AG"}},
}

// drugRef names one side of an interacting pair: an ingredient or an ATC
// class prefix.
type drugRef struct {
	ingredient string
	atc        string
	label      string
}

func ing(name string) drugRef               { return drugRef{ingredient: name, label: name} }
func atcClass(prefix, label string) drugRef { return drugRef{atc: prefix, label: label} }

func (r drugRef) matches(m *Medicine) bool {
	if r.ingredient != "" {
		return m.HasIngredient(r.ingredient)
	}
	return m.InClass(r.atc)
}

// Interaction is a clinically important pair and what it does.
type Interaction struct {
	a, b     drugRef
	Severity string
	Effect   string
}

// CheckInteractions fires for each medicine in others (the chart's current
// medicines and the prescription's other items) that interacts with m.
func CheckInteractions(m *Medicine, others []*Medicine) []SafetyAlert {
	var out []SafetyAlert
	for _, o := range others {
		if o == nil || o == m || (o.ID != "" && o.ID == m.ID) {
			continue
		}
		for _, in := range Interactions {
			if (in.a.matches(m) && in.b.matches(o)) || (in.b.matches(m) && in.a.matches(o)) {
				out = append(out, SafetyAlert{Kind: AlertInteraction, Severity: in.Severity,
					Message: fmt.Sprintf("%s with %s: %s", m.Name, o.Name, in.Effect)})
				break
			}
		}
	}
	return out
}

// CheckDuplicates fires when a current medicine (or another item of the
// same prescription) has an ingredient of m, or the same therapeutic
// subgroup (ATC level 4, e.g. C09AA: plain ACE inhibitors; NSAIDs as one
// group, M01A, since two of them are never meant together).
func CheckDuplicates(m *Medicine, current []*Medicine) []SafetyAlert {
	var out []SafetyAlert
	for _, o := range current {
		if o == nil || o == m {
			continue
		}
		var why string
		for _, in := range m.Ingredients {
			if o.HasIngredient(in) {
				why = "both contain " + in
				break
			}
		}
		if why == "" && duplicateClass(m.ATC) != "" && duplicateClass(m.ATC) == duplicateClass(o.ATC) {
			why = "both are in the same therapeutic group (" + duplicateClass(m.ATC) + ")"
		}
		if why != "" {
			out = append(out, SafetyAlert{Kind: AlertDuplicate, Severity: "moderate",
				Message: fmt.Sprintf("%s duplicates %s: %s.", m.Name, o.Label(), why)})
		}
	}
	return out
}

// duplicateClass is the group within which two medicines duplicate each
// other: ATC level 4, or a wider group where every member does the same job.
func duplicateClass(atc string) string {
	for _, wide := range []string{"M01A"} {
		if strings.HasPrefix(atc, wide) {
			return wide
		}
	}
	if len(atc) < 5 {
		return ""
	}
	return atc[:5]
}

// PaediatricPatient is what the paediatric dose check needs of a chart.
type PaediatricPatient struct {
	DateOfBirth Date
	On          Date    // the prescribing date
	WeightKg    float64 // latest recorded weight, 0 = none
	WeighedOn   Date
}

// Child: under 18 on the prescribing date.
func (p PaediatricPatient) Child() bool {
	return !p.DateOfBirth.IsZero() && p.DateOfBirth.AddDate(18, 0, 0).After(p.On)
}

// ErrNoWeight refuses a dose-checked medicine for a child with no weight
// on the chart: the check cannot be overridden without one.
var ErrNoWeight = &Error{Code: EINVALID, Message: "Record the child's weight before prescribing this medicine: its dose is checked per kg.",
	Fields: map[string]string{"weight_kg": "Record the child's weight first."}}

// CheckPaediatricDose fires when a child's daily dose of m (from dose and
// frequency) is above m's maximum per kg at the latest weight. A child
// with no weight is refused (ErrNoWeight); a dose or frequency it cannot
// read fires an alert rather than passing unchecked.
func CheckPaediatricDose(m *Medicine, dose, frequency string, p PaediatricPatient) (*SafetyAlert, error) {
	if m.PaedMaxMgKgDay <= 0 || !p.Child() {
		return nil, nil
	}
	if p.WeightKg <= 0 {
		return nil, ErrNoWeight
	}
	perDose, ok := DoseMg(m, dose)
	times, ok2 := TimesPerDay(frequency)
	if !ok || !ok2 {
		return &SafetyAlert{Kind: AlertPaediatricDose, Severity: "moderate",
			Message: fmt.Sprintf("The dose of %s could not be checked against the child's weight: give the dose in mg or %s and the frequency as e.g. \"tds\" or \"8 hourly\".", m.Name, unitOr(m.DoseUnit))}, nil
	}
	daily := perDose * times
	maxDaily := m.PaedMaxMgKgDay * p.WeightKg
	if daily <= maxDaily*1.0001 {
		return nil, nil
	}
	return &SafetyAlert{Kind: AlertPaediatricDose, Severity: "severe",
		Message: fmt.Sprintf("%s %s %s is %s mg a day, above the maximum of %s mg/kg/day (%s mg a day at %s kg, weighed %s).",
			m.Name, dose, frequency, trimNum(daily), trimNum(m.PaedMaxMgKgDay), trimNum(maxDaily), trimNum(p.WeightKg), p.WeighedOn)}, nil
}

func unitOr(u string) string {
	if u == "" {
		return "units"
	}
	return u
}

func trimNum(f float64) string {
	return strconv.FormatFloat(math.Round(f*10)/10, 'f', -1, 64)
}

var doseText = regexp.MustCompile(`^\s*(\d+(?:[.,]\d+)?|\d+\s*/\s*\d+)\s*([a-zµ]*)\.?\s*$`)

// DoseMg reads one dose ("5 ml", "2 tablets", "500 mg", "1/2 tab", "1")
// as mg of m's first ingredient.
func DoseMg(m *Medicine, dose string) (float64, bool) {
	g := doseText.FindStringSubmatch(strings.ToLower(dose))
	if g == nil {
		return 0, false
	}
	var n float64
	if a, b, frac := strings.Cut(g[1], "/"); frac {
		x, err1 := strconv.ParseFloat(strings.TrimSpace(a), 64)
		y, err2 := strconv.ParseFloat(strings.TrimSpace(b), 64)
		if err1 != nil || err2 != nil || y == 0 {
			return 0, false
		}
		n = x / y
	} else {
		x, err := strconv.ParseFloat(strings.ReplaceAll(g[1], ",", "."), 64)
		if err != nil {
			return 0, false
		}
		n = x
	}
	switch unit := singularUnit(g[2]); unit {
	case "mg":
		return n, true
	case "g":
		return n * 1000, true
	case "mcg":
		return n / 1000, true
	case "", m.DoseUnit:
		if m.UnitMg <= 0 {
			return 0, false
		}
		return n * m.UnitMg, true
	default:
		return 0, false
	}
}

func singularUnit(u string) string {
	switch u {
	case "tab", "tabs", "tablets":
		return "tablet"
	case "cap", "caps", "capsules":
		return "capsule"
	case "mls", "millilitre", "millilitres", "milliliter", "milliliters":
		return "ml"
	case "µg", "ug", "microgram", "micrograms":
		return "mcg"
	case "milligram", "milligrams":
		return "mg"
	case "gram", "grams":
		return "g"
	case "puffs":
		return "puff"
	case "doses":
		return "dose"
	case "sachets":
		return "sachet"
	case "suppositories", "supp", "supps":
		return "suppository"
	case "drops":
		return "drop"
	}
	return u
}

var (
	everyHours = regexp.MustCompile(`(?:\bq\s*(\d+)\s*h\b|\bevery\s+(\d+)\s*(?:hours?|hrs?)\b|\b(\d+)\s*-?\s*hourly\b)`)
	timesDaily = regexp.MustCompile(`\b(\d+|once|twice|three|four|five|six)\s*(?:x|times)?\s*(?:a|per|/)?\s*(?:day|daily|d)\b`)
)

// TimesPerDay reads a frequency ("tds", "8 hourly", "twice daily", "q6h",
// "nocte", "6 hourly prn") as doses a day. "prn" alone says nothing of how
// often, so it is not read.
func TimesPerDay(freq string) (float64, bool) {
	f := strings.ToLower(strings.TrimSpace(freq))
	if g := everyHours.FindStringSubmatch(f); g != nil {
		for _, s := range g[1:] {
			if h, err := strconv.Atoi(s); err == nil && h > 0 && h <= 24 {
				return 24 / float64(h), true
			}
		}
	}
	if g := timesDaily.FindStringSubmatch(f); g != nil {
		n := map[string]float64{"once": 1, "twice": 2, "three": 3, "four": 4, "five": 5, "six": 6}[g[1]]
		if n == 0 {
			if x, err := strconv.Atoi(g[1]); err == nil && x > 0 && x <= 24 {
				n = float64(x)
			}
		}
		if n > 0 {
			return n, true
		}
	}
	for _, w := range strings.FieldsFunc(f, func(r rune) bool { return r == ' ' || r == ',' || r == '.' }) {
		switch w {
		case "od", "daily", "mane", "nocte", "stat", "qd":
			return 1, true
		case "bd", "bid":
			return 2, true
		case "tds", "tid":
			return 3, true
		case "qid", "qds":
			return 4, true
		case "weekly":
			return 1.0 / 7, true
		}
	}
	if strings.Contains(f, "at night") || strings.Contains(f, "in the morning") {
		return 1, true
	}
	return 0, false
}
