package web_test

import (
	"context"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/photo"
	"github.com/anxin-helpdesk/anxin/store"
	"github.com/anxin-helpdesk/anxin/store/storetest"
	"github.com/anxin-helpdesk/anxin/web"
)

var ctx = context.Background()

// env is a running server over a real database file.
type env struct {
	t      testing.TB
	store  *store.Store
	clock  *anxin.ManualClock
	web    *web.Server
	srv    *httptest.Server
	config web.Config
}

func newEnv(t testing.TB) *env {
	t.Helper()
	return newEnvWith(t, photo.Options{})
}

// newEnvWith is an env whose store takes photos with opt.
func newEnvWith(t testing.TB, opt photo.Options) *env {
	t.Helper()
	return newEnvConfig(t, opt, nil)
}

// newEnvConfig is an env whose store takes photos with opt and whose server
// is configured by configure (when not nil).
func newEnvConfig(t testing.TB, opt photo.Options, configure func(*web.Config)) *env {
	t.Helper()
	clock := anxin.NewManualClock(storetest.Epoch)
	cfg := storetest.Config(clock)
	cfg.Photos = opt
	s := storetest.MustOpenWith(t, filepath.Join(t.TempDir(), "anxin.db"), cfg)
	wc := webConfig()
	if configure != nil {
		configure(&wc)
	}
	e := &env{t: t, store: s, clock: clock, config: wc}
	e.serve()
	return e
}

// webConfig is the server's configuration in tests.
func webConfig() web.Config {
	return web.Config{
		SessionKeys: [][]byte{[]byte("0123456789abcdef0123456789abcdef")},
		Logger:      slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
}

// serve starts the server over e.store.
func (e *env) serve() {
	w := web.New(e.config, e.store)
	srv := httptest.NewServer(w)
	e.t.Cleanup(func() {
		w.Close() // end the live connections, or Close waits for open pages
		srv.Close()
	})
	e.web, e.srv = w, srv
}

// restart stops the server and closes the store, then opens the database
// again and serves it on a new address, with the same keys.
func (e *env) restart() {
	e.t.Helper()
	e.web.Close()
	e.srv.Close()
	path := e.store.Path()
	e.store.Close()
	e.store = storetest.MustOpenWith(e.t, path, storetest.Config(e.clock))
	e.serve()
}

// client is one browser session: a cookie jar and the CSRF token of the last page.
type client struct {
	e    *env
	http *http.Client
	csrf string
}

func (e *env) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{e: e, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// get fetches a page and parses it, remembering its CSRF token.
func (c *client) get(path string) (*http.Response, *goquery.Document) {
	c.e.t.Helper()
	res, err := c.http.Get(c.e.srv.URL + path)
	if err != nil {
		c.e.t.Fatal(err)
	}
	defer res.Body.Close()
	doc, err := goquery.NewDocumentFromReader(res.Body)
	if err != nil {
		c.e.t.Fatal(err)
	}
	if tok, ok := doc.Find(`input[name="_csrf"]`).First().Attr("value"); ok {
		c.csrf = tok
	}
	return res, doc
}

// post submits a form as a browser would, with the CSRF token unless the
// form sets _csrf itself.
func (c *client) post(path string, form url.Values) (*http.Response, *goquery.Document) {
	c.e.t.Helper()
	form = maps.Clone(form) // the caller's values stay as they were
	if form == nil {
		form = url.Values{}
	}
	if _, ok := form["_csrf"]; !ok {
		form.Set("_csrf", c.csrf)
	}
	req, _ := http.NewRequest(http.MethodPost, c.e.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := c.http.Do(req)
	if err != nil {
		c.e.t.Fatal(err)
	}
	defer res.Body.Close()
	doc, err := goquery.NewDocumentFromReader(res.Body)
	if err != nil {
		c.e.t.Fatal(err)
	}
	return res, doc
}

// login logs the client in as the user (whose password is storetest.Password).
func (c *client) login(u anxin.User) {
	c.e.t.Helper()
	c.get("/login")
	res, _ := c.post("/login", url.Values{"email": {u.Email}, "password": {storetest.Password}})
	if res.StatusCode != http.StatusSeeOther {
		c.e.t.Fatalf("login as %s: %s", u.Email, res.Status)
	}
	c.get("/queue") // pick up the new session's CSRF token
}

// htmx posts a form as htmx does (the CSRF token in its header) and returns
// the fragment it gets back.
func (c *client) htmx(t *testing.T, path string, form url.Values) string {
	t.Helper()
	status, b := c.htmxStatus(t, path, form)
	if status != http.StatusOK {
		t.Fatalf("htmx POST %s: %d %s", path, status, b)
	}
	return b
}

// htmxStatus posts a form as htmx does and returns the status and fragment.
func (c *client) htmxStatus(t *testing.T, path string, form url.Values) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, c.e.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("HX-Request", "true")
	req.Header.Set("X-CSRF-Token", c.csrf)
	res, err := c.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}
