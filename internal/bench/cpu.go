package bench

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"

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
