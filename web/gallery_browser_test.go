package web_test

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/a-h/templ"
	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/photo"
	"github.com/anxin-helpdesk/anxin/photo/phototest"
	"github.com/anxin-helpdesk/anxin/store"
	"github.com/anxin-helpdesk/anxin/store/storetest"
	"github.com/anxin-helpdesk/anxin/views"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// TestBrowserGallery drives the gallery's full view in Chromium: a
// thumbnail opens its photo (served through the logged-in route), the arrow
// keys step through the buyer's and the merchant's photos and wrap, + and −
// zoom, Escape closes and gives the focus back; all under the server's CSP.
// The ticket page is built elsewhere, so the test serves the gallery on a
// page of its own, beside the real server.
func TestBrowserGallery(t *testing.T) {
	ctx := newBrowser(t)
	e := newEnv(t)
	m := storetest.MustMerchant(t, e.store, "义乌优品家居百货")
	tk := storetest.MustTicket(t, e.store, m.ID, anxin.Damaged, 19900)
	agent := storetest.MustUser(t, e.store, anxin.RoleAgent, "王晓", 0)
	staff := storetest.MustUser(t, e.store, anxin.RoleMerchant, "老陈", m.ID)
	taken := e.clock.Now().Add(-2 * time.Hour).Truncate(time.Second)
	withEXIF, _ := photo.WithEXIF(phototest.JPEG(phototest.Scene(21, 1600, 1200), 88),
		photo.Meta{Make: "HUAWEI", Model: "ALN-AL00", TakenAt: taken, GPS: &[2]float64{25.04, 102.71}})
	var ids []int64
	for i, up := range []struct {
		by    anxin.User
		label string
		data  []byte
	}{
		{agent, "parcel", withEXIF},
		{agent, "item", phototest.JPEG(phototest.Scene(22, 900, 1200), 85)},
		{staff, "", phototest.PNG(phototest.Scene(23, 600, 400))},
	} {
		ev, err := e.store.AddPhoto(ctx, up.by.Actor(), store.Upload{TicketID: tk.ID, Label: up.label, Data: up.data})
		if err != nil {
			t.Fatalf("photo %d: %v", i, err)
		}
		ids = append(ids, ev.ID)
	}

	zone, _ := time.LoadLocation("Asia/Shanghai")
	csp := ""
	mux := http.NewServeMux()
	mux.Handle("/", e.web)
	mux.HandleFunc("/test/gallery", func(w http.ResponseWriter, r *http.Request) {
		evs, err := e.store.Evidence(r.Context(), anxin.AllMerchants(), tk.ID)
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		svc, p, _ := e.store.Policy(r.Context(), m.ID, tk.Service)
		v := views.PhotosView{Ticket: tk, Evidence: evs, Check: anxin.CheckEvidence(svc, p, evs)}
		pctx := views.WithPage(r.Context(), views.Page{Lang: "zh", Zone: zone, Now: e.clock.Now(), User: &agent})
		w.Header().Set("Content-Security-Policy", csp)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		views.Layout("gallery").Render(templ.WithChildren(pctx, views.Photos(v)), w)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(func() {
		// The page's live connection is open until the browser goes,
		// after this: Close alone would wait a minute for it.
		srv.CloseClientConnections()
		srv.Close()
	})
	res, err := http.Get(srv.URL + "/login")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if csp = res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
		t.Fatalf("the server's CSP: %q", csp)
	}

	browserLogin(t, ctx, srv.URL, agent)
	display := func(i int) string { return "/photos/" + strconv.FormatInt(ids[i], 10) + "/display" }
	type view struct {
		Open    bool   `json:"open"`
		Src     string `json:"src"`
		Count   string `json:"count"`
		Zoom    bool   `json:"zoom"`
		Caption string `json:"caption"`
		Loaded  bool   `json:"loaded"`
		Focused string `json:"focused"`
	}
	state := func() view {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[view](`(() => {
			const d = document.querySelector("dialog[data-lightbox]"), img = d.querySelector("[data-lightbox-img]");
			return {open: d.open, src: img.getAttribute("src") || "", count: d.querySelector("[data-lightbox-count]").textContent,
				zoom: d.querySelector("[data-lightbox-stage]").classList.contains("zoom-2"),
				caption: d.querySelector("[data-lightbox-caption]").textContent.replace(/\s+/g, " "),
				loaded: img.complete && img.naturalWidth > 0,
				focused: document.activeElement ? (document.activeElement.getAttribute("href") || "") : ""};
		})()`))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	err = chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/test/gallery"),
		chromedp.WaitVisible(chromedp.CSS("[data-testid=photos-buyer] [data-testid=photo] a.photo-thumb")),
	)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.cspViolations = []; document.addEventListener(
		"securitypolicyviolation", e => window.cspViolations.push(e.violatedDirective)); true`)); err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS("[data-testid=photos-buyer] [data-testid=photo]:first-child a.photo-thumb")),
		chromedp.WaitVisible(chromedp.CSS("dialog[open] [data-lightbox-img]")),
	)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`(() => { const i = document.querySelector("[data-lightbox-img]");
		return i.complete && i.naturalWidth > 0; })()`, chromedp.WithPollingTimeout(5*time.Second))); err != nil {
		t.Fatalf("the full-size photo did not load: %v", err)
	}
	v := state()
	if !v.Open || v.Src != display(0) || v.Count != "1 / 3" || !strings.Contains(v.Caption, "HUAWEI ALN-AL00") ||
		!strings.Contains(v.Caption, "原图含 GPS 位置（已移除）") {
		t.Fatalf("after opening the first photo: %+v", v)
	}
	screenshot(t, ctx, "gallery-full-view")

	for _, step := range []struct {
		key   string
		photo int
		count string
	}{
		{kb.ArrowRight, 1, "2 / 3"},
		{kb.ArrowRight, 2, "3 / 3"}, // the merchant's photo
		{kb.ArrowRight, 0, "1 / 3"}, // and round again
		{kb.ArrowLeft, 2, "3 / 3"},
	} {
		if err := chromedp.Do(ctx, chromedp.KeyEvent(step.key)); err != nil {
			t.Fatal(err)
		}
		if v := state(); v.Src != display(step.photo) || v.Count != step.count {
			t.Fatalf("after %q: %+v, want photo %d", step.key, v, step.photo)
		}
	}
	if err := chromedp.Do(ctx, chromedp.KeyEvent("+")); err != nil {
		t.Fatal(err)
	}
	if v := state(); !v.Zoom {
		t.Fatal("+ did not zoom")
	}
	if err := chromedp.Do(ctx, chromedp.KeyEvent("-")); err != nil {
		t.Fatal(err)
	}
	if v := state(); v.Zoom {
		t.Fatal("- did not zoom out")
	}
	if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.Escape)); err != nil {
		t.Fatal(err)
	}
	// The dialog's close event, which the script cleans up on, comes a task
	// after the dialog closes.
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`(() => { const d = document.querySelector("dialog[data-lightbox]");
		return !d.open && !d.querySelector("[data-lightbox-img]").hasAttribute("src"); })()`,
		chromedp.WithPollingTimeout(2*time.Second))); err != nil {
		t.Fatalf("Escape did not close the full view: %v", err)
	}
	if v := state(); v.Focused != display(2) || v.Src != "" {
		t.Fatalf("after closing: %+v", v)
	}
	violations, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`window.cspViolations`))
	if err != nil || len(violations) != 0 {
		t.Fatalf("CSP violations %v, %v", violations, err)
	}
	screenshot(t, ctx, "gallery")
}
