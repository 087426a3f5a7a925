package bench

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Result is one scenario's outcome.
type Result struct {
	Scenario string
	Clients  int // concurrent clients
	// Ops counts the measured operations that succeeded (for booking: the
	// bookings made); Lost the bookings refused because the slot was taken
	// (a lost race, 409), Errors everything else that failed.
	Ops, Lost, Errors int
	Elapsed           time.Duration
	// Latency percentiles over every measured attempt (successful or not).
	P50, P95, P99, Max time.Duration
	Target             string
	Pass               bool
	// Note is extra detail: hit rates, slots per answer, the first error.
	Note string
	// CPU is how busy the machine was, and with what, while measuring
	// (zero where /proc is not available).
	CPU CPUShare
}

// Throughput is successful operations per second.
func (r Result) Throughput() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Ops) / r.Elapsed.Seconds()
}

// latencies summarises recorded durations.
type latencies struct{ p50, p95, p99, max time.Duration }

// summarize computes nearest-rank percentiles; it sorts d.
func summarize(d []time.Duration) latencies {
	if len(d) == 0 {
		return latencies{}
	}
	slices.Sort(d)
	return latencies{p50: percentile(d, 50), p95: percentile(d, 95), p99: percentile(d, 99), max: d[len(d)-1]}
}

// percentile is the nearest-rank p-th percentile of sorted d: the smallest
// value with at least p% of the values at or below it.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(p/100*float64(len(sorted))+0.999999999) - 1
	rank = max(0, min(rank, len(sorted)-1))
	return sorted[rank]
}

// ms formats a duration in milliseconds with two decimals.
func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond)) }

// statusSummary lists failed requests by HTTP status, lowest first ("none"
// when there were none; status 0 is a request that got no answer).
func statusSummary(byStatus map[int]int) string {
	var parts []string
	for _, s := range slices.Sorted(maps.Keys(byStatus)) {
		if byStatus[s] == 0 {
			continue
		}
		name := strconv.Itoa(s)
		if s == 0 {
			name = "no answer"
		}
		parts = append(parts, fmt.Sprintf("%s: %d", name, byStatus[s]))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}
