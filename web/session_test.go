package web_test

import (
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"testing"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/photo"
	"github.com/anxin-helpdesk/anxin/store/storetest"
	"github.com/anxin-helpdesk/anxin/web"
)

// sessionCookie is the client's session cookie, as a thief would copy it.
func sessionCookie(t *testing.T, c *client) *http.Cookie {
	t.Helper()
	u, _ := url.Parse(c.e.srv.URL)
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name == "anxin_session" {
			return ck
		}
	}
	t.Fatal("no session cookie")
	return nil
}

// getWith fetches path with only the cookie given, as another browser would.
func getWith(t *testing.T, e *env, path string, ck *http.Cookie) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, e.srv.URL+path, nil)
	req.AddCookie(ck)
	res, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res
}

// opens says whether the cookie opens the queue.
func opens(t *testing.T, e *env, ck *http.Cookie) bool {
	t.Helper()
	return getWith(t, e, "/queue", ck).StatusCode == http.StatusOK
}

func TestLogoutEndsTheSessionOnTheServer(t *testing.T) {
	e := newEnv(t)
	agent := storetest.MustUser(t, e.store, anxin.RoleAgent, "王晓", 0)
	a, b := e.client(), e.client()
	a.login(agent)
	b.login(agent)
	copied, other := sessionCookie(t, a), sessionCookie(t, b)
	if !opens(t, e, copied) {
		t.Fatal("a copy of a live session's cookie does not open the queue")
	}
	if res, _ := a.post("/logout", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout: %s", res.Status)
	}
	if opens(t, e, copied) {
		t.Fatal("a cookie copied before logout still opens the queue")
	}
	if !opens(t, e, other) {
		t.Fatal("logging out one browser ended the user's other session")
	}
	// Across a restart: the ended session stays ended, the other lives on.
	e.restart()
	if opens(t, e, copied) {
		t.Fatal("a cookie copied before logout opens the queue after a restart")
	}
	if !opens(t, e, other) {
		t.Fatal("a live session did not survive a restart")
	}
}

// trustLoopback serves as if behind a reverse proxy on this machine.
func trustLoopback(c *web.Config) {
	c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
}

// from makes the client's requests come through the proxy from addr.
type from struct {
	addr string
	next http.RoundTripper
}

func (f from) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("X-Forwarded-For", f.addr)
	return f.next.RoundTrip(r)
}

func (e *env) clientFrom(addr string) *client {
	c := e.client()
	c.http.Transport = from{addr, http.DefaultTransport}
	return c
}

func TestLoginThrottleIsPerAddress(t *testing.T) {
	e := newEnvConfig(t, photo.Options{}, trustLoopback)
	agent := storetest.MustUser(t, e.store, anxin.RoleAgent, "王晓", 0)
	attacker := e.clientFrom("203.0.113.7")
	attacker.get("/login")
	for i := range 10 {
		attacker.post("/login", url.Values{"email": {agent.Email}, "password": {"guess-number-" + string(rune('a'+i))}})
	}
	if res, _ := attacker.post("/login", url.Values{"email": {agent.Email}, "password": {storetest.Password}}); res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("the guessing address, with the right password at last: %s, want 429", res.Status)
	}
	// The account's owner, at the office, is not locked out by it.
	owner := e.clientFrom("198.51.100.20")
	owner.get("/login")
	if res, _ := owner.post("/login", url.Values{"email": {agent.Email}, "password": {storetest.Password}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("the owner from another address: %s, want 303", res.Status)
	}
	// The guessing address itself is throttled whichever accounts it tries.
	other := storetest.MustUser(t, e.store, anxin.RoleAgent, "陈静", 0)
	for range 30 {
		attacker.post("/login", url.Values{"email": {other.Email}, "password": {"another-guess-0"}})
	}
	if res, _ := attacker.post("/login", url.Values{"email": {other.Email}, "password": {storetest.Password}}); res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("an address guessing at many accounts: %s, want 429", res.Status)
	}
}

func TestForwardedForIsBelievedOnlyFromTrustedProxies(t *testing.T) {
	e := newEnv(t) // no trusted proxies
	agent := storetest.MustUser(t, e.store, anxin.RoleAgent, "王晓", 0)
	// A client naming a new address on every try is still one address.
	for i := range 12 {
		c := e.clientFrom("192.0.2." + string(rune('1'+i%9)))
		c.get("/login")
		c.post("/login", url.Values{"email": {agent.Email}, "password": {"guess-" + strings.Repeat("x", i+4)}})
	}
	c := e.clientFrom("192.0.2.200")
	c.get("/login")
	if res, _ := c.post("/login", url.Values{"email": {agent.Email}, "password": {storetest.Password}}); res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("X-Forwarded-For from an untrusted peer changed the throttled address: %s", res.Status)
	}
}

func TestLoginRedirectStaysOnThisSite(t *testing.T) {
	e := newEnv(t)
	agent := storetest.MustUser(t, e.store, anxin.RoleAgent, "王晓", 0)
	for next, want := range map[string]string{
		"/tickets/AX-000001?tab=photos": "/tickets/AX-000001?tab=photos",
		"/queue":                        "/queue",
		"//evil.example/x":              "/",
		"/\\evil.example":               "/",
		"/\t/evil.example":              "/",
		"/\n/evil.example":              "/",
		"/%09/evil.example":             "/",
		"/%2f/evil.example":             "/",
		"/%2F%2Fevil.example":           "/",
		"/%5cevil.example":              "/",
		"https://evil.example/":         "/",
		"javascript:alert(1)":           "/",
		"evil.example":                  "/",
		"/\x00":                         "/",
		"":                              "/",
	} {
		c := e.client()
		c.get("/login")
		res, _ := c.post("/login", url.Values{"email": {agent.Email}, "password": {storetest.Password}, "next": {next}})
		if got := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || got != want {
			t.Errorf("next=%q: %s to %q, want %q", next, res.Status, got, want)
		}
	}
}

func TestCSRFTokenIsNotTakenFromTheURL(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	c.login(storetest.MustUser(t, e.store, anxin.RoleAgent, "王晓", 0))
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/logout?_csrf="+url.QueryEscape(c.csrf), nil)
	res, err := c.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("a CSRF token in the URL: %s, want 403", res.Status)
	}
	if !loggedIn(c) {
		t.Fatal("the request went through")
	}
}

func TestCookiesAreSecureOverTLS(t *testing.T) {
	secure := func(e *env, proto string) bool {
		req, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/login", nil)
		req.Header.Set("X-Forwarded-Proto", proto)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		for _, ck := range res.Cookies() {
			if ck.Name == "anxin_session" {
				return ck.Secure
			}
		}
		t.Fatal("no session cookie")
		return false
	}
	proxied := newEnvConfig(t, photo.Options{}, trustLoopback)
	if !secure(proxied, "https") {
		t.Fatal("a request a trusted proxy took over https got a cookie without Secure")
	}
	if secure(proxied, "http") {
		t.Fatal("a plain HTTP request got a Secure cookie")
	}
	if direct := newEnv(t); secure(direct, "https") {
		t.Fatal("X-Forwarded-Proto from an untrusted peer made the cookie Secure")
	}
}

func TestDecisionsNeedTheVersionThePageShowed(t *testing.T) {
	e := newEnv(t)
	m := storetest.MustMerchant(t, e.store, "义乌优品家居百货")
	tk := storetest.MustTicket(t, e.store, m.ID, anxin.QualityReturn, 12900)
	c := e.client()
	c.login(storetest.MustUser(t, e.store, anxin.RoleAgent, "王晓", 0))
	c.get("/tickets/" + tk.Number)
	if res, _ := c.post("/tickets/"+tk.Number+"/actions/approve", nil); res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("approve without a version: %s, want 422", res.Status)
	}
	if got, _ := e.store.Ticket(ctx, anxin.AllMerchants(), tk.ID); got.State != anxin.PendingMerchant {
		t.Fatalf("the ticket moved to %s", got.State)
	}
}
