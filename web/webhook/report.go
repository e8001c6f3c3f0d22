package webhook

import (
	"context"
	"log/slog"
	"net/url"
	"sort"
	"sync"
	"time"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store/jobs"
)

// What the sender logs. An endpoint that is down fails every delivery
// queued for it, each retried on its own schedule: a line per attempt
// would bury the log. Each attempt that fails is told at debug; at info
// (warn when deliveries were given up) each failing endpoint is told at
// most once a minute, with its counts and its latest error.

// Stats are what the sender did since it started, for the metrics.
type Stats struct {
	Delivered      int64 // attempts the endpoint accepted
	FailedAttempts int64 // attempts refused or not answered (each retried, until given up)
	GivenUp        int64 // deliveries given up after their last attempt
}

type tally struct {
	mu     sync.Mutex
	saidAt time.Time
	by     map[string]*endpointTally // by endpoint, as logged
	stats  Stats
}

type endpointTally struct {
	delivered, failed, givenUp int64
	lastError                  string
}

// attempt counts an attempt's outcome.
func (t *tally) attempt(endpoint string, got anxin.Delivery, errText string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.by == nil {
		t.by = map[string]*endpointTally{}
	}
	e := t.by[endpoint]
	if e == nil {
		e = &endpointTally{}
		t.by[endpoint] = e
	}
	switch got.Status {
	case anxin.DeliveryDelivered:
		e.delivered++
		t.stats.Delivered++
	case anxin.DeliveryFailed:
		e.failed++
		e.givenUp++
		e.lastError = errText
		t.stats.FailedAttempts++
		t.stats.GivenUp++
	default:
		e.failed++
		e.lastError = errText
		t.stats.FailedAttempts++
	}
}

// maybeSay tells each endpoint that failed since the last time, if a
// minute has passed since then; the counts start afresh.
func (t *tally) maybeSay(log *slog.Logger, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if now.Sub(t.saidAt) < jobs.LogEvery || len(t.by) == 0 {
		return
	}
	endpoints := make([]string, 0, len(t.by))
	for e := range t.by {
		endpoints = append(endpoints, e)
	}
	sort.Strings(endpoints)
	said := false
	for _, ep := range endpoints {
		e := t.by[ep]
		if e.failed == 0 {
			continue
		}
		level, msg := slog.LevelInfo, "webhook deliveries failing; they will be retried"
		if e.givenUp > 0 {
			level, msg = slog.LevelWarn, "webhook deliveries failing; some were given up after their last retry"
		}
		log.Log(context.Background(), level, msg, "endpoint", ep, "failed_attempts", e.failed, "given_up", e.givenUp,
			"delivered", e.delivered, "last_error", e.lastError, "since", t.saidAt)
		said = true
	}
	t.by = nil
	if said {
		t.saidAt = now
	}
}

func (t *tally) snapshot() Stats {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.stats
}

// endpointOf is an endpoint's URL as it is logged: without a query,
// fragment or user info, where a token may be.
func endpointOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	u.User, u.RawQuery, u.Fragment, u.RawFragment = nil, "", "", ""
	return u.String()
}
