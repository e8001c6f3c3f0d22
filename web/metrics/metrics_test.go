package metrics_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store"
	"github.com/anxin-helpdesk/anxin/store/jobs"
	"github.com/anxin-helpdesk/anxin/store/storetest"
	"github.com/anxin-helpdesk/anxin/web/metrics"
	"github.com/anxin-helpdesk/anxin/web/webhook"
)

var ctx = context.Background()

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// scrape reads the metrics over HTTP as Prometheus does, into a map from
// each series (its name and labels, as the text format writes them) to its value.
func scrape(t *testing.T, m *metrics.Metrics) map[string]float64 {
	t.Helper()
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	res, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("scrape: %s\n%s", res.Status, b)
	}
	out := map[string]float64{}
	for _, line := range strings.Split(string(b), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		out[line[:i]] = v
	}
	return out
}

func want(t *testing.T, got map[string]float64, series string, v float64) {
	t.Helper()
	g, ok := got[series]
	if !ok {
		t.Errorf("no series %s", series)
		return
	}
	if g != v {
		t.Errorf("%s = %v, want %v", series, g, v)
	}
}

func TestMetrics(t *testing.T) {
	m := metrics.New(metrics.Build{Version: "v1.2.3", Commit: "abc"}, quiet)
	clock := anxin.NewManualClock(storetest.Epoch)
	cfg := storetest.Config(clock)
	cfg.Observer = m.Writes()
	s := storetest.MustOpenWith(t, filepath.Join(t.TempDir(), "anxin.db"), cfg)
	sch, err := jobs.NewScheduler(s, jobs.Config{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	snd := webhook.NewSender(s, webhook.Config{Logger: quiet, AllowPrivate: true})
	if err := m.Watch(metrics.Sources{Store: s, Scheduler: sch.Stats, Sender: snd.Stats}); err != nil {
		t.Fatal(err)
	}

	mer := storetest.MustMerchant(t, s, "昆明斗南鲜花园艺")
	storetest.MustTicket(t, s, mer.ID, anxin.FreshSpoiled, 8990) // auto-approved after 24 h
	storetest.MustTicket(t, s, mer.ID, anxin.FreshSpoiled, 4500)
	storetest.MustTicketIn(t, s, mer.ID, anxin.Arbitration, 12000)
	// An endpoint that is down, told of every new ticket from now on.
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()
	if _, err := s.CreateWebhook(ctx, anxin.Webhook{URL: dead.URL, Secret: "whsec-0123456789abcdef",
		Events: []anxin.WebhookEvent{anxin.EventTicketCreated}}); err != nil {
		t.Fatal(err)
	}
	storetest.MustTicket(t, s, mer.ID, anxin.Damaged, 3000)
	clock.Advance(25 * time.Hour) // the scheduler was away

	got := scrape(t, m)
	want(t, got, `anxin_build_info{commit="abc",goversion="`+runtimeVersion()+`",version="v1.2.3"}`, 1)
	want(t, got, `anxin_tickets_open{state="pending_merchant"}`, 3)
	want(t, got, `anxin_tickets_open{state="arbitration"}`, 1)
	want(t, got, `anxin_tickets_open{state="refunding"}`, 0)
	want(t, got, `anxin_tickets_overdue{state="pending_merchant"}`, 2) // not the damaged goods: the merchant has 48 h
	want(t, got, `anxin_scheduler_lag_seconds`, 3600)
	want(t, got, `anxin_webhook_outbox_pending`, 1)
	want(t, got, `anxin_webhook_outbox_due`, 1)
	want(t, got, `anxin_webhook_outbox_oldest_due_seconds`, 25*3600)
	want(t, got, `anxin_scheduler_rounds_total`, 0)
	if got[`anxin_store_write_duration_seconds_count{queue="people"}`] < 5 || got[`anxin_store_commit_duration_seconds_count`] < 5 {
		t.Errorf("writes counted: %v people, %v commits", got[`anxin_store_write_duration_seconds_count{queue="people"}`],
			got[`anxin_store_commit_duration_seconds_count`])
	}
	if got[`anxin_db_size_bytes`] <= 0 || !s.Postgres() && got[`anxin_db_wal_size_bytes`] <= 0 {
		t.Errorf("sizes %v, WAL %v", got[`anxin_db_size_bytes`], got[`anxin_db_wal_size_bytes`]) // PostgreSQL's WAL is its own
	}
	if _, ok := got[`anxin_backup_last_good_time_seconds`]; ok {
		t.Error("a last good backup before any was taken")
	}

	if _, err := sch.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := snd.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	backup := !s.Postgres() // PostgreSQL's are taken by its own tools
	if backup {
		if _, err := s.Backup(ctx, t.TempDir(), store.BackupManual); err != nil {
			t.Fatal(err)
		}
	}
	got = scrape(t, m)
	want(t, got, `anxin_scheduler_lag_seconds`, 0)
	want(t, got, `anxin_scheduler_rounds_total`, 1)
	want(t, got, `anxin_scheduler_actions_total{kind="timeout",result="done"}`, 2)
	want(t, got, `anxin_scheduler_actions_total{kind="builtin_refund",result="done"}`, 2)
	want(t, got, `anxin_scheduler_catching_up`, 0) // an hour behind, it caught up within the round
	want(t, got, `anxin_tickets_open{state="refunding"}`, 0)
	want(t, got, `anxin_webhook_attempts_total{result="failed"}`, 1)
	want(t, got, `anxin_webhook_attempts_total{result="delivered"}`, 0)
	// Its event is more than the 24 h of retries old: given up at once.
	want(t, got, `anxin_webhook_given_up_total`, 1)
	want(t, got, `anxin_webhook_outbox_pending`, 0)
	if backup {
		want(t, got, `anxin_backup_last_success{kind="manual"}`, 1)
		want(t, got, `anxin_backup_last_time_seconds{kind="manual"}`, float64(clock.Now().UnixMilli())/1000)
		want(t, got, `anxin_backup_last_good_time_seconds`, float64(clock.Now().UnixMilli())/1000)
		if got[`anxin_backup_last_size_bytes{kind="manual"}`] <= 0 {
			t.Error("the backup's size is missing")
		}
	}
	if got[`anxin_store_write_duration_seconds_count{queue="background"}`] < 2 {
		t.Error("the scheduler's writes are not counted")
	}
}

func runtimeVersion() string { return runtime.Version() }

// TestDashboardAndREADMEName the metrics there are: every metric the
// example Grafana dashboard queries exists, and the README lists every one
// of Anxin's own.
func TestDashboardAndREADMEName(t *testing.T) {
	storetest.SQLiteOnly(t, "the backup metrics the dashboard shows come with a backup, which PostgreSQL's own tools take")
	m := metrics.New(metrics.Build{Version: "v1"}, quiet)
	clock := anxin.NewManualClock(storetest.Epoch)
	cfg := storetest.Config(clock)
	cfg.Observer = m.Writes()
	s := storetest.MustOpenWith(t, filepath.Join(t.TempDir(), "anxin.db"), cfg)
	sch, _ := jobs.NewScheduler(s, jobs.Config{Logger: quiet})
	snd := webhook.NewSender(s, webhook.Config{Logger: quiet})
	if err := m.Watch(metrics.Sources{Store: s, Scheduler: sch.Stats, Sender: snd.Stats}); err != nil {
		t.Fatal(err)
	}
	storetest.MustMerchant(t, s, "m")
	if _, err := s.Backup(ctx, t.TempDir(), store.BackupScheduled); err != nil {
		t.Fatal(err)
	}
	m.ObserveRequest(http.MethodGet, "/queue", http.StatusOK, time.Millisecond)
	families := map[string]bool{}
	for series := range scrape(t, m) {
		name, _, _ := strings.Cut(series, "{")
		families[name] = true
		for _, suffix := range []string{"_bucket", "_count", "_sum"} {
			if base, ok := strings.CutSuffix(name, suffix); ok {
				families[base] = true
			}
		}
	}

	dash, err := os.ReadFile("../../docs/grafana-dashboard.json")
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Panels []struct {
			Title   string
			Targets []struct{ Expr string }
		}
	}
	if err := json.Unmarshal(dash, &d); err != nil {
		t.Fatalf("the dashboard is not JSON: %v", err)
	}
	name := regexp.MustCompile(`\b(anxin|go|process)_[a-z_]+\b`)
	queried := 0
	for _, p := range d.Panels {
		for _, tg := range p.Targets {
			for _, n := range name.FindAllString(tg.Expr, -1) {
				queried++
				if !families[n] {
					t.Errorf("panel %q queries %s, which is not a metric", p.Title, n)
				}
			}
		}
	}
	if queried < 20 {
		t.Errorf("the dashboard queries %d metrics", queried)
	}

	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for f := range families {
		if strings.HasPrefix(f, "anxin_") && !strings.HasSuffix(f, "_bucket") && !strings.HasSuffix(f, "_count") &&
			!strings.HasSuffix(f, "_sum") && !strings.Contains(string(readme), "`"+f) {
			t.Errorf("the README does not list %s", f)
		}
	}
}

// TestScrapesShareAReading: with Fresh set, a scrape soon after another
// reports the same reading of the database (and its age), not a new one;
// the counters measured as things happen are current all the same.
func TestScrapesShareAReading(t *testing.T) {
	m := metrics.New(metrics.Build{Version: "v1"}, quiet)
	clock := anxin.NewManualClock(storetest.Epoch)
	s := storetest.MustOpenWith(t, filepath.Join(t.TempDir(), "anxin.db"), storetest.Config(clock))
	if err := m.Watch(metrics.Sources{Store: s, Fresh: time.Hour}); err != nil {
		t.Fatal(err)
	}
	mer := storetest.MustMerchant(t, s, "m")
	storetest.MustTicket(t, s, mer.ID, anxin.Damaged, 3000)
	got := scrape(t, m)
	want(t, got, `anxin_tickets_open{state="pending_merchant"}`, 1)
	want(t, got, `anxin_metrics_db_read_age_seconds`, 0) // this scrape read it

	storetest.MustTicket(t, s, mer.ID, anxin.Damaged, 4000)
	m.ObserveRequest(http.MethodGet, "/queue", http.StatusOK, time.Millisecond)
	time.Sleep(20 * time.Millisecond)
	again := scrape(t, m)
	want(t, again, `anxin_tickets_open{state="pending_merchant"}`, 1) // the first scrape's reading
	want(t, again, `anxin_metrics_db_read_seconds`, got[`anxin_metrics_db_read_seconds`])
	if again[`anxin_metrics_db_read_age_seconds`] <= got[`anxin_metrics_db_read_age_seconds`] {
		t.Errorf("the shared reading's age went from %v to %v", got[`anxin_metrics_db_read_age_seconds`], again[`anxin_metrics_db_read_age_seconds`])
	}
	want(t, again, `anxin_http_request_duration_seconds_count{method="GET",route="/queue",status="200"}`, 1)

	// Without Fresh, every scrape reads.
	m2 := metrics.New(metrics.Build{Version: "v1"}, quiet)
	if err := m2.Watch(metrics.Sources{Store: s}); err != nil {
		t.Fatal(err)
	}
	want(t, scrape(t, m2), `anxin_tickets_open{state="pending_merchant"}`, 2)
	storetest.MustTicket(t, s, mer.ID, anxin.Damaged, 5000)
	want(t, scrape(t, m2), `anxin_tickets_open{state="pending_merchant"}`, 3)
	want(t, scrape(t, m2), `anxin_metrics_db_read_age_seconds`, 0)
}
