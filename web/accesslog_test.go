package web_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/photo"
	"github.com/anxin-helpdesk/anxin/store/storetest"
	"github.com/anxin-helpdesk/anxin/web"
	"github.com/anxin-helpdesk/anxin/web/metrics"
)

// jsonLog is a JSON log in memory, read back line by line.
type jsonLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *jsonLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *jsonLog) entries(t *testing.T) []map[string]any {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(l.buf.Bytes()))
	for sc.Scan() {
		var e map[string]any
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("log line %q: %v", sc.Text(), err)
		}
		out = append(out, e)
	}
	return out
}

func (l *jsonLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// accessLines are the access-log lines.
func accessLines(t *testing.T, l *jsonLog) []map[string]any {
	var out []map[string]any
	for _, e := range l.entries(t) {
		if e["msg"] == "request" {
			out = append(out, e)
		}
	}
	return out
}

// newLoggedEnv is an env whose server logs JSON at debug into the returned
// log and counts requests in the returned metrics.
func newLoggedEnv(t *testing.T) (*env, *jsonLog, *metrics.Metrics) {
	var logs jsonLog
	log := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	m := metrics.New(metrics.Build{Version: "test"}, log)
	e := newEnvConfig(t, photo.Options{}, func(c *web.Config) {
		c.Logger = log
		c.Metrics = m
	})
	return e, &logs, m
}

// TestAccessLog: one line per request, at info, with the method, the route
// pattern, the path without its query, the status, the duration, the bytes,
// the request id and the user; probes are neither logged nor counted.
func TestAccessLog(t *testing.T) {
	e, logs, m := newLoggedEnv(t)
	agent := storetest.MustUser(t, e.store, anxin.RoleAgent, "agent", 0)
	merchant := storetest.MustMerchant(t, e.store, "虎门服装")
	tk := storetest.MustTicket(t, e.store, merchant.ID, anxin.Damaged, 12900)
	c := e.client()
	c.login(agent)
	before := len(accessLines(t, logs))

	for _, p := range []string{"/healthz", "/livez"} {
		res, err := http.Get(e.srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
	}
	res, _ := c.get("/tickets/" + tk.Number)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("ticket page: %s", res.Status)
	}
	c.get("/queue?q=13812345678") // a search for a phone number
	c.get("/no/such/page")

	lines := accessLines(t, logs)[before:]
	if len(lines) != 3 {
		t.Fatalf("%d access lines for three requests and two probes:\n%s", len(lines), logs)
	}
	ticket := lines[0]
	want := map[string]any{"level": "INFO", "method": "GET", "route": "/tickets/:number", "path": "/tickets/" + tk.Number,
		"status": float64(200), "request_id": res.Header.Get("X-Request-Id"), "user": float64(agent.ID)}
	for k, v := range want {
		if ticket[k] != v {
			t.Errorf("%s = %v, want %v", k, ticket[k], v)
		}
	}
	if b, _ := ticket["bytes"].(float64); b < 1000 {
		t.Errorf("bytes = %v for the ticket page", ticket["bytes"])
	}
	if _, ok := ticket["took"].(float64); !ok {
		t.Errorf("no duration: %v", ticket)
	}
	if lines[1]["path"] != "/queue" || strings.Contains(logs.String(), "13812345678") {
		t.Errorf("the query string reached the log: %v", lines[1])
	}
	if lines[2]["route"] != "unmatched" || lines[2]["status"] != float64(404) {
		t.Errorf("an unknown page is logged as %v %v", lines[2]["route"], lines[2]["status"])
	}
	for _, l := range accessLines(t, logs) {
		if r := l["route"]; r == "/healthz" || r == "/livez" {
			t.Errorf("a probe was logged: %v", l)
		}
	}

	got := scrape(t, m)
	for _, series := range []string{
		`anxin_http_request_duration_seconds_count{method="GET",route="/tickets/:number",status="200"} 1`,
		`anxin_http_request_duration_seconds_count{method="GET",route="unmatched",status="404"} 1`,
	} {
		if !strings.Contains(got, series+"\n") {
			t.Errorf("the metrics lack %s", series)
		}
	}
	if strings.Contains(got, `route="/healthz"`) || strings.Contains(got, `route="/livez"`) || strings.Contains(got, "/no/such/page") {
		t.Error("the metrics count probes or name a path the client chose")
	}
}

// TestClientGoneIsNotAnError: a request whose client went away before it
// was answered is logged at info with status 499, and no error is logged.
func TestClientGoneIsNotAnError(t *testing.T) {
	e, logs, m := newLoggedEnv(t)
	agent := storetest.MustUser(t, e.store, anxin.RoleAgent, "agent", 0)
	c := e.client()
	c.login(agent)
	u, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/queue", nil)
	req := httptest.NewRequest(http.MethodGet, "/queue", nil)
	for _, ck := range c.http.Jar.Cookies(u.URL) {
		req.AddCookie(ck)
	}
	gone, cancel := context.WithCancel(ctx)
	cancel() // the client hung up before the database was asked
	rec := httptest.NewRecorder()
	e.web.ServeHTTP(rec, req.WithContext(gone))

	lines := accessLines(t, logs)
	last := lines[len(lines)-1]
	if last["level"] != "INFO" || last["status"] != float64(499) || last["client_gone"] != true || last["route"] != "/queue" {
		t.Errorf("logged as %v", last)
	}
	for _, l := range logs.entries(t) {
		if l["level"] == "ERROR" {
			t.Errorf("logged as an error: %v", l)
		}
	}
	if rec.Body.Len() != 0 {
		t.Errorf("an answer was written for nobody: %q", rec.Body.String())
	}
	if !strings.Contains(scrape(t, m), `anxin_http_request_duration_seconds_count{method="GET",route="/queue",status="499"} 1`) {
		t.Error("the metrics do not count it as 499")
	}
}

// scrape reads the metrics as Prometheus would.
func scrape(t *testing.T, m *metrics.Metrics) string {
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
		t.Fatalf("scrape: %s %s", res.Status, b)
	}
	return string(b)
}
