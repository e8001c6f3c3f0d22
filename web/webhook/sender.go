package webhook

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store"
	"github.com/anxin-helpdesk/anxin/store/jobs"
)

// sendBatch and sendParallel bound a flush: deliveries listed at once, and
// sent at once.
const (
	sendBatch    = 32
	sendParallel = 4
)

// Sender delivers the webhook outbox, each delivery signed, retried with
// back-off by the store's schedule until 24 h after its event.
type Sender struct {
	st    *store.Store
	cfg   Config
	log   *slog.Logger
	mu    sync.Mutex // one flush at a time
	tally tally      // report.go
	errs  *jobs.Repeats
}

// NewSender returns a sender over the store.
func NewSender(st *store.Store, cfg Config) *Sender {
	cfg = cfg.withDefaults()
	return &Sender{st: st, cfg: cfg, log: cfg.Logger, errs: jobs.NewRepeats(cfg.Logger, "webhook flush failed")}
}

// Flush sends every delivery due now, once each, and records the attempts.
// It returns how many it tried.
func (s *Sender) Flush(ctx context.Context) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	defer func() { s.tally.maybeSay(s.log, s.st.Clock().Now()) }()
	tried := 0
	seen := map[int64]bool{}
	for ctx.Err() == nil {
		due, err := s.st.ClaimDeliveries(ctx, sendBatch)
		if err != nil {
			return tried, err
		}
		var fresh []store.DueDelivery
		for _, d := range due {
			if !seen[d.ID] {
				seen[d.ID] = true
				fresh = append(fresh, d)
			}
		}
		if len(fresh) == 0 {
			return tried, nil
		}
		var wg sync.WaitGroup
		sem := make(chan struct{}, sendParallel)
		errs := make([]error, len(fresh))
		for i, d := range fresh {
			sem <- struct{}{}
			wg.Go(func() {
				defer func() { <-sem }()
				errs[i] = s.deliver(ctx, d)
			})
		}
		wg.Wait()
		tried += len(fresh)
		for _, err := range errs {
			if err != nil {
				return tried, err
			}
		}
	}
	return tried, ctx.Err()
}

// deliver makes one attempt and records it. A delivery whose body cannot
// be rendered is recorded as a failed attempt, so that it backs off and is
// given up like one its endpoint refuses, in sight of the admin page.
func (s *Sender) deliver(ctx context.Context, d store.DueDelivery) error {
	at := s.st.Clock().Now()
	start := time.Now()
	var status int
	body, err := bodyOf(d)
	if err == nil {
		status, err = s.post(ctx, d.Delivery, body, at.Unix())
	} else {
		s.log.Error("webhook delivery cannot be rendered", "delivery", d.ID, "event", d.Event, "err", err)
	}
	a := anxin.DeliveryAttempt{At: at, Status: status, Took: time.Since(start)}
	if err != nil {
		a.Error = err.Error()
	}
	if ctx.Err() != nil {
		return ctx.Err() // shutting down: the delivery is due again when its claim's lease ends, untried
	}
	got, rerr := s.st.RecordAttempt(context.WithoutCancel(ctx), d.ID, a, body)
	if rerr != nil {
		return fmt.Errorf("webhook delivery %d: %w", d.ID, rerr)
	}
	ep := endpointOf(d.URL)
	s.tally.attempt(ep, got, a.Error)
	switch got.Status {
	case anxin.DeliveryFailed:
		s.log.Debug("webhook delivery given up", "delivery", d.ID, "endpoint", ep, "event", d.Event, "attempts", got.Attempts, "err", a.Error)
	case anxin.DeliveryPending:
		s.log.Debug("webhook delivery failed; will retry", "delivery", d.ID, "endpoint", ep, "event", d.Event,
			"attempt", got.Attempts, "next", got.NextAt, "err", a.Error)
	}
	return nil
}

// post sends the body; a non-2xx answer is returned as an error too.
func (s *Sender) post(ctx context.Context, d anxin.Delivery, body []byte, ts int64) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.URL, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	h := req.Header
	h.Set("Content-Type", "application/json")
	h.Set("User-Agent", "Anxin-Webhooks/1")
	h.Set(HeaderEvent, string(d.Event))
	h.Set(HeaderEventID, d.EventID)
	h.Set(HeaderDelivery, strconv.FormatInt(d.ID, 10))
	h.Set(HeaderTimestamp, strconv.FormatInt(ts, 10))
	h.Set(HeaderSignature, Sign(d.Secret, ts, body))
	res, err := s.cfg.Client.Do(req)
	if err != nil {
		return 0, err
	}
	defer func() { _ = res.Body.Close() }()
	// What the receiver said, for the attempt's record; the rest is read
	// (up to a bound) only so that the connection can be reused.
	head, _ := io.ReadAll(io.LimitReader(res.Body, 512))
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 1<<20))
	if res.StatusCode < 200 || res.StatusCode > 299 {
		msg := strings.TrimSpace(string(head))
		if len(msg) > 200 {
			msg = msg[:200]
		}
		return res.StatusCode, fmt.Errorf("HTTP %d %s", res.StatusCode, msg)
	}
	return res.StatusCode, nil
}

// Run flushes until ctx ends: at once, every interval, and whenever a
// commit writes to the outbox.
func (s *Sender) Run(ctx context.Context) {
	jobs.Loop(ctx, s.cfg.Interval, s.st.OutboxReady(), func(ctx context.Context) {
		if _, err := s.Flush(ctx); ctx.Err() == nil {
			s.errs.Tell(s.st.Clock().Now(), err)
		}
	})
}

// Stats returns what the sender did since it started.
func (s *Sender) Stats() Stats { return s.tally.snapshot() }
