package webhook_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store"
	"github.com/anxin-helpdesk/anxin/store/jobs"
	"github.com/anxin-helpdesk/anxin/store/storetest"
	"github.com/anxin-helpdesk/anxin/web/api"
	"github.com/anxin-helpdesk/anxin/web/webhook"
)

var ctx = context.Background()

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

const secret = "whsec-test-0123456789"

// receiver is a webhook endpoint that answers with the statuses given, in
// turn (200 once they run out), and keeps what it was sent.
type receiver struct {
	*httptest.Server
	mu       sync.Mutex
	statuses []int
	got      []received
}

type received struct {
	header http.Header
	body   []byte
}

func newReceiver(t *testing.T, statuses ...int) *receiver {
	r := &receiver{statuses: statuses}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.got = append(r.got, received{req.Header.Clone(), body})
		status := http.StatusOK
		if len(r.statuses) > 0 {
			status, r.statuses = r.statuses[0], r.statuses[1:]
		}
		r.mu.Unlock()
		w.WriteHeader(status)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) received() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.got...)
}

// verify checks a request's signature as a receiver would, independently of
// the sender's code: HMAC-SHA256 over timestamp + "." + body.
func verify(t *testing.T, got received) {
	t.Helper()
	ts := got.header.Get("X-Anxin-Timestamp")
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts + "." + string(got.body)))
	want := "sha256=" + hex.EncodeToString(m.Sum(nil))
	if sig := got.header.Get("X-Anxin-Signature"); !hmac.Equal([]byte(sig), []byte(want)) {
		t.Fatalf("signature %q, want %q", sig, want)
	}
	if _, err := strconv.ParseInt(ts, 10, 64); err != nil {
		t.Fatalf("timestamp %q", ts)
	}
}

func TestWebhookRetriedAcrossRestart(t *testing.T) {
	s, clock := storetest.MustOpen(t)
	rcv := newReceiver(t, 500, 500)
	m := storetest.MustMerchant(t, s, "昆明斗南鲜花园艺")
	hook, err := s.CreateWebhook(ctx, anxin.Webhook{URL: rcv.URL + "/anxin", Secret: secret,
		Events: []anxin.WebhookEvent{anxin.EventTicketCreated}})
	if err != nil {
		t.Fatal(err)
	}
	tk := storetest.MustTicket(t, s, m.ID, anxin.FreshSpoiled, 8990)

	flush := func(s *store.Store) int {
		t.Helper()
		n, err := webhook.NewSender(s, webhook.Config{Logger: quiet, AllowPrivate: true}).Flush(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := flush(s); n != 1 || len(rcv.received()) != 1 {
		t.Fatalf("first flush tried %d, receiver has %d", n, len(rcv.received()))
	}

	// Restart: close the store and open it again, with new workers.
	path := s.Path()
	s.Close()
	s = storetest.MustOpenWith(t, path, storetest.Config(clock))

	if n := flush(s); n != 0 {
		t.Fatal("retried before the back-off")
	}
	clock.Advance(anxin.WebhookBackoff(1))
	flush(s)
	clock.Advance(anxin.WebhookBackoff(2))
	flush(s)
	clock.Advance(time.Hour)
	if n := flush(s); n != 0 {
		t.Fatal("a delivered event was sent again")
	}

	got := rcv.received()
	if len(got) != 3 {
		t.Fatalf("the receiver got %d requests, want 3", len(got))
	}
	var first api.Event
	json.Unmarshal(got[0].body, &first)
	for i, r := range got {
		verify(t, r)
		if string(r.body) != string(got[0].body) || r.header.Get("X-Anxin-Event") != "ticket.created" ||
			r.header.Get("X-Anxin-Event-Id") != first.ID || r.header.Get("Content-Type") != "application/json" {
			t.Fatalf("request %d differs from the first: %s %s", i, r.header, r.body)
		}
	}
	if first.Type != "ticket.created" || first.Data.Ticket.ID != tk.ID || first.Data.Ticket.Number != tk.Number {
		t.Fatalf("event %+v", first)
	}
	if got[1].header.Get("X-Anxin-Timestamp") == got[0].header.Get("X-Anxin-Timestamp") {
		t.Fatal("each attempt is signed at its own time")
	}
	list, err := s.Deliveries(ctx, hook.ID, 10)
	if err != nil || len(list) != 1 {
		t.Fatalf("deliveries %+v %v", list, err)
	}
	d := list[0]
	if d.Status != anxin.DeliveryDelivered || d.Attempts != 3 || len(d.Tries) != 3 ||
		d.Tries[0].Status != 500 || d.Tries[1].Status != 500 || d.Tries[2].Status != 200 {
		t.Fatalf("delivery %s after %d attempts: %+v", d.Status, d.Attempts, d.Tries)
	}
}

func TestUnreachableEndpointIsRecorded(t *testing.T) {
	s, _ := storetest.MustOpen(t)
	rcv := newReceiver(t)
	url := rcv.URL
	rcv.Close() // nothing listens there now
	m := storetest.MustMerchant(t, s, "m")
	hook, _ := s.CreateWebhook(ctx, anxin.Webhook{URL: url, Secret: secret, Events: []anxin.WebhookEvent{anxin.EventTicketCreated}})
	storetest.MustTicket(t, s, m.ID, anxin.Damaged, 1000)
	if _, err := webhook.NewSender(s, webhook.Config{Logger: quiet, AllowPrivate: true}).Flush(ctx); err != nil {
		t.Fatal(err)
	}
	list, _ := s.Deliveries(ctx, hook.ID, 10)
	if len(list) != 1 || list[0].Status != anxin.DeliveryPending || len(list[0].Tries) != 1 || list[0].Tries[0].Status != 0 || list[0].Tries[0].Error == "" {
		t.Fatalf("delivery %+v", list)
	}
}

// TestPrivateAddressesAreRefusedAtConnection: an endpoint whose address is
// on this machine (registered before, or its name resolving there now) gets
// no request unless private addresses are allowed: the attempt fails.
func TestPrivateAddressesAreRefusedAtConnection(t *testing.T) {
	s, _ := storetest.MustOpen(t)
	rcv := newReceiver(t)
	m := storetest.MustMerchant(t, s, "m")
	hook, _ := s.CreateWebhook(ctx, anxin.Webhook{URL: rcv.URL, Secret: secret, Events: []anxin.WebhookEvent{anxin.EventTicketCreated}})
	storetest.MustTicket(t, s, m.ID, anxin.Damaged, 1000)
	if _, err := webhook.NewSender(s, webhook.Config{Logger: quiet}).Flush(ctx); err != nil {
		t.Fatal(err)
	}
	list, _ := s.Deliveries(ctx, hook.ID, 10)
	if len(list) != 1 || len(list[0].Tries) != 1 || !strings.Contains(list[0].Tries[0].Error, "private network") {
		t.Fatalf("delivery %+v", list)
	}
	if n := len(rcv.received()); n != 0 {
		t.Fatalf("the loopback receiver got %d requests", n)
	}
}

// TestWorkersCatchUpOnStart starts the scheduler and the sender as serve
// does after an outage: the scheduler's first round acts on the passed
// deadline at once, the built-in provider pays the refund, and the sender
// tells the endpoint, woken by the commits rather than waiting for its
// interval. Both stop when asked.
func TestWorkersCatchUpOnStart(t *testing.T) {
	s, clock := storetest.MustOpen(t)
	rcv := newReceiver(t)
	m := storetest.MustMerchant(t, s, "m")
	s.CreateWebhook(ctx, anxin.Webhook{URL: rcv.URL, Secret: secret,
		Events: []anxin.WebhookEvent{anxin.EventStateChanged, anxin.EventRefundSucceeded}})
	tk := storetest.MustTicket(t, s, m.ID, anxin.FreshSpoiled, 8990)
	clock.Advance(25 * time.Hour)

	sch, err := jobs.NewScheduler(s, jobs.Config{Logger: quiet, Interval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	snd := webhook.NewSender(s, webhook.Config{Logger: quiet, Interval: time.Hour, AllowPrivate: true})
	run, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() { sch.Run(run) })
	wg.Go(func() { snd.Run(run) })
	deadline := time.Now().Add(10 * time.Second)
	for len(rcv.received()) < 3 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	stopped := make(chan struct{})
	go func() { stop(); wg.Wait(); close(stopped) }()
	select {
	case <-stopped:
	case <-time.After(5 * time.Second):
		t.Fatal("the workers did not stop")
	}
	got, _ := s.Ticket(ctx, anxin.AllMerchants(), tk.ID)
	if got.State != anxin.Refunded {
		t.Fatalf("after the workers' first rounds: %s, want refunded", got.State)
	}
	var types []string
	for _, r := range rcv.received() {
		verify(t, r)
		types = append(types, r.header.Get("X-Anxin-Event"))
	}
	if len(types) != 3 {
		t.Fatalf("the endpoint heard %v, want two state changes and refund.succeeded", types)
	}
}

func TestSign(t *testing.T) {
	r := received{header: http.Header{}, body: []byte(`{"id":"evt_1"}`)}
	r.header.Set("X-Anxin-Timestamp", "1790000000")
	r.header.Set("X-Anxin-Signature", webhook.Sign(secret, 1790000000, r.body))
	verify(t, r)
}

// TestDeliveryWithItsBodyIsSentAsItIs: a delivery written with its body
// rendered (before migration 0008) is sent byte for byte, on every attempt.
func TestDeliveryWithItsBodyIsSentAsItIs(t *testing.T) {
	s, clock := storetest.MustOpen(t)
	rcv := newReceiver(t, 500)
	hook, err := s.CreateWebhook(ctx, anxin.Webhook{URL: rcv.URL, Secret: secret, Events: []anxin.WebhookEvent{anxin.EventTicketCreated}})
	if err != nil {
		t.Fatal(err)
	}
	db := storetest.WritableDB(t, s)
	const body = `{"id":"evt_old","type":"ticket.created","created_at":"2026-11-26T01:00:00.5Z","data":{"ticket":{"id":1}}}`
	if _, err := db.Exec(`INSERT INTO webhook_deliveries (webhook_id, event_id, event, body, next_at, created_at)
		VALUES (?, 'evt_old', 'ticket.created', ?, ?, ?)`, hook.ID, body, clock.Now().UnixMilli(), clock.Now().UnixMilli()); err != nil {
		t.Fatal(err)
	}
	snd := webhook.NewSender(s, webhook.Config{Logger: quiet, AllowPrivate: true})
	for range 2 {
		if _, err := snd.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		clock.Advance(anxin.WebhookBackoff(1))
	}
	got := rcv.received()
	if len(got) != 2 {
		t.Fatalf("the receiver got %d requests, want 2", len(got))
	}
	for _, r := range got {
		verify(t, r)
		if string(r.body) != body || r.header.Get(webhook.HeaderEventID) != "evt_old" {
			t.Fatalf("sent %s %s", r.header, r.body)
		}
	}
}

// TestUnrenderableDeliveryIsRecorded: a delivery with neither a body nor
// an event to render one from is not sent; its attempt is recorded as
// failed, with the reason, so it backs off and shows on the admin page.
func TestUnrenderableDeliveryIsRecorded(t *testing.T) {
	s, clock := storetest.MustOpen(t)
	rcv := newReceiver(t)
	hook, _ := s.CreateWebhook(ctx, anxin.Webhook{URL: rcv.URL, Secret: secret, Events: []anxin.WebhookEvent{anxin.EventTicketCreated}})
	db := storetest.WritableDB(t, s)
	if _, err := db.Exec(`INSERT INTO webhook_deliveries (webhook_id, event_id, event, body, snapshot, next_at, created_at)
		VALUES (?, 'evt_bad', 'ticket.created', ?, ?, ?, ?)`, hook.ID, []byte{}, []byte("{"), clock.Now().UnixMilli(),
		clock.Now().UnixMilli()); err != nil {
		t.Fatal(err)
	}
	if _, err := webhook.NewSender(s, webhook.Config{Logger: quiet, AllowPrivate: true}).Flush(ctx); err != nil {
		t.Fatal(err)
	}
	list, _ := s.Deliveries(ctx, hook.ID, 10)
	if len(rcv.received()) != 0 || len(list) != 1 || list[0].Status != anxin.DeliveryPending || len(list[0].Tries) != 1 ||
		list[0].Tries[0].Status != 0 || !strings.Contains(list[0].Tries[0].Error, "snapshot") {
		t.Fatalf("sent %d; delivery %+v", len(rcv.received()), list)
	}
}
