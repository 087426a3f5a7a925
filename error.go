package medic

import (
	"errors"
	"fmt"
)

// Error codes, mapped to a status in one function per surface.
const (
	ECONFLICT     = "conflict"
	EINTERNAL     = "internal"
	EINVALID      = "invalid"
	ENOTFOUND     = "not_found"
	EFORBIDDEN    = "forbidden"
	EUNAUTHORIZED = "unauthorized"
	ETOOMANY      = "too_many_requests"
	EUNAVAILABLE  = "unavailable"
	ETOOLARGE     = "too_large"
)

// Error is an error whose Message is safe to show a user. Internal causes are
// wrapped in other errors and logged, never shown.
type Error struct {
	Code    string
	Message string
	// Fields holds per-field messages for EINVALID (field name -> message).
	Fields map[string]string
}

func (e *Error) Error() string {
	return fmt.Sprintf("medic error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with a formatted, user-safe message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrNotFound is the one not-found answer for a record that does not exist or
// belongs to another practice; both must look identical.
var ErrNotFound = &Error{Code: ENOTFOUND, Message: "Not found."}

// ErrStoreUnavailable wraps an error that means the database cannot be
// reached or is going away (refused or broken connections, a shutdown, no
// connection to be had): an outage, answered 503 with Retry-After and
// logged with its cause, never mistaken for bad credentials or a missing
// record. Anything else the store returns unexpectedly stays an internal
// error (a bug).
var ErrStoreUnavailable = &Error{Code: EUNAVAILABLE, Message: "Medic cannot reach its database at the moment. Please try again in a little while."}

// OutageRetrySeconds is the Retry-After of an outage answer: about what a
// database restart or fail-over takes.
const OutageRetrySeconds = 10

// ErrorCode returns the code of the first *Error in the chain, else EINTERNAL.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the safe message of the first *Error, else a generic one.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}

// ErrorFields returns per-field messages, if any.
func ErrorFields(err error) map[string]string {
	var e *Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}

// FieldErrors collects per-field validation messages.
type FieldErrors map[string]string

// Add records msg for field unless the field already has one.
func (f FieldErrors) Add(field, msg string) {
	if _, ok := f[field]; !ok {
		f[field] = msg
	}
}

// Err returns an EINVALID *Error when any field failed, else nil.
func (f FieldErrors) Err() error {
	if len(f) == 0 {
		return nil
	}
	return &Error{Code: EINVALID, Message: "Some fields are not valid.", Fields: f}
}
