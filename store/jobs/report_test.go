package jobs

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/anxin-helpdesk/anxin/store"
)

// TestReportForgetsRecoveredTickets: a failing ticket is logged once per
// distinct error, and forgotten once it stops failing, so the scheduler's
// memory holds only what fails now however long it runs.
func TestReportForgetsRecoveredTickets(t *testing.T) {
	var logs bytes.Buffer
	s := &Scheduler{log: slog.New(slog.NewTextHandler(&logs, nil)), reported: map[string]map[int64]string{}}
	fail := func(ids ...int64) store.Sweep {
		var sw store.Sweep
		for _, id := range ids {
			sw.Failed = append(sw.Failed, store.SweepError{Ticket: id, Err: errors.New("disk full")})
		}
		return sw
	}
	logged := func() int { return strings.Count(logs.String(), "failed") }

	s.report("timeout", fail(1, 2))
	s.report("timeout", fail(1, 2))
	if logged() != 2 {
		t.Fatalf("%d failures logged for two tickets failing twice, want 2:\n%s", logged(), logs.String())
	}
	for round := range 1000 {
		s.report("timeout", fail(int64(100+round)))
	}
	if n := len(s.reported["timeout"]); n != 1 {
		t.Fatalf("%d tickets remembered after a thousand rounds with one failure each, want 1", n)
	}
	s.report("timeout", fail(1))
	if logged() != 2+1000+1 {
		t.Fatalf("a ticket failing again after it recovered must be logged again: %d lines", logged())
	}
	s.report("timeout", store.Sweep{})
	if n := len(s.reported["timeout"]); n != 0 {
		t.Fatalf("%d tickets remembered with nothing failing", n)
	}
}
