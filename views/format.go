package views

import (
	"context"
	"fmt"
	"html"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/a-h/templ"

	"github.com/anxin-helpdesk/anxin"
)

// Money formats fen as yuan: 149000 -> ¥1,490.00.
func Money(fen int64) string {
	b := make([]byte, 0, 24)
	if fen < 0 {
		b, fen = append(b, '-'), -fen
	}
	b = append(b, "¥"...)
	yuan := strconv.FormatInt(fen/100, 10)
	for i := range len(yuan) {
		if i > 0 && (len(yuan)-i)%3 == 0 {
			b = append(b, ',')
		}
		b = append(b, yuan[i])
	}
	cents := fen % 100
	return string(append(b, '.', byte('0'+cents/10), byte('0'+cents%10)))
}

// MaskPhone hides the middle of a phone number: 13800138000 -> 138****8000.
func MaskPhone(p string) string { return anxin.MaskPhone(p) }

// Countdown formats the time left until a deadline: under a day as 23:59:12,
// from a day on as 2天4小时 (2d 4h); past it, 逾期 and by how long.
// static/app.js formats the same way as it ticks.
func Countdown(ctx context.Context, deadline, now time.Time) string {
	left := deadline.Sub(now)
	if left > 0 {
		return countdown(ctx, left)
	}
	return T(ctx, "overdue") + " " + countdown(ctx, -left)
}

func countdown(ctx context.Context, d time.Duration) string {
	s := int64(d / time.Second)
	days, h, m := s/86400, (s%86400)/3600, (s%3600)/60
	if days > 0 {
		if page(ctx).Lang == "en" {
			return fmt.Sprintf("%dd %dh", days, h)
		}
		return fmt.Sprintf("%d天%d小时", days, h)
	}
	return fmt.Sprintf("%02d:%02d:%02d", h, m, s%60)
}

// Urgency is the countdown's colour class by the share of its clock used:
// ok under half, warn under 80%, late after that or past the deadline.
func Urgency(t anxin.Ticket, now time.Time) string {
	switch used := t.ClockUsed(now); {
	case t.Deadline.IsZero():
		return "none"
	case t.Overdue(now) || used >= 0.8:
		return "late"
	case used >= 0.5:
		return "warn"
	}
	return "ok"
}

// When formats a moment in the configured time zone.
func When(ctx context.Context, t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(page(ctx).Zone).Format("2006-01-02 15:04")
}

// RFC3339 is the machine form of a moment, for data attributes.
func RFC3339(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// ServiceName is the service's name in the page's language.
func ServiceName(ctx context.Context, key anxin.ServiceKey) string {
	s, err := anxin.LookupService(key)
	if err != nil {
		return string(key)
	}
	if page(ctx).Lang == "en" {
		return s.NameEN
	}
	return s.NameZH
}

// StateName is the state's name in the page's language.
func StateName(ctx context.Context, s anxin.State) string { return T(ctx, string(s)) }

func int64Str(n int64) string { return strconv.FormatInt(n, 10) }

func intStr(n int) string { return strconv.Itoa(n) }

func boolStr(b bool) string { return strconv.FormatBool(b) }

func tabCurrent(active bool) string {
	if active {
		return "page"
	}
	return "false"
}

// ZoneName names a time zone for people: China's in words, any other by
// its UTC offset now (a zone's IANA name is a code, not a word).
func ZoneName(ctx context.Context, loc *time.Location) string {
	switch loc.String() {
	case "Asia/Shanghai", "Asia/Chongqing", "Asia/Harbin", "PRC":
		return T(ctx, "Beijing time")
	}
	_, off := page(ctx).Now.In(loc).Zone()
	sign := "+"
	if off < 0 {
		sign, off = "-", -off
	}
	return fmt.Sprintf("UTC%s%02d:%02d", sign, off/3600, off%3600/60)
}

// Coded is text in which the commands and names given are marked as code
// (<code>): a sentence of the UI that tells the admin what to run. The
// text is escaped; only the marks are HTML.
func Coded(text string, codes ...string) templ.Component {
	return templ.ComponentFunc(func(_ context.Context, w io.Writer) error {
		out := html.EscapeString(text)
		for _, c := range codes {
			e := html.EscapeString(c)
			out = strings.ReplaceAll(out, e, "<code>"+e+"</code>")
		}
		_, err := io.WriteString(w, out)
		return err
	})
}
