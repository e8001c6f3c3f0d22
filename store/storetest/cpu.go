package storetest

import (
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// CPUMeter measures the CPU a benchmark's work cost: this process's
// (servers, load generator and, on SQLite, the database) and the whole
// machine's (PostgreSQL's processes too), both in CPU time, whatever the
// wall clock did meanwhile. Per operation, they say how many operations
// a second the machine's cores could give at most: cores / CPU per op.
type CPUMeter struct {
	self, machine time.Duration
	ok            bool
}

// StartCPU starts measuring.
func StartCPU() CPUMeter {
	m, ok := machineCPU()
	return CPUMeter{self: CPUTime(), machine: m, ok: ok}
}

// Report adds the CPU per operation since StartCPU as the benchmark's
// metrics, for n operations.
func (c CPUMeter) Report(b *testing.B, n int) {
	if n == 0 {
		return
	}
	b.ReportMetric(float64((CPUTime()-c.self).Microseconds())/1000/float64(n), "proc-cpu-ms/op")
	if m, ok := machineCPU(); ok && c.ok {
		b.ReportMetric(float64((m-c.machine).Microseconds())/1000/float64(n), "machine-cpu-ms/op")
	}
}

// machineCPU is the CPU time all the machine's cores have been busy
// (Linux's /proc/stat: every column but idle and iowait).
func machineCPU() (time.Duration, bool) {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, false
	}
	line, _, _ := strings.Cut(string(data), "\n")
	f := strings.Fields(line)
	if len(f) < 8 || f[0] != "cpu" {
		return 0, false
	}
	var busy int64
	for i, s := range f[1:8] { // user nice system idle iowait irq softirq
		if i == 3 || i == 4 {
			continue
		}
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return 0, false
		}
		busy += v
	}
	return time.Duration(busy) * time.Second / 100, true // USER_HZ is 100 on Linux
}
