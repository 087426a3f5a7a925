package fhir

import (
	"strings"

	"medic"
)

// Location is a site of the practice.
type Location struct {
	ResourceType         string              `json:"resourceType"`
	ID                   string              `json:"id,omitempty"`
	Meta                 *Meta               `json:"meta,omitempty"`
	Status               string              `json:"status,omitempty"`
	Name                 string              `json:"name,omitempty"`
	Mode                 string              `json:"mode,omitempty"`
	Telecom              []ContactPoint      `json:"telecom,omitempty"`
	Address              *Address            `json:"address,omitempty"`
	Position             *LocationPosition   `json:"position,omitempty"`
	ManagingOrganization *Reference          `json:"managingOrganization,omitempty"`
	HoursOfOperation     []LocationOpenHours `json:"hoursOfOperation,omitempty"`
}

// LocationPosition is a GPS position.
type LocationPosition struct {
	Longitude float64 `json:"longitude"`
	Latitude  float64 `json:"latitude"`
}

// LocationOpenHours is opening time on some weekdays.
type LocationOpenHours struct {
	DaysOfWeek  []string `json:"daysOfWeek,omitempty"`
	OpeningTime string   `json:"openingTime,omitempty"`
	ClosingTime string   `json:"closingTime,omitempty"`
}

// FromLocation maps a location of practice practiceID.
func FromLocation(l *medic.Location, practiceID string) *Location {
	r := &Location{ResourceType: "Location", ID: l.ID, Meta: metaOf(l.UpdatedAt), Status: "active", Name: l.Name, Mode: "instance",
		ManagingOrganization: Ref("Organization", practiceID, "")}
	if !l.Active {
		r.Status = "inactive"
	}
	if l.Phone != "" {
		r.Telecom = append(r.Telecom, ContactPoint{System: "phone", Value: l.Phone, Use: "work"})
	}
	if l.Email != "" {
		r.Telecom = append(r.Telecom, ContactPoint{System: "email", Value: l.Email, Use: "work"})
	}
	if l.Address != "" {
		r.Address = &Address{Use: "work", Text: l.Address, Line: nonEmptyLines(l.Address)}
	}
	if l.Latitude != nil && l.Longitude != nil {
		r.Position = &LocationPosition{Latitude: *l.Latitude, Longitude: *l.Longitude}
	}
	for _, d := range medic.Weekdays {
		open, close, ok := strings.Cut(l.Hours[d], "-")
		if !ok {
			continue
		}
		r.HoursOfOperation = append(r.HoursOfOperation, LocationOpenHours{DaysOfWeek: []string{d}, OpeningTime: open + ":00", ClosingTime: close + ":00"})
	}
	return r
}
