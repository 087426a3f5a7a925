package bench

import (
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestPercentiles(t *testing.T) {
	var d []time.Duration
	for i := 100; i >= 1; i-- {
		d = append(d, time.Duration(i)*time.Millisecond)
	}
	l := summarize(d)
	if l.p50 != 50*time.Millisecond || l.p95 != 95*time.Millisecond || l.p99 != 99*time.Millisecond || l.max != 100*time.Millisecond {
		t.Errorf("got %+v, want 50/95/99/100 ms", l)
	}
	if l := summarize([]time.Duration{7}); l.p50 != 7 || l.p99 != 7 {
		t.Errorf("one value: %+v", l)
	}
	if l := summarize(nil); l != (latencies{}) {
		t.Errorf("no values: %+v", l)
	}
	if got := percentile([]time.Duration{1, 2, 3}, 95); got != 3 {
		t.Errorf("p95 of 3 values = %v, want the largest", got)
	}
}

func TestSearchTerm(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	typos := 0
	for range 2000 {
		fam := []string{"Dlamini", "van der Merwe", "Ng", "Janse van Rensburg", "Mokoena"}[r.IntN(5)]
		q := searchTerm(r, fam)
		if len(q) < 2 || len(q) > 5 {
			t.Fatalf("%q from %q: want 3-5 letters (2 for a 2-letter name)", q, fam)
		}
		if q != strings.ToLower(q) || strings.Contains(q, " ") {
			t.Fatalf("%q from %q: want one lower-case word", q, fam)
		}
		if !strings.Contains(strings.ToLower(fam), q) {
			typos++
		}
	}
	if typos < 200 || typos > 600 {
		t.Errorf("%d of 2000 terms have a typo, want about a fifth", typos)
	}
}

func TestCPUShare(t *testing.T) {
	a := cpuSnapshot{busy: 100, total: 200, procs: map[int]int64{1: 10, 2: 5, 3: 50}}
	b := cpuSnapshot{busy: 100 + 150, total: 200 + 200, procs: map[int]int64{1: 60, 2: 35, 3: 60, 4: 20}}
	// 200 ticks over all cores; per core 200/NumCPU.
	c := share(a, b, map[int]bool{1: true, 4: true})
	perCore := 200 / float64(runtime.NumCPU())
	if want := 100 * 150 / perCore; c.Busy != want {
		t.Errorf("busy %.1f, want %.1f", c.Busy, want)
	}
	if want := 100 * 70 / perCore; c.Bench != want {
		t.Errorf("bench %.1f, want %.1f (process 1 and the new process 4)", c.Bench, want)
	}
	if c.Other != c.Busy-c.Bench {
		t.Errorf("other %.1f, want busy minus bench", c.Other)
	}
	if s, ok := takeCPUSnapshot(); ok && (s.total <= 0 || len(s.procs) == 0) {
		t.Errorf("snapshot %+v has no CPU time or processes", s.total)
	}
}
