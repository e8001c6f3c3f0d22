package web_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"path/filepath"
	"testing"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/demo"
	"github.com/anxin-helpdesk/anxin/store/storetest"
	"github.com/anxin-helpdesk/anxin/web"
)

// newDemoEnv is a server over the demo data set (`anxin seed --demo`): five
// merchants, their people and a few hundred tickets in every state, with
// photos, conversations and refunds, seeded up to the test's clock.
func newDemoEnv(t testing.TB) *env {
	t.Helper()
	clock := anxin.NewManualClock(storetest.Epoch)
	path := filepath.Join(t.TempDir(), "anxin.db")
	if _, err := demo.Seed(ctx, storetest.Database(t, path), storetest.Config(clock)); err != nil {
		t.Fatalf("seeding the demo data: %v", err)
	}
	e := &env{t: t, clock: clock, store: storetest.MustOpenWith(t, path, storetest.Config(clock)),
		config: web.Config{SessionKeys: [][]byte{[]byte("0123456789abcdef0123456789abcdef")},
			Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}}
	e.serve()
	return e
}

// demoLogin logs the client in as one of the demo accounts.
func (c *client) demoLogin(email string) {
	c.e.t.Helper()
	c.get("/login")
	res, _ := c.post("/login", url.Values{"email": {email}, "password": {demo.Password}})
	if res.StatusCode != http.StatusSeeOther {
		c.e.t.Fatalf("login as %s: %s", email, res.Status)
	}
	c.get("/account") // pick up the new session's CSRF token
}
