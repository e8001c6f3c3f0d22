package jobs_test

import (
	"bytes"
	"errors"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store/jobs"
	"github.com/anxin-helpdesk/anxin/store/storetest"
)

// steppingClock moves forward by step every time it is asked: work that
// asks for the time as it goes (the scheduler's batches) takes simulated
// time, without the test depending on how fast the machine is.
type steppingClock struct {
	mu   sync.Mutex
	now  time.Time
	step time.Duration
}

func (c *steppingClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(c.step)
	return c.now
}

// logLines is a logger at debug level into a buffer, and a way to count
// its lines.
type logLines struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logLines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logLines) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// count counts the lines that have every one of the parts.
func (l *logLines) count(parts ...string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
lines:
	for _, line := range strings.Split(l.buf.String(), "\n") {
		for _, p := range parts {
			if !strings.Contains(line, p) {
				continue lines
			}
		}
		n++
	}
	return n
}

func (l *logLines) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// TestCatchUpLogsABoundedNumberOfLines: after an outage the scheduler's
// first round works through 3,000 passed deadlines in about a hundred
// batches. At info it says that it is catching up, what it did at most once
// a minute (of the clock's time), and that it caught up; each batch is told
// at debug.
func TestCatchUpLogsABoundedNumberOfLines(t *testing.T) {
	const due = 3000
	src, err := storetest.DueDatabase(ctx, t.TempDir(), due)
	if err != nil {
		t.Fatal(err)
	}
	clock := &steppingClock{now: storetest.Epoch, step: 2 * time.Second}
	s := storetest.MustOpenWith(t, storetest.Fixture(t, src), storetest.Config(clock))
	var logs logLines
	sch, err := jobs.NewScheduler(s, jobs.Config{Logger: logs.logger()})
	if err != nil {
		t.Fatal(err)
	}
	start := clock.Now()
	r, err := sch.Tick(ctx)
	if err != nil || r.Timeouts.Done != due || len(r.Timeouts.Failed) != 0 {
		t.Fatalf("round %d done, %d failed: %v", r.Timeouts.Done, len(r.Timeouts.Failed), err)
	}
	took := clock.Now().Sub(start)

	batches := logs.count("level=DEBUG", `msg="scheduler: batch"`, `kind=timeout`)
	if want := (due + 31) / 32; batches != want {
		t.Errorf("%d timeout batches told at debug, want %d", batches, want)
	}
	info := logs.count("level=INFO")
	// The start, the end, and one line a minute at most (the first at once).
	bound := 2 + 1 + int(took/jobs.LogEvery)
	if info > bound || info == 0 {
		t.Errorf("%d info lines for a catch-up of %d batches over %v of the clock, want at most %d:\n%s",
			info, batches, took, bound, logs.String())
	}
	if logs.count("level=INFO", "catching up on passed deadlines", "due=3000") != 1 ||
		logs.count("level=INFO", "caught up", "timeouts=3000") != 1 {
		t.Errorf("the catch-up's start and end are not told once each:\n%s", logs.String())
	}
	t.Logf("%d batches, %d info lines over %v of the clock", batches, info, took)

	if st := sch.Stats(); st.Timeouts.Done != due || st.Rounds != 1 || st.CatchingUp {
		t.Errorf("stats %+v", st)
	}
	// A round with nothing to do says nothing.
	before := logs.count("level=INFO")
	if _, err := sch.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	if after := logs.count("level=INFO"); after != before {
		t.Errorf("an idle round logged %d info lines", after-before)
	}
}

// TestSteadyWorkIsToldOnceAMinute: deadlines passing every half second,
// a round every second for two minutes. Each round applies two (one info
// line each for timeouts and one for refunds, before); at info they are
// told once a minute.
func TestSteadyWorkIsToldOnceAMinute(t *testing.T) {
	clock := anxin.NewManualClock(storetest.Epoch)
	s := storetest.MustOpenWith(t, filepath.Join(t.TempDir(), "anxin.db"), storetest.Config(clock))
	m := storetest.MustMerchant(t, s, "昆明斗南鲜花园艺")
	for range 240 {
		storetest.MustTicket(t, s, m.ID, anxin.FreshSpoiled, 8990) // auto-approved after 24 h
		clock.Advance(500 * time.Millisecond)
	}
	clock.Set(storetest.Epoch.Add(24 * time.Hour))
	var logs logLines
	sch, err := jobs.NewScheduler(s, jobs.Config{Logger: logs.logger()})
	if err != nil {
		t.Fatal(err)
	}
	done := 0
	for range 121 { // at 0 s, 1 s, ... 120 s
		r, err := sch.Tick(ctx)
		if err != nil {
			t.Fatal(err)
		}
		done += r.Timeouts.Done
		clock.Advance(time.Second)
	}
	if done != 240 {
		t.Fatalf("%d timeouts applied, want 240", done)
	}
	if n := logs.count("level=DEBUG", "scheduler: batch"); n < 121 {
		t.Errorf("%d batches told at debug, want one a round at least", n)
	}
	// At 0 s, 60 s and 120 s.
	if n := logs.count("level=INFO"); n != 3 || logs.count("catching up") != 0 {
		t.Errorf("%d info lines over two minutes, want 3:\n%s", n, logs.String())
	}
}

// TestRepeatedRoundErrorsAreToldOnceAMinute: a round that fails the same
// way every second is told at once, then once a minute with how many
// times; a different error at once; recovery once.
func TestRepeatedRoundErrorsAreToldOnceAMinute(t *testing.T) {
	var logs logLines
	r := jobs.NewRepeats(logs.logger(), "scheduler round failed")
	now := storetest.Epoch
	full := errors.New("disk full")
	for range 150 {
		r.Tell(now, full)
		now = now.Add(time.Second)
	}
	if n := logs.count("level=ERROR", "disk full"); n != 3 { // at 0 s, 60 s, 120 s
		t.Errorf("%d lines for 150 rounds failing alike, want 3:\n%s", n, logs.String())
	}
	if logs.count("times=60") != 2 {
		t.Errorf("the repeats are not counted:\n%s", logs.String())
	}
	r.Tell(now, errors.New("database is locked"))
	r.Tell(now, nil)
	r.Tell(now, nil)
	if logs.count("level=ERROR", "database is locked") != 1 || logs.count("level=INFO", "working again") != 1 {
		t.Errorf("a new error or the recovery was not told once:\n%s", logs.String())
	}
}
