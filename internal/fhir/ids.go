package fhir

// Composite ids: clinical entries are read through their chart's or
// encounter's use case, so their FHIR ids carry that owner too: a kind
// byte and two UUIDs, base32 (53 characters; FHIR allows 64).

// Kinds of composite ids.
const (
	KindAllergy          byte = 'a'
	KindNoKnownAllergies byte = 'n'
	KindProblem          byte = 'p'
	KindDiagnosis        byte = 'd'
	KindObservation      byte = 'o' // encounter, vitals set, then the measurement
	KindResult           byte = 'l' // order, then its result (a lab or imaging result Observation)
)

// CompositeID joins a kind, an owner id and an entry id (with an extra
// byte for observations: which measurement).
func CompositeID(kind byte, owner, entry string, extra ...byte) string {
	b := append([]byte{kind}, appendUUID(appendUUID(nil, owner), entry)...)
	return slotIDs.EncodeToString(append(b, extra...))
}

// ParseCompositeID reads a CompositeID of kind; ok is false for anything else.
func ParseCompositeID(id string, kind byte) (owner, entry string, extra byte, ok bool) {
	b, err := slotIDs.DecodeString(id)
	if err != nil || len(b) < 33 || len(b) > 34 || b[0] != kind {
		return "", "", 0, false
	}
	if len(b) == 34 {
		extra = b[33]
	}
	return formatUUID(b[1:17]), formatUUID(b[17:33]), extra, true
}
