package views

import (
	"context"
	"fmt"
	"math"
	"strconv"
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

// ReturnRateChart is a merchant's return rate per day, with the red line
// and the target.
func ReturnRateChart(ctx context.Context, f anxin.Figures, small bool) Chart {
	return Chart{Small: small, Line: true, Labels: f.Days, Values: f.DailyRate(f.Refunded), Format: percentAxis,
		Refs: RateRefs(ctx), Label: T(ctx, "Return rate per day, with the red line and the target")}
}

// RateRefs are the return rate's red line and target.
func RateRefs(ctx context.Context) []ChartRef {
	return []ChartRef{
		{Value: anxin.ReturnRateRedLine, Class: "ref-red", Label: Tf(ctx, "Red line %s", Percent(anxin.ReturnRateRedLine, 0))},
		{Value: anxin.ReturnRateTarget, Class: "ref-target", Label: Tf(ctx, "Target %s", Percent(anxin.ReturnRateTarget, 0))},
	}
}

func percentAxis(v float64) string {
	if p := v * 100; math.Abs(p-math.Round(p)) > 1e-9 {
		return Percent(v, 1)
	}
	return Percent(v, 0)
}

func roundAxis(v float64) string {
	return strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64)
}

func yuanAxis(v float64) string { return "¥" + roundAxis(v) }

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
