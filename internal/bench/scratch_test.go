package bench

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"medic/internal/postgres"
)

func TestScratchGenerate(t *testing.T) {
	url := os.Getenv("SCRATCH_URL")
	if url == "" {
		t.Skip()
	}
	n, _ := strconv.Atoi(os.Getenv("SCRATCH_N"))
	per, _ := strconv.Atoi(os.Getenv("SCRATCH_PER"))
	w, _ := strconv.Atoi(os.Getenv("SCRATCH_W"))
	ctx := context.Background()
	if _, err := postgres.Migrate(ctx, url); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := Generate(ctx, url, GenConfig{Practices: n, PatientsPerPractice: 1000, AppointmentsPerPractitionerPerDay: per, Seed: 1, Workers: w}, os.Stderr); err != nil {
		t.Fatal(err)
	}
	t.Logf("took %s", time.Since(start))
}
