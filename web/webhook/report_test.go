package webhook_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store/storetest"
	"github.com/anxin-helpdesk/anxin/web/webhook"
)

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// lines counts the lines that hold every one of the parts.
func (l *lockedBuffer) lines(parts ...string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
next:
	for _, line := range strings.Split(l.b.String(), "\n") {
		for _, p := range parts {
			if !strings.Contains(line, p) {
				continue next
			}
		}
		n++
	}
	return n
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestFailingEndpointIsToldOnceAMinute: an endpoint that answers 500 to
// each of 40 deliveries, retried for a day. Every attempt is told at
// debug; at info the endpoint is told at once, then at most once a minute,
// and at warn once deliveries are given up. Its URL is logged without its
// query, where a token may be.
func TestFailingEndpointIsToldOnceAMinute(t *testing.T) {
	s, clock := storetest.MustOpen(t)
	rcv := newReceiver(t)
	rcv.mu.Lock()
	for range 10000 {
		rcv.statuses = append(rcv.statuses, http.StatusInternalServerError)
	}
	rcv.mu.Unlock()
	m := storetest.MustMerchant(t, s, "m")
	s.CreateWebhook(ctx, anxin.Webhook{URL: rcv.URL + "/hook?token=s3cr3t", Secret: secret,
		Events: []anxin.WebhookEvent{anxin.EventTicketCreated}})
	const tickets = 40
	for range tickets {
		storetest.MustTicket(t, s, m.ID, anxin.Damaged, 1000)
	}
	var logs lockedBuffer
	snd := webhook.NewSender(s, webhook.Config{AllowPrivate: true,
		Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})

	// Retried every 10 s, 20 s, 40 s...: within the first minute four
	// flushes try every delivery.
	attempts := 0
	for _, wait := range []time.Duration{0, 10 * time.Second, 20 * time.Second, 29 * time.Second} {
		clock.Advance(wait)
		n, err := snd.Flush(ctx)
		if err != nil {
			t.Fatal(err)
		}
		attempts += n
	}
	if attempts != 3*tickets {
		t.Fatalf("%d attempts within the minute, want %d", attempts, 3*tickets)
	}
	if n := logs.lines("level=DEBUG", "will retry"); n != attempts {
		t.Errorf("%d attempts told at debug, want %d", n, attempts)
	}
	if n := logs.lines("level=INFO"); n != 1 || logs.lines("level=INFO", "failed_attempts=40", `endpoint=`+rcv.URL+`/hook `) != 1 {
		t.Errorf("%d info lines in the first minute, want 1 telling of 40 attempts:\n%s", n, logs.String())
	}

	// A day later every delivery is given up: told once, as a warning.
	for range 40 {
		clock.Advance(time.Hour)
		if _, err := snd.Flush(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if n := logs.lines("level=WARN", "given up", "given_up=40"); n != 1 {
		t.Errorf("%d warnings telling of 40 deliveries given up, want 1:\n%s", n, logs.String())
	}
	if n := logs.lines("level=INFO") + logs.lines("level=WARN"); n > 2+24 {
		t.Errorf("%d lines at info and above for a day of retries", n)
	}
	if strings.Contains(logs.String(), "s3cr3t") {
		t.Error("the endpoint's token was logged")
	}
	st := snd.Stats()
	if st.GivenUp != tickets || st.Delivered != 0 || st.FailedAttempts < 3*tickets {
		t.Errorf("stats %+v", st)
	}
}
