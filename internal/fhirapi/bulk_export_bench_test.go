package fhirapi_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"medic"
	"medic/internal/demo"
	"medic/internal/fhirapi"
	"medic/internal/server/servertest"
)

// BenchmarkBulkExportDemo times the export job (RunBulkExport, as the
// queue runs it) of the demo practice's every chart, as its admin: the
// job's cost per chart read and encoded.
func BenchmarkBulkExportDemo(b *testing.B) {
	env := servertest.New(b)
	if err := demo.Load(context.Background(), env.DB.DB, demo.DefaultPassword, env.Clock); err != nil {
		b.Fatal(err)
	}
	tok := env.Login(b, "admin@sunrise.example", demo.DefaultPassword).Do("POST", "/api/v1/auth/tokens", map[string]any{"name": "bench", "practice": "sunrise"})
	if tok.Status != http.StatusCreated {
		b.Fatalf("token: %s", tok)
	}
	c := env.TokenClient(b, tok.Str("token"))
	practice := env.App
	var practiceID string
	if p, err := practice.Practices.FindPracticeByRef(context.Background(), "sunrise"); err != nil {
		b.Fatal(err)
	} else {
		practiceID = p.ID
	}
	encode := fhirapi.ExportEncoder(env.App)
	charts := 0
	for b.Loop() {
		b.StopTimer()
		r := c.DoHeader("GET", "/fhir/R4/$export", nil, map[string]string{"Prefer": "respond-async"})
		if r.Status != http.StatusAccepted {
			b.Fatalf("kick-off: %s", r)
		}
		status := strings.TrimPrefix(r.Header.Get("Content-Location"), c.Base)
		job := medic.BulkExportJob{PracticeID: practiceID, ExportID: strings.TrimPrefix(status, "/fhir/R4/bulkstatus/")}
		b.StartTimer()
		if err := env.App.RunBulkExport(context.Background(), job, true, encode); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if m := c.Do("GET", status, nil); m.Status != http.StatusOK {
			b.Fatalf("status: %s", m)
		} else if charts == 0 {
			for _, o := range m.JSON["output"].([]any) {
				if o.(map[string]any)["type"] == "Patient" {
					charts += int(o.(map[string]any)["count"].(float64))
				}
			}
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(charts), "charts")
	b.ReportMetric(b.Elapsed().Seconds()*1000/float64(b.N)/float64(max(charts, 1)), "ms/chart")
}
