package views

import (
	"context"
	"net/url"
	"strconv"
	"time"

	"github.com/anxin-helpdesk/anxin"
)

// Reports is the reports page (报表): staff see every merchant, or one; a
// merchant user its own store. Figures cover the days ending with To.
type Reports struct {
	Days       int    // the period, in days
	Choices    []int  // the periods to choose from
	From, To   string // YYYY-MM-DD, first and last day
	Custom     bool   // a from-to period rather than one of the choices
	Merchants  []anxin.Merchant
	Merchant   string // the chosen merchant's code, "" for all
	Service    anxin.ServiceKey
	Rows       []MerchantRow // one per merchant shown
	Total      anxin.Figures // the sum of the rows
	Own        bool          // a merchant user's own store
	Selected   string        // the one merchant the per-day charts show, "" for all
	ServiceSet []anxin.Service
	People     []anxin.PersonDays // decisions per person per day
}

// PerDay is a person's decisions per day of the period, and per day they worked.
func (r Reports) PerDay(p anxin.PersonDays) (period, active string) {
	f := func(n, d int) string {
		if d == 0 {
			return "—"
		}
		return strconv.FormatFloat(float64(n)/float64(d), 'f', 1, 64)
	}
	return f(p.Total(), r.Days), f(p.Total(), len(p.Days))
}

func (r Reports) selected(ctx context.Context) string {
	if r.Selected == "" {
		return T(ctx, "All merchants")
	}
	return r.Selected
}

// URL is the page with the same filters and another period of days.
func (r Reports) URL(days int) string {
	v := url.Values{"days": {strconv.Itoa(days)}}
	if r.Merchant != "" {
		v.Set("merchant", r.Merchant)
	}
	if r.Service != "" {
		v.Set("service", string(r.Service))
	}
	return "/reports?" + v.Encode()
}

// MerchantRateChart is each merchant's return rate over the period, with
// the red line and the target.
func (r Reports) MerchantRateChart(ctx context.Context) Chart {
	c := Chart{ID: "chart-merchants", Format: percentAxis, Refs: RateRefs(ctx),
		Label: T(ctx, "Return rate per merchant, with the red line and the target")}
	for _, row := range r.Rows {
		c.Labels = append(c.Labels, row.Merchant.Name)
		c.Values = append(c.Values, row.Figures.ReturnRate())
	}
	return c
}

// DailyRateChart is the return rate per day of the selection.
func (r Reports) DailyRateChart(ctx context.Context) Chart {
	c := ReturnRateChart(ctx, r.Total, false)
	c.ID, c.Line = "chart-rate-days", false
	return c
}

// RefundChart is the refunds paid per day of the selection, in yuan.
func (r Reports) RefundChart(ctx context.Context) Chart {
	return Chart{ID: "chart-refunds", Labels: r.Total.Days, Values: fens(r.Total.RefundFen), Format: yuanAxis,
		Label: T(ctx, "Refunds paid per day, in yuan")}
}

// FirstActionChart is the median time to the first action per day, in minutes
// (one merchant's only: a sum of merchants keeps no daily medians).
func (r Reports) FirstActionChart(ctx context.Context) Chart {
	return Chart{ID: "chart-first-action", Labels: r.Total.Days, Values: minutes(r.Total.FirstActionMedians()), Format: roundAxis,
		Label: T(ctx, "Median minutes to the first action, per day")}
}

// Compliance formats a deadline compliance, or a dash when no clock ended.
func Compliance(f anxin.Figures) string {
	if sum(f.Decided) == 0 {
		return "—"
	}
	return Percent(f.Compliance(), 1)
}

// ArbitrationRate is arbitrations opened over orders.
func ArbitrationRate(f anxin.Figures) string { return Percent(f.ComplaintRate(), 2) }

func ruledBuyer(f anxin.Figures) int    { b, _ := f.ArbitrationsRuled(); return b }
func ruledMerchant(f anxin.Figures) int { _, m := f.ArbitrationsRuled(); return m }

func sum(xs []int) (n int) {
	for _, x := range xs {
		n += x
	}
	return n
}

func overRedLine(f anxin.Figures) string {
	if f.ReturnRate() > anxin.ReturnRateRedLine {
		return "true"
	}
	return "false"
}

// reportsURL leads from a merchant's figures to its reports.
func reportsURL(p MerchantFigures) string {
	if p.Own {
		return "/reports"
	}
	return "/reports?" + url.Values{"merchant": {p.Merchant.Code}}.Encode()
}

// MerchantsCSV is the per-merchant table as rows for a CSV download: the
// header, a row per merchant and the total, in the page's words, amounts in
// yuan and durations in minutes.
func MerchantsCSV(ctx context.Context, r Reports) [][]string {
	minutes := func(d time.Duration) string {
		if d <= 0 {
			return ""
		}
		return strconv.FormatFloat(d.Minutes(), 'f', 1, 64)
	}
	row := func(name string, f anxin.Figures) []string {
		buyer, merchant := f.ArbitrationsRuled()
		return []string{name, strconv.Itoa(f.TotalOrders()), strconv.Itoa(refundCount(f)), Percent(f.ReturnRate(), 1),
			Compliance(f), strconv.Itoa(f.DeadlinesMissed()), minutes(f.MedianFirstAction()), minutes(f.P90FirstAction()),
			ArbitrationRate(f), strconv.Itoa(buyer), strconv.Itoa(merchant), yuanPlain(refundSum(f))}
	}
	out := [][]string{{T(ctx, "Merchant"), T(ctx, "Orders"), T(ctx, "Refunded"), T(ctx, "Return rate"),
		T(ctx, "Deadline compliance"), T(ctx, "Clocks run out"), T(ctx, "First action, median (min)"),
		T(ctx, "First action, p90 (min)"), T(ctx, "Arbitration rate"), T(ctx, "Ruled for the buyer"),
		T(ctx, "Ruled for the merchant"), T(ctx, "Refunds paid (yuan)")}}
	for _, m := range r.Rows {
		out = append(out, row(m.Merchant.Name, m.Figures))
	}
	if len(r.Rows) > 1 {
		out = append(out, row(T(ctx, "All merchants"), r.Total))
	}
	return out
}

// yuanPlain writes fen as yuan with two decimals and no sign: 8990 -> 89.90.
func yuanPlain(fen int64) string { return strconv.FormatFloat(float64(fen)/100, 'f', 2, 64) }

// CSVURL downloads the per-merchant table of this very period and filter.
func (r Reports) CSVURL() string {
	v := url.Values{"format": {"csv"}}
	if r.Custom {
		v.Set("from", r.From)
		v.Set("to", r.To)
	} else {
		v.Set("days", strconv.Itoa(r.Days))
	}
	if r.Merchant != "" {
		v.Set("merchant", r.Merchant)
	}
	if r.Service != "" {
		v.Set("service", string(r.Service))
	}
	return "/reports?" + v.Encode()
}
