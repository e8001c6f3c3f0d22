package views

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/anxin-helpdesk/anxin"
)

// MerchantFigures is a merchant's figures page: the merchant's own home, or
// what staff see of it.
type MerchantFigures struct {
	Merchant anxin.Merchant
	Figures  anxin.Figures
	Own      bool // the merchant's own home page
}

// MerchantRow is one merchant in the staff overview.
type MerchantRow struct {
	Merchant anxin.Merchant
	Figures  anxin.Figures
}

// Spark is a small trend chart of a daily series, drawn as SVG on the server.
type Spark struct {
	Values []float64
	Lines  []float64 // yardsticks drawn across the chart (red line, target)
	Label  string    // what the chart shows, for screen readers
}

const sparkW, sparkH = 240.0, 48.0

func (s Spark) top() float64 {
	top := 0.0
	for _, v := range append(append([]float64(nil), s.Values...), s.Lines...) {
		top = max(top, v)
	}
	if top == 0 {
		return 1
	}
	return top * 1.1
}

func (s Spark) y(v float64) string {
	return strconv.FormatFloat(sparkH-2-v/s.top()*(sparkH-4), 'f', 1, 64)
}

// Points is the polyline of the series.
func (s Spark) Points() string {
	var b strings.Builder
	n := len(s.Values)
	for i, v := range s.Values {
		x := 0.0
		if n > 1 {
			x = float64(i) / float64(n-1) * sparkW
		}
		fmt.Fprintf(&b, "%.1f,%s ", x, s.y(v))
	}
	return strings.TrimSpace(b.String())
}

func ints(xs []int) []float64 {
	out := make([]float64, len(xs))
	for i, x := range xs {
		out[i] = float64(x)
	}
	return out
}

func fens(xs []int64) []float64 {
	out := make([]float64, len(xs))
	for i, x := range xs {
		out[i] = float64(x) / 100
	}
	return out
}

func minutes(ds []time.Duration) []float64 {
	out := make([]float64, len(ds))
	for i, d := range ds {
		out[i] = d.Minutes()
	}
	return out
}

// Percent formats a rate: 0.1234 -> 12.3%.
func Percent(r float64, digits int) string {
	return strconv.FormatFloat(r*100, 'f', digits, 64) + "%"
}

// ShortDur formats a duration for a figure: 3分钟, 2小时5分钟 / 3 min, 2 h 5 min.
func ShortDur(ctx context.Context, d time.Duration) string {
	if d <= 0 {
		return "—"
	}
	if d < time.Hour {
		if page(ctx).Lang == "en" {
			return fmt.Sprintf("%d min", int(d.Round(time.Minute)/time.Minute))
		}
		return fmt.Sprintf("%d分钟", int(d.Round(time.Minute)/time.Minute))
	}
	return HumanDur(ctx, d)
}

func refundCount(f anxin.Figures) int { n, _ := f.RefundsPaid(); return n }
func refundSum(f anxin.Figures) int64 { _, s := f.RefundsPaid(); return s }
