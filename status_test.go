package medic_test

import (
	"net/http"
	"testing"

	"medic"
)

func TestHTTPStatus(t *testing.T) {
	for code, want := range map[string]int{
		medic.EINVALID: http.StatusUnprocessableEntity, medic.ENOTFOUND: http.StatusNotFound, medic.ECONFLICT: http.StatusConflict,
		medic.EFORBIDDEN: http.StatusForbidden, medic.EUNAUTHORIZED: http.StatusUnauthorized, medic.ETOOMANY: http.StatusTooManyRequests,
		medic.EUNAVAILABLE: http.StatusServiceUnavailable, medic.ETOOLARGE: http.StatusRequestEntityTooLarge, medic.EINTERNAL: http.StatusInternalServerError,
	} {
		if got := medic.HTTPStatus(code); got != want {
			t.Errorf("%s: %d, want %d", code, got, want)
		}
	}
}
