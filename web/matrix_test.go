package web_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store"
	"github.com/anxin-helpdesk/anxin/store/storetest"
)

// world is two merchants with a ticket each (photo, note, refund), and who's who.
type world struct {
	e          *env
	a, b       anxin.Merchant
	ta, tb     anxin.Ticket
	photoB     anxin.Evidence
	addressB   anxin.ReturnAddress
	userB      anxin.User
	admin      anxin.User
	secretsOfB []string // what must never appear in an answer to merchant A
}

func newWorld(t *testing.T) *world {
	t.Helper()
	e := newEnv(t)
	w := &world{e: e}
	w.a = storetest.MustMerchant(t, e.store, "玉颜美妆旗舰店")
	w.b = storetest.MustMerchant(t, e.store, "义乌优品家居百货")
	w.ta = storetest.MustTicket(t, e.store, w.a.ID, anxin.QualityReturn, 36800)
	claim := storetest.Claim(w.b.ID, anxin.Damaged, 5900, e.clock.Now())
	claim.Order.Product, claim.BuyerPhone, claim.Reason = "不锈钢保温杯B款", "13912345678", "杯身凹陷B"
	var err error
	if w.tb, err = e.store.CreateTicket(ctx, claim); err != nil {
		t.Fatal(err)
	}
	w.photoB = storetest.MustPhoto(t, e.store, w.tb.ID, "parcel")
	w.addressB = storetest.MustAddress(t, e.store, w.b.ID, "B的二号仓")
	agent := storetest.MustUser(t, e.store, anxin.RoleAgent, "王晓", 0)
	if _, err := e.store.AddNote(ctx, w.tb.ID, agent.Actor(), "B的内部备注", false); err != nil {
		t.Fatal(err)
	}
	w.userB = storetest.MustUser(t, e.store, anxin.RoleMerchant, "B店员", w.b.ID)
	w.admin = storetest.MustUser(t, e.store, anxin.RoleAdmin, "管理员", 0)
	w.secretsOfB = []string{w.tb.Number, w.b.Name, w.b.Code, claim.Order.Product, claim.Order.ID, "杯身凹陷B",
		"B的内部备注", "139****5678", w.userB.Email, w.photoB.SHA256, "B的二号仓"}
	return w
}

// params fills a route's path parameters with B's resources. A parameter the
// test does not know fails the test: a new route must say what it reaches.
func (w *world) path(t *testing.T, route string) string {
	t.Helper()
	values := map[string]string{
		":number":  w.tb.Number,
		":id":      fmt.Sprint(w.photoB.ID),
		":action":  string(anxin.Approve),
		":code":    w.b.Code,
		":service": string(anxin.BeautyAllergy),
		"*":        "app.css",
	}
	if strings.HasPrefix(route, "/admin/users/") {
		values[":id"] = fmt.Sprint(w.userB.ID)
	}
	if strings.Contains(route, "/addresses/") {
		values[":id"] = fmt.Sprint(w.addressB.ID)
	}
	out := regexp.MustCompile(`:[a-z_]+|\*`).ReplaceAllStringFunc(route, func(p string) string {
		v, ok := values[p]
		if !ok {
			t.Fatalf("route %s: the matrix has no value for %s; add one", route, p)
		}
		return v
	})
	if route == "/events" {
		out += "?ticket=" + w.tb.Number
	}
	return out
}

// fingerprint sums up everything a request could change.
func fingerprint(t *testing.T, s *store.Store) string {
	t.Helper()
	db := storetest.DB(t, s)
	var out []string
	for _, q := range []string{
		`SELECT count(*), coalesce(sum(version), 0), coalesce(sum(coalesce(assignee_id, 0)), 0) FROM tickets`,
		`SELECT count(*), 0, 0 FROM ticket_events`, `SELECT count(*), 0, 0 FROM notes`, `SELECT count(*), 0, 0 FROM evidence`,
		`SELECT count(*), 0, 0 FROM refunds`, `SELECT count(*), sum(session_version), sum(coalesce(disabled_at, 0)) FROM users`,
		`SELECT count(*), 0, 0 FROM merchants`, `SELECT count(*), 0, 0 FROM merchant_policies`,
		// An export is a read that is audited: A's export of its own view is
		// not a change (what it held is checked like every other answer).
		`SELECT count(*), 0, 0 FROM audit_log WHERE action <> 'export_tickets'`,
		`SELECT count(*), 0, 0 FROM messages`, `SELECT count(*), 0, 0 FROM macros`,
		`SELECT count(*), 0, sum(length(lang)) FROM users`,
		`SELECT count(*), coalesce(sum(is_default), 0), coalesce(sum(length(street)), 0) FROM merchant_addresses`,
		`SELECT count(*), 0, coalesce(sum(length(street)), 0) FROM ticket_addresses`,
		`SELECT count(*), 0, 0 FROM shipments`, `SELECT count(*), 0, 0 FROM postage_payouts`,
		`SELECT count(*), coalesce(sum(enabled), 0), coalesce(sum(max_fen + per_buyer), 0) FROM merchant_rules`,
		`SELECT count(*), coalesce(sum(per_buyer_max), 0), coalesce(sum(returnless_max_fen), 0) FROM rule_limits`,
	} {
		var a, b, c int64
		if err := db.QueryRow(q).Scan(&a, &b, &c); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		out = append(out, fmt.Sprint(a, b, c))
	}
	return strings.Join(out, "|")
}

// TestMerchantCannotReachAnotherMerchant walks every route of the router as
// merchant A's user against merchant B's ticket, photo, note, user and figures.
func TestMerchantCannotReachAnotherMerchant(t *testing.T) {
	w := newWorld(t)
	c := w.e.client()
	c.login(storetest.MustUser(t, w.e.store, anxin.RoleMerchant, "A店员", w.a.ID))
	before := fingerprint(t, w.e.store)
	checked := 0
	for _, r := range w.e.web.Routes() {
		if r.Path == "/logout" {
			continue // would end the walk; it reaches nothing of anyone's
		}
		path := w.path(t, r.Path)
		form := url.Values{"_csrf": {c.csrf}, "version": {fmt.Sprint(w.tb.Version)}, "body": {"A was here"},
			"assignee": {"0"}, "reason": {"x"}, "reason_code": {"Other"}, "lang": {"zh"}, "tickets": {w.tb.Number + ":1"},
			"action": {"approve"}, "email": {"a-was-here@example.com"}, "password": {"whatever-password"}}
		req, _ := http.NewRequest(r.Method, w.e.srv.URL+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		res, err := c.http.Do(req.WithContext(rctx))
		if err != nil {
			cancel()
			t.Fatalf("%s %s: %v", r.Method, path, err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		cancel()
		reachesB := strings.ContainsAny(r.Path, ":")
		switch {
		case reachesB && r.Path != "/static/*" && res.StatusCode != http.StatusNotFound && res.StatusCode != http.StatusForbidden &&
			!(strings.HasPrefix(r.Path, "/api/") && res.StatusCode == http.StatusUnauthorized):
			t.Errorf("%s %s as merchant A: %s, want 404 or 403", r.Method, path, res.Status)
		case r.Path == "/events" && res.StatusCode != http.StatusNotFound:
			t.Errorf("%s %s as merchant A: %s, want 404", r.Method, path, res.Status)
		}
		for _, secret := range w.secretsOfB {
			if strings.Contains(string(body), secret) {
				t.Errorf("%s %s as merchant A leaks %q", r.Method, path, secret)
			}
		}
		checked++
	}
	if after := fingerprint(t, w.e.store); after != before {
		// The walk may change A's own language (POST /lang) and nothing else.
		t.Errorf("merchant A's walk changed data:\n%s\n%s", before, after)
	}
	t.Logf("%d routes walked", checked)
}

// TestUnsafeRequestsWithoutCSRFChangeNothing sends every unsafe route, as an
// admin (who may do the most), without a CSRF token and with a forged one.
func TestUnsafeRequestsWithoutCSRFChangeNothing(t *testing.T) {
	w := newWorld(t)
	c := w.e.client()
	c.login(w.admin)
	before := fingerprint(t, w.e.store)
	n := 0
	for _, r := range w.e.web.Routes() {
		if r.Method == http.MethodGet || r.Method == http.MethodHead || strings.HasPrefix(r.Path, "/api/") {
			continue // safe methods; the API authenticates by bearer key, not by cookie
		}
		path := w.path(t, r.Path)
		for _, token := range []string{"", "forged"} {
			form := url.Values{"version": {fmt.Sprint(w.tb.Version)}, "body": {"note"}, "assignee": {"0"}, "lang": {"en"},
				"tickets": {w.tb.Number + ":1"}, "action": {"approve"}, "role": {"agent"}, "code": {"new-shop"}, "name": {"x"},
				"email": {w.admin.Email}, "password": {storetest.Password}}
			form.Set("_csrf", token) // set, even empty: the client adds its real token only when the field is absent
			res, _ := c.post(path, form)
			if res.StatusCode != http.StatusForbidden {
				t.Errorf("%s %s with CSRF token %q: %s, want 403", r.Method, path, token, res.Status)
			}
		}
		n++
	}
	if after := fingerprint(t, w.e.store); after != before {
		t.Errorf("requests without a valid CSRF token changed data:\n%s\n%s", before, after)
	}
	if !loggedIn(c) {
		t.Error("a request without a CSRF token logged the admin out")
	}
	t.Logf("%d unsafe routes", n)
}

// TestMerchantKeyCannotReachAnotherMerchant walks every route of the intake
// API with merchant A's key against merchant B's ticket, photo, refund and
// code: another merchant's ticket answers 404 like a missing one, its code
// like an unknown merchant, nothing of B's is in any answer and nothing
// changes.
func TestMerchantKeyCannotReachAnotherMerchant(t *testing.T) {
	w := newWorld(t)
	agent := storetest.MustUser(t, w.e.store, anxin.RoleAgent, "陈静", 0).Actor()
	refundB, err := w.e.store.Decide(ctx, w.tb.ID, anxin.Decision{Action: anxin.Refund, Actor: agent, Version: w.tb.Version})
	if err != nil {
		t.Fatal(err)
	}
	rB, _ := w.e.store.Refund(ctx, anxin.AllMerchants(), refundB.ID)
	keyA, secretA, err := w.e.store.CreateAPIKey(ctx, "A的ERP", anxin.KeyScope{MerchantID: w.a.ID})
	if err != nil {
		t.Fatal(err)
	}
	api := &apiEnv{env: w.e, key: secretA, merchant: w.a}
	bodies := map[string]any{
		"/api/v1/tickets":            claimFor(w.e, w.b.Code),
		"/api/v1/tickets/:id/events": map[string]any{"type": "cancelled"},
		"/api/v1/tickets/:id/logistics": map[string]any{"direction": "return", "carrier": "SF", "tracking": "SF1",
			"status": "delivered", "at": w.e.clock.Now().Format(time.RFC3339)},
		"/api/v1/tickets/:id/messages":   map[string]any{"body": "在吗"},
		"/api/v1/merchants/:code/orders": map[string]any{"days": []map[string]any{{"day": "2026-11-25", "orders": 1}}},
		"/api/v1/refunds/:number/result": map[string]any{"result": "succeeded"},
	}
	before := fingerprint(t, w.e.store)
	checked := 0
	for _, r := range w.e.web.Routes() {
		if !strings.HasPrefix(r.Path, "/api/") || r.Path == "/api/v1/openapi.json" {
			continue
		}
		path := strings.NewReplacer(":id", w.tb.Number, ":code", w.b.Code, ":number", rB.Number).Replace(r.Path)
		res := api.call(r.Method, path, bodies[r.Path])
		want := []int{http.StatusNotFound}
		switch r.Path {
		case "/api/v1/tickets":
			if r.Method == http.MethodGet { // the list: A's tickets only, B's filter refused
				res2 := api.call("GET", "/api/v1/tickets?merchant="+w.b.Code, nil)
				if res2.code() != anxin.EUNKNOWNMERCHANT {
					t.Errorf("GET the list filtered on B with A's key: %d %s", res2.status, res2.body)
				}
				want = []int{http.StatusOK}
			} else {
				want = []int{http.StatusUnprocessableEntity} // a claim for B: B is unknown to A's key
			}
		case "/api/v1/merchants/:code/orders":
			want = []int{http.StatusUnprocessableEntity}
		case "/api/v1/tickets/:id/evidence":
			want = []int{http.StatusNotFound, http.StatusBadRequest}
		}
		if !slices.Contains(want, res.status) {
			t.Errorf("%s %s with merchant A's key: %d %s, want %v", r.Method, path, res.status, res.body, want)
		}
		if res.status == http.StatusUnprocessableEntity && res.code() != anxin.EUNKNOWNMERCHANT {
			t.Errorf("%s %s with merchant A's key: %s, want %s", r.Method, path, res.code(), anxin.EUNKNOWNMERCHANT)
		}
		for _, secret := range append(w.secretsOfB, rB.Number) {
			if strings.Contains(string(res.body), secret) && secret != w.b.Code {
				t.Errorf("%s %s with merchant A's key leaks %q", r.Method, path, secret)
			}
		}
		checked++
	}
	if after := fingerprint(t, w.e.store); after != before {
		t.Errorf("merchant A's key changed data:\n%s\n%s", before, after)
	}
	// A's own ticket is there for it, like any other key's.
	if res := api.call("GET", "/api/v1/tickets/"+w.ta.Number, nil); res.status != http.StatusOK {
		t.Errorf("A's key on A's ticket: %d", res.status)
	}
	t.Logf("%d API routes walked with key %d", checked, keyA.ID)
}

// claimFor is a valid claim body for the merchant with the code.
func claimFor(e *env, code string) map[string]any {
	now := e.clock.Now()
	return map[string]any{
		"merchant": code, "service": "fresh_spoiled",
		"order": map[string]any{"id": "DY-MATRIX", "product": "云南鲜切玫瑰 20枝", "paid_fen": 8990,
			"ordered_at": now.Add(-72 * time.Hour), "shipped_at": now.Add(-48 * time.Hour), "received_at": now.Add(-time.Hour)},
		"buyer": map[string]any{"name": "李女士", "phone": "13800138000"},
	}
}
