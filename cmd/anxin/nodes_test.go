package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store"
	"github.com/anxin-helpdesk/anxin/store/storetest"
)

// The tests of several nodes: two real `anxin serve` processes on one
// PostgreSQL database, driven over HTTP as browsers drive them. They run
// when ANXIN_TEST_POSTGRES names a server whose user may create databases
// (each test makes one of its own), and skip otherwise (they fail instead
// when ANXIN_POSTGRES_REQUIRED=1).

// nodesDB makes a fresh PostgreSQL database for a test of several nodes,
// and opens the store on it with clock, to prepare what the nodes will
// find; the caller closes the store before starting them.
func nodesDB(t *testing.T, clock anxin.Clock) (string, *store.Store) {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	db := storetest.FreshPostgres(t)
	st, err := store.Open(context.Background(), db, storetest.Config(clock))
	if err != nil {
		t.Fatal(err)
	}
	return db, st
}

// closeStore closes the store the test prepared the data with.
func closeStore(t *testing.T, st *store.Store) {
	t.Helper()
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
}

// sessionKey is a fresh ANXIN_SESSION_KEY, shared by the nodes of a test.
func sessionKey(t *testing.T) string {
	t.Helper()
	key := make([]byte, 64)
	if _, err := rand.Read(key); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(key)
}

// node is one `anxin serve` process.
type node struct {
	t       *testing.T
	name    string
	cmd     *exec.Cmd
	base    string // http://127.0.0.1:PORT
	metrics string // http://127.0.0.1:PORT/metrics
	stdout  *syncBuffer
	stderr  *syncBuffer
	exited  chan struct{}
	err     error // Wait's, once exited is closed
}

var (
	servingLine = regexp.MustCompile(`is serving (http://\S+)`)
	metricsLine = regexp.MustCompile(`metrics at (http://\S+/metrics)`)
)

// startNode starts `anxin serve` on the database, on ports of its own (the
// metrics too), with the session key, and waits until it says it serves.
// The process is killed when the test ends; its log is shown if the test
// failed.
func startNode(t *testing.T, bin, db, key, name string) *node {
	t.Helper()
	dir := t.TempDir()
	n := &node{t: t, name: name, stdout: &syncBuffer{}, stderr: &syncBuffer{}, exited: make(chan struct{})}
	n.cmd = exec.Command(bin, "serve", "--db", db, "--addr", "127.0.0.1:0", "--metrics-addr", "127.0.0.1:0")
	n.cmd.Dir = dir
	n.cmd.Env = []string{"PATH=/usr/bin:/bin", "HOME=" + dir, "ANXIN_SESSION_KEY=" + key}
	n.cmd.Stdout, n.cmd.Stderr = n.stdout, n.stderr
	if err := n.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		n.err = n.cmd.Wait()
		close(n.exited)
	}()
	t.Cleanup(func() {
		n.kill()
		if t.Failed() {
			t.Logf("node %s: stdout:\n%s\nstderr:\n%s", n.name, n.stdout.String(), tail(n.stderr.String(), 60))
		}
	})
	deadline := time.Now().Add(60 * time.Second)
	for {
		out := n.stdout.String()
		s, m := servingLine.FindStringSubmatch(out), metricsLine.FindStringSubmatch(out)
		if s != nil && m != nil {
			n.base, n.metrics = s[1], m[1]
			return n
		}
		select {
		case <-n.exited:
			t.Fatalf("node %s ended before serving: %v\n%s%s", name, n.err, out, n.stderr.String())
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("node %s: not serving after 60 s\n%s%s", name, out, n.stderr.String())
		}
	}
}

// kill ends the process at once (SIGKILL: no shutdown of its own), and
// waits for it.
func (n *node) kill() {
	select {
	case <-n.exited:
		return
	default:
	}
	_ = n.cmd.Process.Kill()
	<-n.exited
}

// tail is the last lines of s.
func tail(s string, lines int) string {
	all := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(all) > lines {
		all = append([]string{fmt.Sprintf("[%d lines before]", len(all)-lines)}, all[len(all)-lines:]...)
	}
	return strings.Join(all, "\n")
}

// metric reads one series from the node's /metrics, e.g.
// anxin_scheduler_leading or anxin_scheduler_actions_total{kind="timeout",result="done"}.
func (n *node) metric(series string) (float64, error) {
	c := http.Client{Timeout: 5 * time.Second}
	res, err := c.Get(n.metrics)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("metrics: %s", res.Status)
	}
	lines := bufio.NewScanner(res.Body)
	for lines.Scan() {
		if v, ok := strings.CutPrefix(lines.Text(), series+" "); ok {
			return strconv.ParseFloat(strings.TrimSpace(v), 64)
		}
	}
	if err := lines.Err(); err != nil {
		return 0, err
	}
	return 0, fmt.Errorf("no %s in the metrics", series)
}

// leading tells whether the node says it runs the scheduler.
func (n *node) leading() bool {
	v, err := n.metric("anxin_scheduler_leading")
	return err == nil && v == 1
}

const timeoutsDone = `anxin_scheduler_actions_total{kind="timeout",result="done"}`

// browser is one person's browser on one node: a cookie jar (cookies do
// not tell ports apart, so one browser per node) and the CSRF token of the
// last page. Its methods may run at once, once logged in.
type browser struct {
	t    *testing.T
	node *node
	http *http.Client
	mu   sync.Mutex
	csrf string
}

func newBrowser(t *testing.T, n *node) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, node: n, http: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// get fetches a page, remembering its CSRF token.
func (b *browser) get(path string) (int, *goquery.Document, error) {
	res, err := b.http.Get(b.node.base + path)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	doc, err := goquery.NewDocumentFromReader(res.Body)
	if err != nil {
		return res.StatusCode, nil, err
	}
	if tok, ok := doc.Find(`input[name="_csrf"]`).First().Attr("value"); ok {
		b.mu.Lock()
		b.csrf = tok
		b.mu.Unlock()
	}
	return res.StatusCode, doc, nil
}

// post submits a form as the browser does, with the CSRF token of the
// last page; it follows no redirect.
func (b *browser) post(path string, form url.Values) (status int, location string, doc *goquery.Document, err error) {
	b.mu.Lock()
	form.Set("_csrf", b.csrf)
	body := form.Encode()
	b.mu.Unlock()
	req, err := http.NewRequest(http.MethodPost, b.node.base+path, strings.NewReader(body))
	if err != nil {
		return 0, "", nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := b.http.Do(req)
	if err != nil {
		return 0, "", nil, err
	}
	defer res.Body.Close()
	doc, err = goquery.NewDocumentFromReader(res.Body)
	return res.StatusCode, res.Header.Get("Location"), doc, err
}

// mustGet is get for the test's own goroutine.
func (b *browser) mustGet(path string) *goquery.Document {
	b.t.Helper()
	status, doc, err := b.get(path)
	if err != nil || status != http.StatusOK {
		b.t.Fatalf("GET %s%s: %d %v", b.node.base, path, status, err)
	}
	return doc
}

// login logs in as the user (whose password is storetest.Password).
func (b *browser) login(u anxin.User) {
	b.t.Helper()
	b.mustGet("/login")
	status, _, _, err := b.post("/login", url.Values{"email": {u.Email}, "password": {storetest.Password}})
	if err != nil || status != http.StatusSeeOther {
		b.t.Fatalf("log in as %s on node %s: %d %v", u.Email, b.node.name, status, err)
	}
	b.mustGet("/queue") // the new session's CSRF token
}

// approveForm is the approve form of the ticket page as the browser shows
// it: the version the page gave.
func (b *browser) approveForm(number string) url.Values {
	b.t.Helper()
	doc := b.mustGet("/tickets/" + number)
	form := doc.Find(`form[action="/tickets/` + number + `/actions/approve"]`)
	version, ok := form.Find(`input[name="version"]`).Attr("value")
	if form.Length() == 0 || !ok {
		b.t.Fatalf("node %s: ticket %s shows no approve form", b.node.name, number)
	}
	return url.Values{"version": {version}}
}

// sse is one event of a live stream, and when it arrived.
type sse struct {
	name, data string
	at         time.Time
}

// events opens the live stream a page opens (EventSource("/events") on the
// queue page) and delivers its events; it is closed when the test ends.
func (b *browser) events(path string) <-chan sse {
	b.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, b.node.base+path, nil)
	req.Header.Set("Accept", "text/event-stream")
	client := *b.http
	client.Timeout = 0 // a stream stays open
	res, err := client.Do(req)
	if err != nil {
		cancel()
		b.t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/event-stream") {
		cancel()
		res.Body.Close()
		b.t.Fatalf("GET %s on node %s: %s %s", path, b.node.name, res.Status, res.Header.Get("Content-Type"))
	}
	out := make(chan sse, 64)
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer close(out)
		lines := bufio.NewScanner(res.Body)
		var e sse
		for lines.Scan() {
			line := lines.Text()
			switch {
			case line == "":
				if e.name != "" {
					e.at = time.Now()
					out <- e
				}
				e = sse{}
			case strings.HasPrefix(line, "event: "):
				e.name = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				e.data = strings.TrimPrefix(line, "data: ")
			}
		}
	}()
	b.t.Cleanup(func() {
		cancel()
		res.Body.Close()
		<-done
	})
	return out
}

// pgDB opens the database for the test's own reads (SQLite's placeholders,
// as the store's queries are written), closed when the test ends.
func pgDB(t *testing.T, db string) *sql.DB {
	t.Helper()
	d, err := store.OpenPostgresDB(db, true)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func count(t *testing.T, db *sql.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := db.QueryRowContext(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// poll calls cond every 20 ms until it holds, and fails the test if it does
// not within limit; it returns how long it took.
func poll(t *testing.T, limit time.Duration, what string, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > limit {
			t.Fatalf("%s: not within %v", what, limit)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return time.Since(start)
}

// TestNodesLiveAcrossNodes: a person logged in on one node is logged in on
// the other (the same session key, the logins in the database), and an
// approval on node A reaches, within 2 s, the live stream of a queue open
// on node B, as it reaches a queue open on A itself.
func TestNodesLiveAcrossNodes(t *testing.T) {
	db, st := nodesDB(t, anxin.NewManualClock(time.Now()))
	m := storetest.MustMerchant(t, st, "鲜果坊")
	agentA := storetest.MustUser(t, st, anxin.RoleAgent, "王晓", 0)
	agentB := storetest.MustUser(t, st, anxin.RoleAgent, "陈静", 0)
	tk := storetest.MustTicket(t, st, m.ID, anxin.FreshSpoiled, 29900) // above the instant-refund limit
	closeStore(t, st)
	if tk.State != anxin.PendingMerchant {
		t.Fatalf("the ticket is %s, want pending the merchant", tk.State)
	}
	_, bin := buildBinary(t)
	key := sessionKey(t)
	a := startNode(t, bin, db, key, "A")
	b := startNode(t, bin, db, key, "B")

	// One login, both nodes: the cookie A set is taken by B.
	onA := newBrowser(t, a)
	onA.login(agentA)
	u, _ := url.Parse(a.base)
	cookies := onA.http.Jar.Cookies(u)
	req, _ := http.NewRequest(http.MethodGet, b.base+"/queue", nil)
	for _, c := range cookies {
		req.AddCookie(c)
	}
	res, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Errorf("node B answers the session node A started with %s, want the queue", res.Status)
	}

	onB := newBrowser(t, b)
	onB.login(agentB)
	streamB := onB.events("/events")
	streamA := onA.events("/events") // the same node's: the control

	// The row on B's queue, as its live region shows it.
	refresh := onB.mustGet("/queue").Find("#queue-live").AttrOr("data-refresh", "")
	rowVersion := func() (string, bool) {
		return onB.mustGet(refresh).Find(`tr[data-ticket-number="` + tk.Number + `"]`).Attr("data-version")
	}
	before, ok := rowVersion()
	if refresh == "" || !ok {
		t.Fatalf("node B's queue (%q) shows no row for %s", refresh, tk.Number)
	}

	form := onA.approveForm(tk.Number)
	start := time.Now()
	status, location, _, err := onA.post("/tickets/"+tk.Number+"/actions/approve", form)
	if err != nil || status != http.StatusSeeOther {
		t.Fatalf("approve on node A: %d %v", status, err)
	}
	t.Logf("approve on A: %v, then %s", time.Since(start).Round(time.Millisecond), location)

	// Each stream has until 2 s after the approval was sent.
	changed := func(stream <-chan sse) (time.Duration, bool) {
		timer := time.NewTimer(time.Until(start.Add(2 * time.Second)))
		defer timer.Stop()
		for {
			select {
			case e, ok := <-stream:
				if !ok {
					return 0, false
				}
				if e.name == "changed" && e.data == tk.Number {
					return e.at.Sub(start), true
				}
			case <-timer.C:
				return 0, false
			}
		}
	}
	if took, ok := changed(streamA); ok {
		t.Logf("node A's own queue heard of it %v after the approval was sent", took.Round(time.Millisecond))
	} else {
		t.Errorf("node A's own queue did not hear of the approval within 2 s")
	}
	took, ok := changed(streamB)
	if !ok {
		t.Fatalf("node B's queue did not hear of the approval on node A within 2 s " +
			"(a node hears of the other nodes' commits only through PostgreSQL: LISTEN/NOTIFY)")
	}
	t.Logf("node B's queue heard of it %v after the approval was sent on node A", took.Round(time.Millisecond))
	// What the queue page then fetches (its live region) shows the ticket
	// as it is now.
	if v, ok := rowVersion(); ok && v == before {
		t.Errorf("node B's queue still shows %s at version %s after the approval", tk.Number, v)
	}
}

// TestNodesRaceOneTransition: 50 approvals of one ticket at once, 25 to
// each node, from ten agents with the version their page gave: one wins,
// the 49 others are told the ticket was handled (409), and the database
// holds one approval and one refund.
func TestNodesRaceOneTransition(t *testing.T) {
	db, st := nodesDB(t, anxin.NewManualClock(time.Now()))
	m := storetest.MustMerchant(t, st, "鲜果坊")
	var agents []anxin.User
	for i := range 10 {
		agents = append(agents, storetest.MustUser(t, st, anxin.RoleAgent, fmt.Sprintf("坐席%d", i), 0))
	}
	tk := storetest.MustTicket(t, st, m.ID, anxin.FreshSpoiled, 29900)
	closeStore(t, st)
	_, bin := buildBinary(t)
	key := sessionKey(t)
	nodes := []*node{startNode(t, bin, db, key, "A"), startNode(t, bin, db, key, "B")}

	browsers := make([]*browser, len(agents))
	forms := make([]url.Values, len(agents))
	for i, u := range agents {
		browsers[i] = newBrowser(t, nodes[i%2])
		browsers[i].login(u)
		forms[i] = browsers[i].approveForm(tk.Number)
		if got := forms[i].Get("version"); got != strconv.FormatInt(tk.Version, 10) {
			t.Fatalf("node %s shows version %s, want %d", nodes[i%2].name, got, tk.Version)
		}
	}

	type answer struct {
		node   string
		status int
		what   string // the page's outcome
		err    error
	}
	const n = 50
	answers := make([]answer, n)
	var ready, wg sync.WaitGroup
	ready.Add(n)
	gate := make(chan struct{})
	for i := range n {
		b := browsers[i%len(browsers)] // even i: node A, odd: node B
		wg.Go(func() {
			form := url.Values{"version": forms[i%len(browsers)]["version"]}
			ready.Done()
			<-gate
			status, _, doc, err := b.post("/tickets/"+tk.Number+"/actions/approve", form)
			answers[i] = answer{node: b.node.name, status: status, err: err}
			if doc != nil {
				answers[i].what = doc.Find("#outcome").AttrOr("data-outcome", "")
			}
		})
	}
	ready.Wait()
	start := time.Now()
	close(gate)
	wg.Wait()
	t.Logf("50 approvals answered in %v", time.Since(start).Round(time.Millisecond))

	won, handled := map[string]int{}, map[string]int{}
	for i, a := range answers {
		switch {
		case a.err != nil:
			t.Errorf("approval %d on node %s: %v", i, a.node, a.err)
		case a.status == http.StatusSeeOther:
			won[a.node]++
		case a.status == http.StatusConflict && a.what == "handled":
			handled[a.node]++
		default:
			t.Errorf("approval %d on node %s: %d, outcome %q; want 303 (done) or 409 (handled)", i, a.node, a.status, a.what)
		}
	}
	t.Logf("won: %v; told it was handled: %v", won, handled)
	if won["A"]+won["B"] != 1 || handled["A"]+handled["B"] != n-1 {
		t.Errorf("%d approvals won and %d were told the ticket was handled; want 1 and %d", won["A"]+won["B"], handled["A"]+handled["B"], n-1)
	}
	d := pgDB(t, db)
	if got := count(t, d, `SELECT count(*) FROM ticket_events WHERE ticket_id = ? AND action = 'approve'`, tk.ID); got != 1 {
		t.Errorf("%d approve events, want 1", got)
	}
	if got := count(t, d, `SELECT count(*) FROM refunds WHERE ticket_id = ?`, tk.ID); got > 1 {
		t.Errorf("%d refunds, want at most 1", got)
	}
}

// TestNodesSchedulerHandover: hundreds of deadlines passed while nothing
// ran. Node A starts, leads the scheduler and begins acting on them; node B
// starts and waits; A is killed (SIGKILL) halfway. B takes the lead within
// 10 s and finishes, and every ticket has exactly one timeout.
func TestNodesSchedulerHandover(t *testing.T) {
	clock := anxin.NewManualClock(time.Now().Add(-72 * time.Hour))
	db, st := nodesDB(t, clock)
	m := storetest.MustMerchant(t, st, "鲜果坊")
	const tickets = 800
	// Spoiled fresh food is approved by the system once the merchant's 24 h
	// have passed: 48 h ago for the nodes, on the wall clock.
	var wg sync.WaitGroup
	errs := make(chan error, tickets)
	ids := make(chan int64, tickets)
	for w := range 8 {
		wg.Go(func() {
			for i := w; i < tickets; i += 8 {
				tk, err := st.CreateTicket(context.Background(), storetest.Claim(m.ID, anxin.FreshSpoiled, 29900, clock.Now()))
				if err != nil {
					errs <- err
					return
				}
				ids <- tk.ID
			}
		})
	}
	wg.Wait()
	close(errs)
	close(ids)
	if err := <-errs; err != nil {
		t.Fatal(err)
	}
	closeStore(t, st)
	d := pgDB(t, db)
	nowMS := func() int64 { return time.Now().UnixMilli() }
	if got := count(t, d, `SELECT count(*) FROM tickets WHERE auto_at <= ?`, nowMS()); got != tickets {
		t.Fatalf("%d tickets past their deadline, want %d", got, tickets)
	}
	timeouts := func() int { return count(t, d, `SELECT count(*) FROM ticket_events WHERE action = 'timeout'`) }

	_, bin := buildBinary(t)
	key := sessionKey(t)
	a := startNode(t, bin, db, key, "A")
	poll(t, 10*time.Second, "node A leads the scheduler", a.leading)
	b := startNode(t, bin, db, key, "B")
	poll(t, 30*time.Second, "node A has begun acting on the passed deadlines", func() bool { return timeouts() > 0 })
	if b.leading() || !a.leading() {
		t.Fatal("node B leads while node A runs")
	}
	a.kill()
	killed := time.Now()
	before := timeouts()
	t.Logf("node A killed after %d of %d timeouts", before, tickets)
	if before >= tickets {
		t.Fatalf("node A acted on every deadline before it was killed: nothing was left to hand over; make more tickets")
	}

	handover := poll(t, 10*time.Second, "node B takes the lead after node A was killed", b.leading)
	t.Logf("handover: node B leads %v after node A was killed", handover.Round(time.Millisecond))
	poll(t, 60*time.Second, "no passed deadline remains", func() bool {
		return count(t, d, `SELECT count(*) FROM tickets WHERE auto_at <= ?`, nowMS()) == 0
	})
	t.Logf("node B finished %v after node A was killed", time.Since(killed).Round(time.Millisecond))
	if v, err := b.metric(timeoutsDone); err == nil {
		t.Logf("node B acted on %v deadlines", v)
	}

	if got := timeouts(); got != tickets {
		t.Errorf("%d timeout events, want %d", got, tickets)
	}
	rows, err := d.QueryContext(context.Background(), `SELECT t.id, count(e.id) FROM tickets t
		LEFT JOIN ticket_events e ON e.ticket_id = t.id AND e.action = 'timeout'
		GROUP BY t.id HAVING count(e.id) <> 1 ORDER BY t.id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, n int64
		if err := rows.Scan(&id, &n); err != nil {
			t.Fatal(err)
		}
		t.Errorf("ticket %s has %d timeout events, want 1", anxin.TicketNumber(id), n)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if got := count(t, d, `SELECT count(*) FROM tickets WHERE state = ?`, string(anxin.PendingMerchant)); got != 0 {
		t.Errorf("%d tickets still pending the merchant", got)
	}
	if got := count(t, d, `SELECT count(*) FROM (SELECT ticket_id FROM refunds GROUP BY ticket_id HAVING count(*) > 1) x`); got != 0 {
		t.Errorf("%d tickets with more than one refund", got)
	}
}
