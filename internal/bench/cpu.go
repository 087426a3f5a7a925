package bench

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// cpuSnapshot is the CPU time (clock ticks) the machine and every process
// have used so far, from /proc (Linux). On a machine shared with other
// work, a scenario's figures mean little without knowing how much of the
// CPU the bench had: Run reports what other processes used meanwhile.
type cpuSnapshot struct {
	busy, total int64
	procs       map[int]int64
}

func takeCPUSnapshot() (cpuSnapshot, bool) {
	s := cpuSnapshot{procs: map[int]int64{}}
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return s, false
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 5 || f[0] != "cpu" {
		return s, false
	}
	for i, v := range f[1:] {
		n, _ := strconv.ParseInt(v, 10, 64)
		s.total += n
		if i != 3 && i != 4 { // idle, iowait
			s.busy += n
		}
	}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// Fields after the command (which may hold spaces) in parentheses.
		_, rest, ok := strings.Cut(string(b), ") ")
		if !ok {
			continue
		}
		f := strings.Fields(rest)
		if len(f) < 13 {
			continue
		}
		ut, _ := strconv.ParseInt(f[11], 10, 64)
		st, _ := strconv.ParseInt(f[12], 10, 64)
		s.procs[pid] = ut + st
	}
	return s, true
}

// CPUShare is how the machine's CPU was used while a scenario was
// measured, in percent of one core (2 cores: up to 200%).
type CPUShare struct {
	Busy, Bench, Other float64
}

func (c CPUShare) String() string {
	return fmt.Sprintf("machine CPU %.0f%% of %d00%% busy: bench and its database backends %.0f%%, other processes %.0f%%",
		c.Busy, runtime.NumCPU(), c.Bench, c.Other)
}

// share compares two snapshots; mine are the bench's processes (itself and
// its database backends).
func share(a, b cpuSnapshot, mine map[int]bool) CPUShare {
	if b.total <= a.total {
		return CPUShare{}
	}
	perCore := float64(b.total-a.total) / float64(runtime.NumCPU()) // ticks of one core
	var bench int64
	for pid := range mine {
		if t, ok := b.procs[pid]; ok {
			bench += t - a.procs[pid]
		}
	}
	c := CPUShare{Busy: 100 * float64(b.busy-a.busy) / perCore, Bench: 100 * float64(bench) / perCore}
	c.Other = max(0, c.Busy-c.Bench)
	return c
}

// benchProcesses are this process and the server processes of every
// connection to the bench database.
func benchProcesses(ctx context.Context, ownerURL string) map[int]bool {
	mine := map[int]bool{os.Getpid(): true}
	conn, err := pgx.Connect(ctx, ownerURL)
	if err != nil {
		return mine
	}
	defer conn.Close(ctx)
	rows, _ := conn.Query(ctx, `SELECT pid FROM pg_stat_activity WHERE datname = current_database()`)
	pids, err := pgx.CollectRows(rows, pgx.RowTo[int32])
	if err != nil {
		return mine
	}
	for _, p := range pids {
		mine[int(p)] = true
	}
	return mine
}

// CPUSplit is how the machine's CPU was used while an HTTP scenario was
// measured, in percent of one core: the server process, the PostgreSQL
// backends serving the bench database, this load generator, and the rest
// (other processes, PostgreSQL's own background writers).
type CPUSplit struct {
	Busy, Server, Postgres, Bench, Other float64
	seconds                              float64 // length of the window
}

// describe says the split and what it costs per request.
func (c CPUSplit) describe(requests int) string {
	if c.Busy == 0 {
		return "CPU: not measured (no /proc)"
	}
	s := fmt.Sprintf("CPU (%% of one core, %d cores): server %.0f%%, postgres %.0f%%, bench %.0f%%, other %.0f%% (machine busy %.0f%%)",
		runtime.NumCPU(), c.Server, c.Postgres, c.Bench, c.Other, c.Busy)
	if requests > 0 && c.seconds > 0 {
		per := func(pct float64) float64 { return pct / 100 * c.seconds / float64(requests) * 1e6 } // µs of CPU per request
		s += fmt.Sprintf("; per request: server %.0f µs, postgres %.0f µs", per(c.Server), per(c.Postgres))
	}
	return s
}

// splitCPU compares two snapshots taken seconds apart.
func splitCPU(a, b cpuSnapshot, seconds float64, server int, postgres map[int]bool) CPUSplit {
	if b.total <= a.total {
		return CPUSplit{}
	}
	perCore := float64(b.total-a.total) / float64(runtime.NumCPU()) // ticks of one core
	used := func(pids map[int]bool) float64 {
		var t int64
		for pid := range pids {
			if now, ok := b.procs[pid]; ok {
				t += now - a.procs[pid] // a backend started meanwhile counts from zero
			}
		}
		return 100 * float64(t) / perCore
	}
	c := CPUSplit{Busy: 100 * float64(b.busy-a.busy) / perCore, Postgres: used(postgres), Bench: used(map[int]bool{os.Getpid(): true}), seconds: seconds}
	if server > 0 {
		c.Server = used(map[int]bool{server: true})
	}
	c.Other = max(0, c.Busy-c.Server-c.Postgres-c.Bench)
	return c
}

// cpuWatch measures a CPUSplit from its start to stop.
type cpuWatch struct {
	ownerURL string
	server   int
	start    time.Time
	before   cpuSnapshot
	ok       bool
	backends map[int]bool
}

func newCPUWatch(ctx context.Context, ownerURL string, server int) *cpuWatch {
	w := &cpuWatch{ownerURL: ownerURL, server: server, backends: map[int]bool{}}
	w.addBackends(ctx)
	w.start = time.Now()
	w.before, w.ok = takeCPUSnapshot()
	return w
}

func (w *cpuWatch) stop(ctx context.Context) CPUSplit {
	after, ok := takeCPUSnapshot()
	seconds := time.Since(w.start).Seconds()
	if !ok || !w.ok {
		return CPUSplit{}
	}
	w.addBackends(ctx) // those that connected meanwhile
	return splitCPU(w.before, after, seconds, w.server, w.backends)
}

// addBackends notes the client backends connected to the bench database
// (the server's pool, its job queue and sealer), not this watch's own.
func (w *cpuWatch) addBackends(ctx context.Context) {
	conn, err := pgx.Connect(ctx, w.ownerURL)
	if err != nil {
		return
	}
	defer conn.Close(ctx)
	rows, _ := conn.Query(ctx, `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend'
		AND pid <> pg_backend_pid()`)
	pids, err := pgx.CollectRows(rows, pgx.RowTo[int32])
	if err != nil {
		return
	}
	for _, p := range pids {
		w.backends[int(p)] = true
	}
}
