package server_test

import (
	"reflect"
	"testing"

	"medic/internal/server/servertest"
)

// TestNewWiresEveryService: app.New leaves no service of the use cases
// unset (a use case on a nil service panics on its first request, in
// whichever of serve, the commands or the tests wired it by hand before).
func TestNewWiresEveryService(t *testing.T) {
	t.Parallel()
	env := servertest.New(t)
	v := reflect.ValueOf(env.App).Elem()
	checked := 0
	for i := range v.NumField() {
		f, field := v.Field(i), v.Type().Field(i)
		if !field.IsExported() || f.Kind() != reflect.Interface {
			continue
		}
		checked++
		if f.IsNil() {
			t.Errorf("app.App.%s is not wired", field.Name)
		}
	}
	if checked < 30 {
		t.Fatalf("only %d services checked: the check is broken", checked)
	}
}
