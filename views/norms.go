package views

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/anxin-helpdesk/anxin"
)

// Norms is the service-norms page (服务指标): how fast people answered the
// buyers over a period, within the service hours.
type Norms struct {
	Report    anxin.NormReport
	Merchants []anxin.Merchant // the merchants the viewer may see, by name
	Days      int              // the period, in days
	Choices   []int            // the periods to choose from
	From, To  time.Time
	Own       bool // a merchant user's own store
}

// merchantName names the merchant of a person, among those the page shows.
func (n Norms) merchantName(id int64) string {
	for _, m := range n.Merchants {
		if m.ID == id {
			return m.Name
		}
	}
	return ""
}

// NormRate is a reply rate, or a dash when no message was judged.
func NormRate(f anxin.NormFigures) string {
	if f.Judged() == 0 {
		return "—"
	}
	return Percent(f.ReplyRate(), 1)
}

// NormMean is a mean response time, or a dash when no message was judged.
func NormMean(ctx context.Context, f anxin.NormFigures) string {
	if f.Judged() == 0 {
		return "—"
	}
	return ResponseDur(ctx, f.MeanResponse())
}

// ResponseDur formats a response time to the second under an hour:
// 1分30秒 / 1 min 30 s.
func ResponseDur(ctx context.Context, d time.Duration) string {
	if d >= time.Hour {
		return HumanDur(ctx, d)
	}
	d = d.Round(time.Second)
	mins, secs := int(d/time.Minute), int(d%time.Minute/time.Second)
	zh := page(ctx).Lang != "en"
	switch {
	case mins == 0 && zh:
		return fmt.Sprintf("%d秒", secs)
	case mins == 0:
		return fmt.Sprintf("%d s", secs)
	case secs == 0 && zh:
		return fmt.Sprintf("%d分钟", mins)
	case secs == 0:
		return fmt.Sprintf("%d min", mins)
	case zh:
		return fmt.Sprintf("%d分%d秒", mins, secs)
	}
	return fmt.Sprintf("%d min %d s", mins, secs)
}

// normsURL is the page over a period of days.
func normsURL(days int) string { return "/norms?days=" + strconv.Itoa(days) }

// dayIn is a date in the zone: 2026-11-26.
func dayIn(t time.Time, zone *time.Location) string { return t.In(zone).Format(time.DateOnly) }

// zoneOf is the report's zone, UTC when none was given.
func zoneOf(r anxin.NormReport) *time.Location {
	if r.Policy.Zone == nil {
		return time.UTC
	}
	return r.Policy.Zone
}
