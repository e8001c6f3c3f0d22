package views_test

import (
	"bytes"
	"context"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/views"
)

func renderChart(t *testing.T, c views.Chart) *goquery.Document {
	t.Helper()
	var b bytes.Buffer
	if err := views.ChartSVG(c).Render(context.Background(), &b); err != nil {
		t.Fatal(err)
	}
	doc, err := goquery.NewDocumentFromReader(&b)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func attr(t *testing.T, s *goquery.Selection, name string) float64 {
	t.Helper()
	f, err := strconv.ParseFloat(s.AttrOr(name, ""), 64)
	if err != nil {
		t.Fatalf("%s=%q: %v", name, s.AttrOr(name, ""), err)
	}
	return f
}

func days(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = "2026-11-" + strconv.Itoa(10 + i)[0:2]
	}
	return out
}

func TestChartReferenceLinesAtTrueHeight(t *testing.T) {
	c := views.Chart{Label: "rate", Labels: days(5), Values: []float64{0.05, 0.1, 0.3, 0.12, 0.08},
		Refs: []views.ChartRef{{Value: anxin.ReturnRateRedLine, Class: "ref-red"}, {Value: anxin.ReturnRateTarget, Class: "ref-target"}}}
	top := c.Top()
	if top < anxin.ReturnRateRedLine*1.1 {
		t.Fatalf("the top %v is not above the red line", top)
	}
	doc := renderChart(t, c)
	red := doc.Find("line.chart-ref.ref-red")
	if red.Length() != 1 || math.Abs(attr(t, red, "y1")-c.Y(0.20)) > 0.05 {
		t.Fatalf("red line at %q, want %v", red.AttrOr("y1", ""), c.Y(0.20))
	}
	target := doc.Find("line.chart-ref.ref-target")
	if math.Abs(attr(t, target, "y1")-c.Y(0.15)) > 0.05 || attr(t, target, "y1") <= attr(t, red, "y1") {
		t.Fatal("the target is not drawn at its height, below the red line")
	}
	// Heights are proportional: y of 0.20 sits at 0.20/top of the plot.
	base, y0 := c.Y(0), c.Y(top)
	if got := (base - c.Y(0.2)) / (base - y0); math.Abs(got-0.2/top) > 1e-9 {
		t.Fatalf("0.20 drawn at %v of the height, want %v", got, 0.2/top)
	}
	bars := doc.Find("rect.chart-bar")
	if bars.Length() != 5 {
		t.Fatalf("%d bars", bars.Length())
	}
	over := bars.Eq(2)
	if attr(t, over, "y") >= attr(t, red, "y1") || !strings.Contains(over.Find("title").Text(), "2026-11-12") {
		t.Fatalf("the day over the red line is not drawn above it: %q", over.Find("title").Text())
	}
	if n := doc.Find("g.chart-grid text").Length(); n < 4 || n > 6 {
		t.Fatalf("%d gridline values", n)
	}
	if doc.Find("g.chart-axis text").Length() == 0 {
		t.Fatal("no dates on the x axis")
	}
}

func TestChartSpikeDoesNotFlatten(t *testing.T) {
	values := make([]float64, 30)
	for i := range values {
		values[i] = 10 + float64(i%3)
	}
	values[17] = 1000
	c := views.Chart{Label: "refunds", Labels: days(30), Values: values}
	doc := renderChart(t, c)
	bars := doc.Find("rect.chart-bar")
	if bars.Length() != 30 {
		t.Fatalf("%d bars", bars.Length())
	}
	// The median bar keeps a good share of the plot's height.
	plot := c.Y(0) - c.Y(c.Top())
	if h := attr(t, bars.Eq(0), "height"); h < plot/3 {
		t.Fatalf("a normal day is flattened to %v of %v", h, plot)
	}
	spike := bars.Eq(17)
	if !spike.HasClass("chart-clipped") || math.Abs(attr(t, spike, "y")-c.Y(c.Top())) > 0.05 {
		t.Fatal("the spike is not clipped to the top")
	}
	if !strings.Contains(spike.Find("title").Text(), "1000") {
		t.Fatalf("the spike's title hides its value: %q", spike.Find("title").Text())
	}
	if doc.Find("path.chart-clip-mark").Length() != 1 {
		t.Fatal("the clipped spike has no mark")
	}
	if n := doc.Find("g.chart-axis text").Length(); n > 7 || n < 3 {
		t.Fatalf("%d date labels on the x axis", n)
	}
}

func TestChartEmptyAndLine(t *testing.T) {
	c := views.Chart{Label: "none", Labels: days(3), Values: []float64{0, 0, 0}, Line: true}
	if c.Top() <= 0 {
		t.Fatal("no scale for zeros")
	}
	doc := renderChart(t, c)
	if _, ok := doc.Find("svg").Attr("id"); ok {
		t.Fatal("a chart without an id has an empty one")
	}
	if doc.Find("polyline.chart-line").Length() != 1 || doc.Find("circle.chart-point").Length() != 3 {
		t.Fatal("a line chart has no line and points")
	}
	counts := renderChart(t, views.Chart{Label: "missed", Labels: days(3), Values: []float64{0, 1, 0}, Whole: true})
	counts.Find("g.chart-grid text").Each(func(_ int, s *goquery.Selection) {
		if _, err := strconv.Atoi(s.Text()); err != nil {
			t.Errorf("a count's gridline at %q", s.Text())
		}
	})
	if views.Quantile([]float64{5, 1, 3, 2, 4}, 0.9) != 5 || views.Quantile(nil, 0.9) != 0 {
		t.Fatal("quantile")
	}
}
