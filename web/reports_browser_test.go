package web_test

import (
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"
)

// An agent opens the report for 30 days from the top bar and sees the
// merchant over the red line drawn above the line.
func TestBrowserReportRedLine(t *testing.T) {
	ctx := newBrowser(t)
	e := newEnv(t)
	sc := newReportScene(t, e)
	browserLogin(t, ctx, e.srv.URL, sc.agent)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`.topbar a[href="/reports"]`)), chromedp.WaitVisible(chromedp.CSS("#report-merchants"))); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`.tabs a[data-days="30"]`))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "the 30 days report", `location.search === "?days=30" && !!document.querySelector("svg#chart-merchants")`)
	// The row marked over the red line names the merchant.
	over, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('#report-merchants tbody tr[data-over-red-line="true"]').dataset.merchant`))
	if err != nil {
		t.Fatal(err)
	}
	if over != sc.over.Code {
		t.Fatalf("over the red line: %q, want %q", over, sc.over.Code)
	}
	// Its bar is drawn above the red line, on screen: a smaller top than the line's.
	type onScreen struct {
		Bar, Red, Target, Under float64
		Title                   string
	}
	js := fmt.Sprintf(`(() => {
		const svg = document.querySelector('svg#chart-merchants');
		const bar = svg.querySelector('rect[data-label=%q]');
		const under = svg.querySelector('rect[data-label=%q]');
		return {Bar: bar.getBoundingClientRect().top, Red: svg.querySelector('line.ref-red').getBoundingClientRect().top,
			Target: svg.querySelector('line.ref-target').getBoundingClientRect().top,
			Under: under.getBoundingClientRect().top, Title: bar.querySelector('title').textContent};
	})()`, sc.over.Name, sc.under.Name)
	drawn, err := chromedp.Run(ctx, chromedp.Evaluate[onScreen](js))
	if err != nil {
		t.Fatal(err)
	}
	if !(drawn.Bar < drawn.Red && drawn.Red < drawn.Target && drawn.Target < drawn.Under) {
		t.Fatalf("on screen: bar top %v, red line %v, target %v, the other merchant %v", drawn.Bar, drawn.Red, drawn.Target, drawn.Under)
	}
	if drawn.Title != sc.over.Name+": 30%" {
		t.Fatalf("the bar's title: %q", drawn.Title)
	}
	screenshot(t, ctx, "reports-30-days")
}
