package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"medic"
)

// TestUnavailable: errors that mean the database cannot be reached are an
// outage (503); a failing statement is still a bug (500) or the user's
// input (422).
func TestUnavailable(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		code string
	}{
		{"connection refused", &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}, medic.EUNAVAILABLE},
		{"connection reset", fmt.Errorf("read: %w", syscall.ECONNRESET), medic.EUNAVAILABLE},
		{"broken connection", fmt.Errorf("receive message: %w", io.ErrUnexpectedEOF), medic.EUNAVAILABLE},
		{"admin shutdown", &pgconn.PgError{Code: "57P01"}, medic.EUNAVAILABLE},
		{"starting up", &pgconn.PgError{Code: "57P03"}, medic.EUNAVAILABLE},
		{"connection failure", &pgconn.PgError{Code: "08006"}, medic.EUNAVAILABLE},
		{"too many connections", &pgconn.PgError{Code: "53300"}, medic.EUNAVAILABLE},
		{"pool closed by this process", errors.New("closed pool"), medic.EINTERNAL},
		{"timeout", fmt.Errorf("begin: %w", context.DeadlineExceeded), medic.EUNAVAILABLE},
		{"syntax error", &pgconn.PgError{Code: "42601"}, medic.EINTERNAL},
		{"undefined column", &pgconn.PgError{Code: "42703"}, medic.EINTERNAL},
		{"unique violation", &pgconn.PgError{Code: "23505"}, medic.EINTERNAL},
		{"a plain bug", errors.New("scan: wrong type"), medic.EINTERNAL},
		{"request cancelled", fmt.Errorf("query: %w", context.Canceled), medic.EINTERNAL},
		{"text too long", &pgconn.PgError{Code: "22001"}, medic.EINVALID},
	} {
		got := dataError(tc.err)
		if code := medic.ErrorCode(got); code != tc.code {
			t.Errorf("%s: code %s, want %s", tc.name, code, tc.code)
		}
		if !errors.Is(got, tc.err) {
			t.Errorf("%s: the cause is lost: %v", tc.name, got)
		}
		if outage := errors.Is(got, medic.ErrStoreUnavailable); outage != (tc.code == medic.EUNAVAILABLE) {
			t.Errorf("%s: outage %v", tc.name, outage)
		}
	}
}
