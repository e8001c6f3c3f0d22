package web_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store/storetest"
)

// vnuCommand finds the Nu HTML Checker: ANXIN_VNU (vnu.jar or a vnu
// program), the copy `make validate` installs (data/tools/vnu, from npm's
// vnu-jar), or vnu on the PATH. Without it the test skips, except where
// ANXIN_VNU_REQUIRED=1 (CI) makes that a failure.
func vnuCommand(t *testing.T) []string {
	t.Helper()
	candidates := []string{os.Getenv("ANXIN_VNU"), filepath.Join("..", "data", "tools", "vnu", "node_modules", "vnu-jar", "build", "dist", "vnu.jar")}
	if p, err := exec.LookPath("vnu"); err == nil {
		candidates = append(candidates, p)
	}
	for _, c := range candidates {
		if c == "" {
			continue
		}
		if _, err := os.Stat(c); err != nil {
			continue
		}
		if strings.HasSuffix(c, ".jar") {
			java, err := exec.LookPath("java")
			if err != nil {
				break
			}
			return []string{java, "-Xss8m", "-jar", c}
		}
		return []string{c}
	}
	if os.Getenv("ANXIN_VNU_REQUIRED") == "1" {
		t.Fatal("the Nu HTML Checker is required (ANXIN_VNU_REQUIRED=1) but not installed: run make validate")
	}
	t.Skip("the Nu HTML Checker (vnu) is not installed; make validate installs it")
	return nil
}

// TestHTMLValid checks the pages as the server sends them with the Nu HTML
// Checker, over the demo data: login, the queue and a ticket (an agent's),
// the merchant's home, queue and ticket, and the admin's pages. Every error
// fails the test; warnings do not.
func TestHTMLValid(t *testing.T) {
	vnu := vnuCommand(t)
	e := newDemoEnv(t)
	addAdminHistory(t, e)
	db := storetest.DB(t, e.store)
	var withPhotos, merchantTicket int64
	if err := db.QueryRow(`SELECT ticket_id FROM evidence GROUP BY ticket_id ORDER BY count(*) DESC, ticket_id LIMIT 1`).Scan(&withPhotos); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(`SELECT t.id FROM tickets t JOIN merchants m ON m.id = t.merchant_id
		WHERE m.code = 'humen-apparel' AND t.state = 'pending_merchant' ORDER BY t.id LIMIT 1`).Scan(&merchantTicket); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var files []string
	save := func(c *client, name, path string) {
		t.Helper()
		res, err := c.http.Get(e.srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		f := filepath.Join(dir, name+".html")
		out, err := os.Create(f)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := out.ReadFrom(res.Body); err != nil {
			t.Fatal(err)
		}
		out.Close()
		files = append(files, f)
	}
	save(e.client(), "login", "/login")
	agent := e.client()
	agent.demoLogin("agent1@anxin.demo")
	save(agent, "queue", "/queue")
	save(agent, "ticket", "/tickets/"+anxin.TicketNumber(withPhotos))
	save(agent, "ticket-failed-refund", "/tickets/"+firstIn(t, e, anxin.RefundFailed))
	save(agent, "ticket-awaiting-return", "/tickets/"+firstIn(t, e, anxin.AwaitingReturn)) // the return address form
	save(agent, "merchants", "/merchants")
	save(agent, "reports", "/reports")
	save(agent, "norms", "/norms")
	save(agent, "not-found", "/tickets/AX-999999")
	shop := e.client()
	shop.demoLogin("apparel@anxin.demo")
	save(shop, "merchant-home", "/home")
	save(shop, "merchant-queue", "/queue")
	save(shop, "merchant-ticket", "/tickets/"+anxin.TicketNumber(merchantTicket))
	admin := e.client()
	admin.demoLogin("admin@anxin.demo")
	for _, p := range []string{"/admin/users", "/admin/merchants/humen-apparel", "/admin/audit", "/admin/webhooks", "/admin/webhooks/1", "/admin/apikeys"} {
		save(admin, "admin"+strings.ReplaceAll(p[len("/admin"):], "/", "-"), p)
	}

	out, err := exec.Command(vnu[0], append(vnu[1:], append([]string{"--errors-only", "--format", "json"}, files...)...)...).CombinedOutput()
	var report struct {
		Messages []struct {
			Type, URL, Message, Extract string
			LastLine                    int
		}
	}
	if jerr := json.Unmarshal(out, &report); jerr != nil {
		t.Fatalf("vnu: %v, %v:\n%s", err, jerr, out)
	}
	for _, m := range report.Messages {
		t.Errorf("%s: %s: %s (%q)", filepath.Base(m.URL), m.Type, m.Message, m.Extract)
	}
	t.Logf("%d pages checked", len(files))
}

// firstIn is the number of the first ticket in the state.
func firstIn(t *testing.T, e *env, st anxin.State) string {
	t.Helper()
	var id int64
	if err := storetest.DB(t, e.store).QueryRow(`SELECT min(id) FROM tickets WHERE state = ?`, string(st)).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return anxin.TicketNumber(id)
}
