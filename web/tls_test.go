package web_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/photo"
	"github.com/anxin-helpdesk/anxin/store/storetest"
	"github.com/anxin-helpdesk/anxin/web"
)

// TestHSTSOverTLSOnly: Strict-Transport-Security, and the Secure session
// cookie, on pages that came over TLS: served by Anxin itself, or by a
// trusted proxy that says https. Not over plain HTTP, and not when a peer
// that is not a trusted proxy claims https.
func TestHSTSOverTLSOnly(t *testing.T) {
	get := func(t *testing.T, c *http.Client, url, proto string) (hsts string, secure bool) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, url+"/login", nil)
		if proto != "" {
			req.Header.Set("X-Forwarded-Proto", proto)
		}
		res, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		for _, ck := range res.Cookies() {
			if ck.Name == "anxin_session" {
				secure = ck.Secure
			}
		}
		return res.Header.Get("Strict-Transport-Security"), secure
	}

	// Served over TLS by Anxin itself (serve --tls-cert; cmd/anxin tests
	// the flags).
	s, _ := storetest.MustOpen(t)
	w := web.New(web.Config{SessionKeys: [][]byte{[]byte("0123456789abcdef0123456789abcdef")}}, s)
	srv := httptest.NewTLSServer(w)
	t.Cleanup(func() { w.Close(); srv.Close() })
	if hsts, secure := get(t, srv.Client(), srv.URL, ""); hsts != "max-age=31536000" || !secure {
		t.Errorf("over TLS: HSTS %q, secure cookie %v", hsts, secure)
	}

	proxied := newEnvConfig(t, photo.Options{}, trustLoopback)
	if hsts, secure := get(t, http.DefaultClient, proxied.srv.URL, "https"); hsts == "" || !secure {
		t.Errorf("through a trusted proxy over https: HSTS %q, secure cookie %v", hsts, secure)
	}
	if hsts, secure := get(t, http.DefaultClient, proxied.srv.URL, "http"); hsts != "" || secure {
		t.Errorf("through a trusted proxy over http: HSTS %q, secure cookie %v", hsts, secure)
	}
	direct := newEnv(t)
	if hsts, secure := get(t, http.DefaultClient, direct.srv.URL, "https"); hsts != "" || secure {
		t.Errorf("an untrusted peer saying https: HSTS %q, secure cookie %v", hsts, secure)
	}
}

// TestAccessLogNamesTheClientBehindTrustedProxies: behind a trusted proxy
// the access log has the address the proxy forwards; from anyone else, the
// peer's, whatever X-Forwarded-For says.
func TestAccessLogNamesTheClientBehindTrustedProxies(t *testing.T) {
	for _, trust := range []bool{true, false} {
		e, logs, _ := newLoggedEnv(t)
		if trust {
			e.config.TrustedProxies = nil
			trustLoopback(&e.config)
			e.serve()
		}
		agent := storetest.MustUser(t, e.store, anxin.RoleAgent, "agent", 0)
		c := e.clientFrom("203.0.113.7")
		c.login(agent)
		lines := accessLines(t, logs)
		want := "127.0.0.1"
		if trust {
			want = "203.0.113.7"
		}
		if got := lines[len(lines)-1]["ip"]; got != want {
			t.Errorf("trusting the proxy %v: logged ip %v, want %s", trust, got, want)
		}
	}
}
