package postgres

import (
	"encoding/base64"
	"encoding/json"

	"medic"
)

// Cursors are opaque to clients: the sort key of the last row, base64 JSON.
func encodeCursor(key ...any) string {
	b, _ := json.Marshal(key)
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeCursor fills dst (pointers) from a cursor; EINVALID if it is not one of ours.
func decodeCursor(c string, dst ...any) error {
	b, err := base64.RawURLEncoding.DecodeString(c)
	var raw []json.RawMessage
	if err == nil {
		err = json.Unmarshal(b, &raw)
	}
	if err == nil && len(raw) != len(dst) {
		err = errBadCursor
	}
	for i := 0; err == nil && i < len(dst); i++ {
		err = json.Unmarshal(raw[i], dst[i])
	}
	if err != nil {
		return errBadCursor
	}
	return nil
}

var errBadCursor = &medic.Error{Code: medic.EINVALID, Message: "The cursor is not valid.", Fields: map[string]string{"cursor": "Not a cursor from this list."}}

// anyUUID is the condition that col is one of ids; ids that are no UUID
// match nothing (and none at all, nothing).
func anyUUID(col string, ids []string, args *queryArgs) string {
	valid := make([]string, 0, len(ids))
	for _, id := range ids {
		if isUUID(id) {
			valid = append(valid, id)
		}
	}
	return col + " = ANY(" + args.add(valid) + "::uuid[])"
}
