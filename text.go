package medic

import (
	"strings"
	"unicode/utf8"
)

// StorableText reports whether s can be stored as PostgreSQL text: valid
// UTF-8 without NUL bytes. Surfaces check input with it so such text is a
// clear 4xx, never a database error.
func StorableText(s string) bool { return utf8.ValidString(s) && !strings.ContainsRune(s, 0) }

// ErrUnstorableText is the answer to input that is not valid text.
var ErrUnstorableText = &Error{Code: EINVALID, Message: "The request contains characters that are not valid text (such as a NUL byte)."}
