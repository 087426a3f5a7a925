package switchsim

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"time"

	"medic"
	"medic/internal/claimswitch"
)

// Handler serves the switch over the JSON wire format. A non-empty apiKey
// is required as "Authorization: Bearer <key>".
func (s *Switch) Handler(apiKey string) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/claims", s.postClaim)
	mux.HandleFunc("GET /v1/claims/{ref}", func(w http.ResponseWriter, r *http.Request) {
		reply, err := s.Status(r.Context(), r.PathValue("ref"))
		if err != nil {
			writeError(w, err)
			return
		}
		writeJSON(w, http.StatusOK, claimswitch.ReplyToWire(reply))
	})
	mux.HandleFunc("GET /v1/claims/{ref}/remittance", func(w http.ResponseWriter, r *http.Request) {
		rem, err := s.Remittance(r.Context(), r.PathValue("ref"))
		if err != nil {
			writeError(w, err)
			return
		}
		writeJSON(w, http.StatusOK, claimswitch.RemittanceToWire(rem))
	})
	mux.HandleFunc("POST /v1/membership", func(w http.ResponseWriter, r *http.Request) {
		var q claimswitch.WireMembership
		if !readJSON(w, r, &q) {
			return
		}
		m, err := s.CheckMembership(r.Context(), claimswitch.MembershipFromWire(q))
		if err != nil {
			writeError(w, err)
			return
		}
		writeJSON(w, http.StatusOK, claimswitch.WireMembershipReply{Active: m.Active, Reason: m.Reason})
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if apiKey != "" && subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), []byte("Bearer "+apiKey)) != 1 {
			wireError(w, http.StatusUnauthorized, claimswitch.WireUnauthorized, "A valid API key is required.")
			return
		}
		mux.ServeHTTP(w, r)
	})
}

func (s *Switch) postClaim(w http.ResponseWriter, r *http.Request) {
	key := r.Header.Get(claimswitch.IdempotencyKeyHeader)
	if key == "" {
		wireError(w, http.StatusBadRequest, claimswitch.WireMissingKey, "The Idempotency-Key header is required.")
		return
	}
	var c claimswitch.WireClaim
	if !readJSON(w, r, &c) {
		return
	}
	reply, err := s.Submit(r.Context(), claimswitch.ClaimFromWire(key, c))
	if err != nil {
		writeError(w, err)
		return
	}
	if s.takeDrop() {
		// The claim is recorded; the caller never hears so.
		panic(http.ErrAbortHandler)
	}
	writeJSON(w, http.StatusOK, claimswitch.ReplyToWire(reply))
}

// Server is the simulator on an httptest server, for tests.
type Server struct {
	*Switch
	URL    string
	APIKey string
}

// TB is the part of testing.TB that Start needs (so the binary, which
// serves the simulator for the demo, does not link the testing package).
type TB interface {
	Helper()
	Cleanup(func())
}

// Start serves a new switch (on the given clock) until the test ends.
func Start(t TB, now func() time.Time) *Server {
	t.Helper()
	sw := New(now)
	const key = "sim-test-key"
	ts := httptest.NewServer(sw.Handler(key))
	t.Cleanup(ts.Close)
	return &Server{Switch: sw, URL: ts.URL, APIKey: key}
}

func readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(io.LimitReader(r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		wireError(w, http.StatusBadRequest, claimswitch.WireBadRequest, "The body is not valid JSON of this endpoint.")
		return false
	}
	return true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, err error) {
	switch {
	case errors.Is(err, medic.ErrNoRemittance):
		wireError(w, http.StatusNotFound, claimswitch.WireNoRemittance, "The scheme has not paid this claim yet.")
	case medic.ErrorCode(err) == medic.ENOTFOUND:
		wireError(w, http.StatusNotFound, claimswitch.WireNotFound, "No such claim.")
	case medic.ErrorCode(err) == medic.ECONFLICT:
		wireError(w, http.StatusConflict, claimswitch.WireKeyReused, "This idempotency key was used for a different claim.")
	case medic.ErrorCode(err) == medic.EINVALID:
		wireError(w, http.StatusBadRequest, claimswitch.WireBadRequest, medic.ErrorMessage(err))
	default:
		wireError(w, http.StatusInternalServerError, claimswitch.WireSwitchError, "The switch failed.")
	}
}

func wireError(w http.ResponseWriter, status int, code, msg string) {
	var e claimswitch.WireError
	e.Error.Code, e.Error.Message = code, msg
	writeJSON(w, status, e)
}
