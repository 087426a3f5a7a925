package demo

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"strings"
	"time"

	"medic"
)

// nameGroup is a set of names people of one South African community often
// carry, with the language they most often prefer at the doctor.
type nameGroup struct {
	Female, Male, Family []string
	Languages            []string
}

var (
	nguni = nameGroup{
		Female:    []string{"Thandiwe", "Nomvula", "Sibongile", "Zanele", "Nokuthula", "Lindiwe", "Ayanda", "Nompumelelo", "Thandeka", "Zodwa", "Buhle", "Nonhlanhla", "Khanyisile", "Zinhle", "Hlengiwe", "Nandi", "Sindisiwe", "Noluthando"},
		Male:      []string{"Sipho", "Themba", "Bongani", "Mandla", "Sibusiso", "Thulani", "Sandile", "Mthunzi", "Lwazi", "Njabulo", "Siyabonga", "Musa", "Nkosinathi", "Vusi", "Jabulani", "Lungelo", "Andile", "Bheki"},
		Family:    []string{"Nkosi", "Dlamini", "Ndlovu", "Mkhize", "Zulu", "Khumalo", "Mthembu", "Ngcobo", "Buthelezi", "Shabalala", "Zungu", "Cele", "Mahlangu", "Sithole", "Msimang", "Ntuli", "Hadebe", "Mazibuko"},
		Languages: []string{"isiZulu", "isiZulu", "English", "siSwati", "isiNdebele"},
	}
	xhosa = nameGroup{
		Female:    []string{"Nosipho", "Asanda", "Siphokazi", "Nomsa", "Lulama", "Ntombizodwa", "Unathi", "Yonela", "Nwabisa", "Thembeka", "Akhona", "Zintle", "Lindokuhle", "Noxolo"},
		Male:      []string{"Lwandile", "Siyabulela", "Luvuyo", "Xolani", "Anathi", "Lukhanyo", "Mzwandile", "Lubabalo", "Sizwe", "Ayabonga", "Thando", "Loyiso", "Zukisa", "Mncedisi"},
		Family:    []string{"Mlungwana", "Ntshona", "Mthethwa", "Ngxola", "Mabandla", "Qwabe", "Gqola", "Nqoko", "Mgijima", "Jonas", "Mdingi", "Tshabalala", "Mpofu", "Bokwe"},
		Languages: []string{"isiXhosa", "isiXhosa", "English"},
	}
	sotho = nameGroup{
		Female:    []string{"Palesa", "Lerato", "Dineo", "Refilwe", "Boitumelo", "Mpho", "Kgomotso", "Nthabiseng", "Keabetswe", "Tshepiso", "Masego", "Dikeledi", "Lebohang", "Puleng"},
		Male:      []string{"Tshepo", "Kagiso", "Thabo", "Lebogang", "Tumelo", "Katlego", "Neo", "Karabo", "Teboho", "Mothusi", "Kabelo", "Lesego", "Tebogo", "Pule"},
		Family:    []string{"Mokoena", "Molefe", "Mofokeng", "Modise", "Mohapi", "Letsoalo", "Maseko", "Sebola", "Motaung", "Masilo", "Phiri", "Tau", "Moloi", "Mokgosi", "Kekana"},
		Languages: []string{"Sesotho", "Setswana", "Sepedi", "English"},
	}
	tsongaVenda = nameGroup{
		Female:    []string{"Hlulani", "Tsakani", "Ntsakisi", "Rhulani", "Mulalo", "Rudzani", "Khathutshelo", "Tshilidzi"},
		Male:      []string{"Hlayisani", "Nyiko", "Tiyani", "Vutomi", "Ndivhuwo", "Livhuwani", "Fulufhelo", "Mashudu"},
		Family:    []string{"Baloyi", "Maluleke", "Chauke", "Mathebula", "Shirinda", "Netshitenzhe", "Mudau", "Ramabulana", "Nemakonde", "Sigwavhulimu"},
		Languages: []string{"Xitsonga", "Tshivenda", "English"},
	}
	afrikaans = nameGroup{
		Female:    []string{"Anri", "Elmarie", "Marelize", "Liezl", "Annelie", "Riana", "Karlien", "Mariska", "Hanlie", "Carike", "Elsabe", "Zelda"},
		Male:      []string{"Pieter", "Johan", "Hendrik", "Riaan", "Werner", "Francois", "Gerhard", "Jaco", "Wynand", "Stefan", "Danie", "Ruan"},
		Family:    []string{"van der Merwe", "Botha", "Pretorius", "du Plessis", "Venter", "Nel", "Steyn", "Coetzee", "Viljoen", "le Roux", "Fourie", "van Wyk", "Kruger", "Swanepoel", "Joubert"},
		Languages: []string{"Afrikaans", "Afrikaans", "English"},
	}
	english = nameGroup{
		Female:    []string{"Sarah", "Emma", "Jessica", "Claire", "Rebecca", "Megan", "Lauren", "Catherine", "Nicola", "Hannah", "Alison", "Kate"},
		Male:      []string{"James", "Michael", "David", "Andrew", "Matthew", "Gareth", "Richard", "Simon", "Craig", "Brendan", "Luke", "Grant"},
		Family:    []string{"Smith", "Taylor", "Williams", "Brown", "Harris", "Cooper", "Thompson", "Murray", "Stewart", "Campbell", "Reid", "Bennett", "Collins"},
		Languages: []string{"English"},
	}
	indian = nameGroup{
		Female:    []string{"Priya", "Kavitha", "Ayesha", "Shanthi", "Nirasha", "Fathima", "Reshma", "Anusha", "Sumaya", "Devi"},
		Male:      []string{"Rajesh", "Pravin", "Yusuf", "Kiran", "Nivesh", "Imraan", "Deveshan", "Suren", "Ahmed", "Vikash"},
		Family:    []string{"Naidoo", "Pillay", "Govender", "Moodley", "Reddy", "Chetty", "Patel", "Singh", "Maharaj", "Moosa", "Padayachee", "Essop"},
		Languages: []string{"English"},
	}
	capeCommunity = nameGroup{
		Female:    []string{"Chantelle", "Natasha", "Shireen", "Fatima", "Raeesa", "Candice", "Bronwyn", "Tasneem", "Jo-Anne", "Lee-Ann", "Nazeema", "Charmaine"},
		Male:      []string{"Ashwin", "Ebrahim", "Clive", "Faiek", "Jerome", "Reagan", "Ridwaan", "Shaun", "Achmat", "Brandon", "Gavin", "Waleed"},
		Family:    []string{"Adams", "Hendricks", "Jacobs", "Abrahams", "Petersen", "Isaacs", "Davids", "Williams", "Fortuin", "Arendse", "Solomons", "Daniels", "Samuels", "Cloete", "Salie"},
		Languages: []string{"Afrikaans", "English", "English"},
	}
)

// weightedGroup is a name group and how often the practice's patients come from it.
type weightedGroup struct {
	Group  *nameGroup
	Weight int
}

// cityData is where a practice's patients live.
type cityData struct {
	City    string
	Suburbs []suburb
	Streets []string
	Groups  []weightedGroup
}

type suburb struct{ Name, Code string }

var johannesburg = cityData{
	City: "Johannesburg",
	Suburbs: []suburb{{"Rosebank", "2196"}, {"Parktown North", "2193"}, {"Melville", "2092"}, {"Orlando West, Soweto", "1804"},
		{"Diepkloof, Soweto", "1862"}, {"Randburg", "2194"}, {"Sandton", "2196"}, {"Auckland Park", "2092"}, {"Killarney", "2193"},
		{"Yeoville", "2198"}, {"Pimville, Soweto", "1809"}, {"Greenside", "2193"}},
	Streets: []string{"Jan Smuts Avenue", "Oxford Road", "Vilakazi Street", "Main Road", "Louis Botha Avenue", "Bolton Road",
		"Klipspruit Valley Road", "Rivonia Road", "Barry Hertzog Avenue", "Chris Hani Road", "Empire Road", "Tyrwhitt Avenue"},
	Groups: []weightedGroup{{&nguni, 30}, {&sotho, 25}, {&tsongaVenda, 8}, {&xhosa, 7}, {&afrikaans, 10}, {&english, 10}, {&indian, 7}, {&capeCommunity, 3}},
}

var capeTown = cityData{
	City: "Cape Town",
	Suburbs: []suburb{{"Sea Point", "8005"}, {"Green Point", "8005"}, {"Woodstock", "7925"}, {"Observatory", "7925"},
		{"Gugulethu", "7750"}, {"Khayelitsha", "7784"}, {"Rondebosch", "7700"}, {"Claremont", "7708"}, {"Mitchells Plain", "7785"},
		{"Bo-Kaap", "8001"}, {"Athlone", "7764"}, {"Langa", "7455"}},
	Streets: []string{"Main Road", "Regent Road", "Beach Road", "Kloof Street", "Wale Street", "Klipfontein Road",
		"Lansdowne Road", "NY1", "Voortrekker Road", "Albert Road", "Belvedere Road", "Strand Street"},
	Groups: []weightedGroup{{&xhosa, 32}, {&capeCommunity, 28}, {&afrikaans, 13}, {&english, 12}, {&nguni, 5}, {&sotho, 4}, {&indian, 6}},
}

var (
	mobilePrefixes = []string{"82", "83", "84", "72", "73", "76", "79", "71", "74", "81", "61", "66"}
	medicalSchemes = []string{"Discovery Health Medical Scheme", "Bonitas Medical Fund", "Momentum Health", "Medshield Medical Scheme",
		"Bestmed Medical Scheme", "GEMS", "Fedhealth Medical Scheme", "Medihelp", "Polmed", "Profmed"}
	relationships = []string{"Spouse", "Mother", "Father", "Sister", "Brother", "Partner", "Daughter", "Son", "Friend"}
	allergyList   = []string{"Penicillin", "Sulphonamides", "Aspirin", "Codeine", "Ibuprofen", "Latex", "Peanuts", "Bee stings", "Shellfish"}
	chronicList   = []string{"Hypertension", "Type 2 diabetes mellitus", "Asthma", "Hypercholesterolaemia", "Hypothyroidism", "HIV (on ART)",
		"Osteoarthritis", "Chronic obstructive pulmonary disease", "Major depressive disorder", "Epilepsy", "Gout"}
)

// patientsPerPractice is how many charts each demo practice holds.
const patientsPerPractice = 120

// seedOf turns text into a seed, so that what the demo generates from it
// is the same on every load.
func seedOf(parts ...string) uint64 {
	h := fnv.New64a()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return h.Sum64()
}

func newRand(parts ...string) *rand.Rand {
	return rand.New(rand.NewPCG(seedOf(parts...), 0x6d65646963)) // "medic"
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

func (c *cityData) group(r *rand.Rand) *nameGroup {
	total := 0
	for _, g := range c.Groups {
		total += g.Weight
	}
	n := r.IntN(total)
	for _, g := range c.Groups {
		if n < g.Weight {
			return g.Group
		}
		n -= g.Weight
	}
	return c.Groups[0].Group
}

// emailPart is a name as it appears in an email address: "van der Merwe"
// -> "vandermerwe", "Jo-Anne" -> "jo-anne".
func emailPart(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r == '-':
			return r
		case r >= 'A' && r <= 'Z':
			return r + 'a' - 'A'
		}
		return -1
	}, s)
}

// saIDNumber makes a valid South African ID number for a date of birth and
// sex: YYMMDD, a sequence (below 5000 for women), citizenship, 8, and the
// Luhn check digit.
func saIDNumber(r *rand.Rand, dob medic.Date, sex medic.Sex, citizen bool) string {
	seq := r.IntN(5000)
	if sex == medic.SexMale {
		seq += 5000
	}
	c := 0
	if !citizen {
		c = 1
	}
	first12 := fmt.Sprintf("%02d%02d%02d%04d%d8", dob.Year()%100, int(dob.Month()), dob.Day(), seq, c)
	return first12 + string(medic.SAIDCheckDigit(first12))
}

func phoneNumber(r *rand.Rand) string {
	return fmt.Sprintf("+27%s555%04d", pick(r, mobilePrefixes), r.IntN(10000))
}

// generatePatients makes the practice's demo charts: the same every time
// for the same slug, with unique emails and ID numbers. Birth dates are
// absolute (1938-2007), so a chart does not change with the day it is loaded.
func generatePatients(slug string, city *cityData, n int) []medic.Patient {
	r := newRand("patients", slug)
	emails, ids := map[string]bool{}, map[string]bool{}
	out := make([]medic.Patient, 0, n)
	for len(out) < n {
		g := city.group(r)
		sex := medic.SexFemale
		given := pick(r, g.Female)
		if r.IntN(100) < 47 {
			sex, given = medic.SexMale, pick(r, g.Male)
		}
		family := pick(r, g.Family)

		year := 1938 + r.IntN(70)
		month := time.Month(1 + r.IntN(12))
		day := 1 + r.IntN(time.Date(year, month+1, 0, 0, 0, 0, 0, time.UTC).Day())
		dob := medic.NewDate(year, month, day)
		id := saIDNumber(r, dob, sex, r.IntN(100) < 94)
		for ids[id] {
			id = saIDNumber(r, dob, sex, true)
		}
		ids[id] = true

		local := emailPart(given) + "." + emailPart(family)
		domain := "example.com"
		if r.IntN(100) < 25 {
			domain = "example.org"
		}
		email := local + "@" + domain
		for i := 2; emails[email]; i++ {
			email = fmt.Sprintf("%s%d@%s", local, i, domain)
		}
		emails[email] = true

		sub := pick(r, city.Suburbs)
		p := medic.Patient{
			GivenName:         given,
			FamilyName:        family,
			DateOfBirth:       dob,
			Sex:               sex,
			IDNumber:          id,
			Email:             email,
			Phone:             phoneNumber(r),
			Address:           fmt.Sprintf("%d %s, %s, %s, %s", 1+r.IntN(240), pick(r, city.Streets), sub.Name, city.City, sub.Code),
			PreferredLanguage: pick(r, g.Languages),
			Status:            medic.PatientActive,
			Allergies:         []string{},
			ChronicConditions: []string{},
			EmergencyContacts: []medic.EmergencyContact{},
		}
		if r.IntN(100) < 55 {
			p.MedicalAid = medic.MedicalAid{
				Scheme:        pick(r, medicalSchemes),
				MemberNumber:  fmt.Sprintf("%d%08d", 1+r.IntN(9), r.IntN(100000000)),
				DependentCode: fmt.Sprintf("%02d", r.IntN(3)),
			}
		}
		if r.IntN(100) < 60 {
			cg := city.group(r)
			name := pick(r, append(append([]string{}, cg.Female...), cg.Male...)) + " " + family
			p.EmergencyContacts = append(p.EmergencyContacts, medic.EmergencyContact{Name: name, Relationship: pick(r, relationships), Phone: phoneNumber(r)})
		}
		if r.IntN(100) < 15 {
			p.Allergies = append(p.Allergies, pick(r, allergyList))
		}
		// Older patients more often live with a chronic condition.
		age := 2026 - year
		if r.IntN(100) < 10+age*3/4 {
			first := pick(r, chronicList)
			p.ChronicConditions = append(p.ChronicConditions, first)
			if age > 50 && r.IntN(100) < 35 {
				if second := pick(r, chronicList); second != first {
					p.ChronicConditions = append(p.ChronicConditions, second)
				}
			}
		}
		out = append(out, p)
	}
	return out
}
