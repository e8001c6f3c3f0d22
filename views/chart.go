package views

import (
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/a-h/templ"
)

// Chart is a daily (or per-item) series drawn as SVG on the server: axes,
// sparse labels, 3-5 gridlines with their values, a <title> on every bar or
// point, and reference lines (the return rate's red line and target) at
// their true height. The scale resists spikes: its top comes from a high
// quantile of the values, never below the reference lines; a value above it
// is drawn clipped to the top with a mark, its true value in its <title>.
type Chart struct {
	Label  string    // what the chart shows, for screen readers and the <title>
	Labels []string  // one per value: YYYY-MM-DD dates or names
	Values []float64 // one per label
	Line   bool      // a line with points rather than bars
	Refs   []ChartRef
	Format func(float64) string // a value for the axis and the titles; plain numbers if nil
	ID     string               // the svg's id, if any
	Small  bool                 // a figure card's chart: fewer units, so the text stays legible
	Whole  bool                 // counts: gridlines at whole numbers

	top float64 // the scale's top, once computed (see scaled)
}

// scaled is the chart with its scale computed once for drawing.
func (c Chart) scaled() Chart {
	c.top = c.Top()
	return c
}

func (c Chart) size() (w, h float64) {
	if c.Small {
		return chartSmallW, chartSmallH
	}
	return chartW, chartH
}

func (c Chart) plotW() float64    { w, _ := c.size(); return w - chartLeft - chartRight }
func (c Chart) plotH() float64    { _, h := c.size(); return h - chartTop - chartBottom }
func (c Chart) baseline() float64 { return chartTop + c.plotH() }
func (c Chart) right() float64    { w, _ := c.size(); return w - chartRight }
func (c Chart) labelY() float64   { _, h := c.size(); return h - 6 }
func (c Chart) viewBox() string   { w, h := c.size(); return "0 0 " + num(w) + " " + num(h) }

// ChartRef is a horizontal reference line.
type ChartRef struct {
	Value float64
	Class string // ref-red, ref-target
	Label string
}

// The chart's drawing box, in viewBox units; CSS scales it to its width.
const (
	chartW, chartH           = 600.0, 200.0
	chartSmallW, chartSmallH = 320.0, 150.0 // a figure card's chart
	chartLeft, chartRight    = 52.0, 8.0
	chartTop, chartBottom    = 10.0, 24.0
	chartTicks               = 4   // gridline intervals
	chartQuantile            = 0.9 // the scale's top is this quantile ×chartHeadroom
	chartHeadroom            = 1.5
	chartRefHeadroom         = 1.15 // the top is at least this far above the highest reference line
	chartMaxLabels           = 7    // x axis labels at most
	chartClipMark            = 5.0  // height of the mark on a clipped bar
	chartPointR              = 3.0
	chartBarShare            = 0.7 // of a slot a bar fills
	chartMinSlot             = 1.0
	chartGridLabelX          = chartLeft - 6
	chartGridLabelBaselineY  = 4.0
)

// Quantile of values (nearest rank; 0 for none).
func Quantile(values []float64, q float64) float64 {
	if len(values) == 0 {
		return 0
	}
	s := append([]float64(nil), values...)
	sort.Float64s(s)
	i := int(math.Ceil(q*float64(len(s)))) - 1
	return s[min(max(i, 0), len(s)-1)]
}

// Top is the value at the top of the scale: a round number at or above the
// high quantile of the values ×1.5 (or the largest value when the quantile
// is zero or the largest is lower), and above every reference line.
func (c Chart) Top() float64 {
	if c.top > 0 {
		return c.top
	}
	hi := 0.0
	for _, v := range c.Values {
		hi = max(hi, v)
	}
	top := Quantile(c.Values, chartQuantile) * chartHeadroom
	if top == 0 || hi < top {
		top = hi
	}
	for _, r := range c.Refs {
		top = max(top, r.Value*chartRefHeadroom)
	}
	if top <= 0 {
		return 1
	}
	step := niceStep(top / chartTicks)
	if c.Whole {
		step = max(math.Ceil(step), 1)
	}
	return step * chartTicks
}

// niceStep rounds a gridline step up to 1, 2, 2.5 or 5 times a power of ten.
func niceStep(raw float64) float64 {
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if raw <= m*mag*(1+1e-9) {
			return m * mag
		}
	}
	return 10 * mag
}

// Y is the vertical coordinate of a value, clipped to the plot.
func (c Chart) Y(v float64) float64 {
	v = min(max(v, 0), c.Top())
	return c.baseline() - v/c.Top()*c.plotH()
}

func (c Chart) slot() float64 { return c.plotW() / float64(max(len(c.Values), 1)) }

// X is the horizontal centre of the i-th value.
func (c Chart) X(i int) float64 { return chartLeft + (float64(i)+0.5)*c.slot() }

func (c Chart) format(v float64) string {
	if c.Format != nil {
		return c.Format(v)
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// ChartBar is one bar or point as drawn.
type ChartBar struct {
	X, Y, W, H float64
	Clipped    bool
	Title      string
	Label      string
	Value      float64
}

// Bars are the values as drawn.
func (c Chart) Bars() []ChartBar {
	top := c.Top()
	w := max(c.slot()*chartBarShare, chartMinSlot)
	out := make([]ChartBar, len(c.Values))
	for i, v := range c.Values {
		y := c.Y(v)
		label := ""
		if i < len(c.Labels) {
			label = c.Labels[i]
		}
		out[i] = ChartBar{X: c.X(i), Y: y, W: w, H: c.baseline() - y, Clipped: v > top,
			Title: label + ": " + c.format(v), Label: label, Value: v}
	}
	return out
}

// Points is the polyline of a line chart.
func (c Chart) Points() string {
	var b strings.Builder
	for i, v := range c.Values {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(num(c.X(i)) + "," + num(c.Y(v)))
	}
	return b.String()
}

// ChartTick is a gridline or an axis label.
type ChartTick struct {
	Pos  float64
	Text string
}

// Grid is the horizontal gridlines with their values, from 0 to the top.
func (c Chart) Grid() []ChartTick {
	top := c.Top()
	out := make([]ChartTick, 0, chartTicks+1)
	for i := range chartTicks + 1 {
		v := top * float64(i) / chartTicks
		out = append(out, ChartTick{Pos: c.Y(v), Text: c.format(v)})
	}
	return out
}

// XLabels are the sparse labels of the x axis: at most chartMaxLabels,
// evenly spaced, the last always shown. Dates show as MM-DD.
func (c Chart) XLabels() []ChartTick {
	n := len(c.Labels)
	if n == 0 {
		return nil
	}
	every := (n + chartMaxLabels - 1) / chartMaxLabels
	var out []ChartTick
	for i := n - 1; i >= 0; i -= every {
		out = append(out, ChartTick{Pos: c.X(i), Text: shortLabel(c.Labels[i])})
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}

func shortLabel(s string) string {
	if len(s) == 10 && s[4] == '-' && s[7] == '-' {
		return s[5:]
	}
	if r := []rune(s); len(r) > 8 {
		return string(r[:7]) + "…"
	}
	return s
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) }

func (c Chart) idAttr() templ.Attributes {
	if c.ID == "" {
		return nil
	}
	return templ.Attributes{"id": c.ID}
}

func fnum(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// clipMark is a small upward arrow over a value cut at the top of the scale.
func clipMark(b ChartBar) string {
	x, y, h := b.X, chartTop, chartClipMark
	return "M" + num(x-h) + "," + num(y+h) + " L" + num(x) + "," + num(y) + " L" + num(x+h) + "," + num(y+h) + " Z"
}
