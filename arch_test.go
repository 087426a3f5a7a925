package medic_test

import (
	"encoding/json"
	"io"
	"os/exec"
	"strings"
	"testing"
)

// TestImportRules keeps the layering of ARCHITECTURE.md: the domain imports
// only the standard library; use cases import no HTTP or driver; the HTML,
// JSON and FHIR surfaces never reach the store directly.
func TestImportRules(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-json", "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	type pkg struct {
		ImportPath string
		Imports    []string
		Deps       []string // everything imported, directly or not
		Standard   bool
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	var pkgs []pkg
	for {
		var p pkg
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) < 5 {
		t.Fatalf("go list found only %d packages", len(pkgs))
	}
	isStd := func(path string) bool {
		return !strings.Contains(strings.Split(path, "/")[0], ".") && !strings.HasPrefix(path, "medic")
	}
	forbid := map[string][]string{
		"medic/internal/app": {"net/http", "medic/internal/postgres", "github.com/jackc/", "github.com/riverqueue/"},
		// The desk maps its own errors (medic.HTTPStatus) and never reaches
		// into the JSON API's handlers.
		"medic/internal/web":     {"medic/internal/postgres", "github.com/jackc/", "medic/internal/api"},
		"medic/internal/api":     {"medic/internal/postgres", "github.com/jackc/"},
		"medic/internal/fhir":    {"medic/internal/postgres", "github.com/jackc/", "medic/internal/app", "net/http"},
		"medic/internal/fhirapi": {"medic/internal/postgres", "github.com/jackc/"},
		// Documents are laid out from plain values: no store, no use case,
		// no HTTP.
		"medic/internal/pdf": {"medic/internal/", "net/http", "github.com/jackc/"},
	}
	checked := 0
	for _, p := range pkgs {
		if p.ImportPath == "medic" || forbid[p.ImportPath] != nil {
			checked++
		}
		for _, imp := range p.Deps {
			if p.ImportPath == "medic" && !isStd(imp) {
				t.Errorf("the domain package depends on %s; it may use only the standard library", imp)
			}
			for _, bad := range forbid[p.ImportPath] {
				if imp == bad || strings.HasPrefix(imp, bad) {
					t.Errorf("%s depends on %s, which its layer must not", p.ImportPath, imp)
				}
			}
		}
	}
	if checked < 4 {
		t.Fatalf("only %d of the ruled packages were found; did a package move?", checked)
	}
}
