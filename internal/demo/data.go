package demo

import "medic"

// practiceSpec is a demo practice and its locations.
type practiceSpec struct {
	Slug, Name, Email, Phone, Address, RegistrationNumber string
	Branding                                              medic.Branding
	Locations                                             []medic.Location
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
