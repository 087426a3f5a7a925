package demo

import "medic"

// practiceSpec is a demo practice and its locations.
type practiceSpec struct {
	Slug, Name, Email, Phone, Address, RegistrationNumber string
	Branding                                              medic.Branding
	Locations                                             []medic.Location
	Practitioners                                         []practitionerSpec
	City                                                  *cityData
}

// practitionerSpec is a demo practitioner and the weekly schedule it works.
type practitionerSpec struct {
	Name, Specialty, RegistrationNumber, PracticeNumber, Qualifications string
	// Member is the account whose membership the practitioner is linked to ("" for none).
	Member string
	// Morning and Afternoon are, Monday to Friday, the index in Locations
	// of the location worked in that half of the day (-1: off).
	Morning, Afternoon [5]int
	// Primary is the index of the primary location.
	Primary int
}

// Working hours of the demo schedules: mornings until 13:00, afternoons
// from 14:00, trimmed to each location's opening hours; 15-minute slots,
// one patient each.
const (
	morningStart, morningEnd     = 8 * 60, 13 * 60
	afternoonStart, afternoonEnd = 14 * 60, 17 * 60
	demoSlotMinutes              = 15
	demoCapacity                 = 1
)

// typeSpec is a demo appointment type.
type typeSpec struct {
	Name           string
	Minutes        int
	Color          string
	OnlineBookable bool
	// Weight is how often the demo books it, Notes what the desk wrote.
	Weight int
	Notes  []string
}

var appointmentTypes = []typeSpec{
	{Name: "General consultation", Minutes: 15, Color: "#1a6fb0", OnlineBookable: true, Weight: 55,
		Notes: []string{"", "", "", "Sore throat and fever for three days", "Lower back pain", "Repeat prescription", "Headaches", "Skin rash", "Cough, two weeks", "Follow-up of blood results", "Ear ache", "Sick note needed"}},
	{Name: "Extended consultation", Minutes: 30, Color: "#7b4fb0", OnlineBookable: true, Weight: 18,
		Notes: []string{"", "", "Full medical for new job", "Several concerns, wants a longer visit", "Insurance medical", "Pre-travel consultation", "Family planning discussion"}},
	{Name: "Chronic care review", Minutes: 30, Color: "#2a9d8f", OnlineBookable: false, Weight: 15,
		Notes: []string{"", "Six-monthly review; bring medication list", "HbA1c and script renewal", "Blood pressure review", "Chronic script renewal"}},
	{Name: "Vaccination", Minutes: 15, Color: "#d9731a", OnlineBookable: true, Weight: 12,
		Notes: []string{"Influenza vaccine", "Tetanus booster", "Hepatitis B, second dose", "HPV vaccine", "Pneumococcal vaccine", "Travel vaccines (yellow fever certificate)"}},
}

// cancelReasons are why demo appointments were cancelled.
var cancelReasons = []string{
	"Patient phoned to cancel; feeling better.",
	"Clashes with work; will rebook.",
	"No transport on the day.",
	"Booked in error.",
	"Patient admitted to hospital elsewhere.",
	"Child is sick; patient will rebook.",
}

func coord(lat, lon float64) (*float64, *float64) { return &lat, &lon }

var (
	rosebankLat, rosebankLon     = coord(-26.1457, 28.0436)
	orlandoLat, orlandoLon       = coord(-26.2385, 27.9085)
	waterfrontLat, waterfrontLon = coord(-33.9036, 18.4207)
	seaPointLat, seaPointLon     = coord(-33.9180, 18.3855)
)

var practices = []practiceSpec{
	{
		Slug:               "sunrise",
		Name:               "Sunrise Family Practice",
		Email:              "info@sunrise.example",
		Phone:              "011 555 0100",
		Address:            "12 Tyrwhitt Avenue, Rosebank, Johannesburg, 2196",
		RegistrationNumber: "0451234",
		Branding: medic.Branding{
			PrimaryColor:   "#d9731a",
			AccentColor:    "#1a6fb0",
			LetterheadText: "Sunrise Family Practice\n12 Tyrwhitt Avenue, Rosebank, Johannesburg, 2196\nTel 011 555 0100 · info@sunrise.example · Practice no. 0451234",
		},
		Locations: []medic.Location{
			{
				Name:    "Rosebank Clinic",
				Address: "12 Tyrwhitt Avenue, Rosebank, Johannesburg, 2196",
				Phone:   "011 555 0100",
				Email:   "rosebank@sunrise.example",
				Hours: medic.WeekHours{"mon": "08:00-17:00", "tue": "08:00-17:00", "wed": "08:00-17:00",
					"thu": "08:00-17:00", "fri": "08:00-16:00", "sat": "08:00-12:00"},
				Latitude: rosebankLat, Longitude: rosebankLon,
			},
			{
				Name:    "Soweto Clinic",
				Address: "8115 Vilakazi Street, Orlando West, Soweto, 1804",
				Phone:   "011 555 0140",
				Email:   "soweto@sunrise.example",
				Hours: medic.WeekHours{"mon": "07:30-16:30", "tue": "07:30-16:30", "wed": "07:30-16:30",
					"thu": "07:30-16:30", "fri": "07:30-15:30"},
				Latitude: orlandoLat, Longitude: orlandoLon,
			},
		},
		Practitioners: []practitionerSpec{
			{Name: "Dr Thabo Mokoena", Specialty: "General practitioner", RegistrationNumber: "MP0512347", PracticeNumber: "0452211",
				Qualifications: "MBChB (Wits)", Member: "doctor@sunrise.example",
				Morning: [5]int{0, 0, 0, 0, 0}, Afternoon: [5]int{1, 1, 1, 1, 1}, Primary: 0},
			{Name: "Dr Ayesha Patel", Specialty: "Family physician", RegistrationNumber: "MP0634518", PracticeNumber: "0452238",
				Qualifications: "MBChB (UCT), MMed (Family Medicine) (Wits)", Member: "both@example.org",
				Morning: [5]int{1, 1, 1, 1, 1}, Afternoon: [5]int{0, 0, 0, 0, 0}, Primary: 1},
			{Name: "Dr Johan Pretorius", Specialty: "Paediatrician", RegistrationNumber: "MP0471925", PracticeNumber: "0452246",
				Qualifications: "MBChB (UP), FC Paed (SA)",
				Morning:        [5]int{0, 1, 0, 1, 0}, Afternoon: [5]int{0, 1, 0, 1, 0}, Primary: 0},
		},
		City: &johannesburg,
	},
	{
		Slug:               "harbour",
		Name:               "Harbour Medical Centre",
		Email:              "info@harbour.example",
		Phone:              "021 555 0100",
		Address:            "3 Dock Road, V&A Waterfront, Cape Town, 8001",
		RegistrationNumber: "0789012",
		Branding: medic.Branding{
			PrimaryColor:   "#0f5e7a",
			AccentColor:    "#2a9d8f",
			LetterheadText: "Harbour Medical Centre\n3 Dock Road, V&A Waterfront, Cape Town, 8001\nTel 021 555 0100 · info@harbour.example · Practice no. 0789012",
		},
		Locations: []medic.Location{
			{
				Name:    "Waterfront Rooms",
				Address: "3 Dock Road, V&A Waterfront, Cape Town, 8001",
				Phone:   "021 555 0100",
				Email:   "waterfront@harbour.example",
				Hours: medic.WeekHours{"mon": "08:00-18:00", "tue": "08:00-18:00", "wed": "08:00-18:00",
					"thu": "08:00-18:00", "fri": "08:00-17:00", "sat": "09:00-13:00"},
				Latitude: waterfrontLat, Longitude: waterfrontLon,
			},
			{
				Name:    "Sea Point Rooms",
				Address: "210 Main Road, Sea Point, Cape Town, 8005",
				Phone:   "021 555 0150",
				Email:   "seapoint@harbour.example",
				Hours: medic.WeekHours{"mon": "08:30-17:00", "tue": "08:30-17:00", "wed": "08:30-17:00",
					"thu": "08:30-17:00", "fri": "08:30-16:00"},
				Latitude: seaPointLat, Longitude: seaPointLon,
			},
		},
		Practitioners: []practitionerSpec{
			{Name: "Dr Sarah Jacobs", Specialty: "General practitioner", RegistrationNumber: "MP0587231", PracticeNumber: "0791304",
				Qualifications: "MBChB (Stellenbosch)", Member: "doctor@harbour.example",
				Morning: [5]int{0, 0, 0, 0, 0}, Afternoon: [5]int{1, 1, 1, 1, 1}, Primary: 0},
			{Name: "Dr Sipho Ndlovu", Specialty: "Family physician", RegistrationNumber: "MP0698124", PracticeNumber: "0791312",
				Qualifications: "MBChB (UKZN), MFamMed (UCT)",
				Morning:        [5]int{1, 1, 1, 1, 1}, Afternoon: [5]int{0, 0, 0, 0, 0}, Primary: 1},
			{Name: "Dr Nadia Abrahams", Specialty: "General practitioner (women's health)", RegistrationNumber: "MP0725560", PracticeNumber: "0791320",
				Qualifications: "MBChB (UCT), DipObst (SA)",
				Morning:        [5]int{0, 1, 0, 1, 0}, Afternoon: [5]int{0, 1, 0, 1, 0}, Primary: 0},
		},
		City: &capeTown,
	},
}

// accounts in the order the sign-in help lists them.
var accounts = []Account{
	{Email: "admin@sunrise.example", Name: "Lindiwe Dlamini", Roles: map[string]medic.Role{"sunrise": medic.RoleAdmin}},
	{Email: "doctor@sunrise.example", Name: "Dr Thabo Mokoena", Roles: map[string]medic.Role{"sunrise": medic.RoleDoctor}},
	{Email: "nurse@sunrise.example", Name: "Sr Naledi Khumalo", Roles: map[string]medic.Role{"sunrise": medic.RoleNurse}},
	{Email: "reception@sunrise.example", Name: "Zanele Mahlangu", Roles: map[string]medic.Role{"sunrise": medic.RoleReceptionist}},
	{Email: "billing@sunrise.example", Name: "Pieter van der Merwe", Roles: map[string]medic.Role{"sunrise": medic.RoleBilling}},
	{Email: "admin@harbour.example", Name: "Fatima Hendricks", Roles: map[string]medic.Role{"harbour": medic.RoleAdmin}},
	{Email: "doctor@harbour.example", Name: "Dr Sarah Jacobs", Roles: map[string]medic.Role{"harbour": medic.RoleDoctor}},
	{Email: "nurse@harbour.example", Name: "Sr Anele Mthembu", Roles: map[string]medic.Role{"harbour": medic.RoleNurse}},
	{Email: "reception@harbour.example", Name: "Chantelle Adams", Roles: map[string]medic.Role{"harbour": medic.RoleReceptionist}},
	{Email: "billing@harbour.example", Name: "Riaan Botha", Roles: map[string]medic.Role{"harbour": medic.RoleBilling}},
	{Email: "both@example.org", Name: "Dr Ayesha Patel", Roles: map[string]medic.Role{"sunrise": medic.RoleDoctor, "harbour": medic.RoleAdmin}},
	{Email: "operator@example.org", Name: "Platform Operator", Operator: true},
}
