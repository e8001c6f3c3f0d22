package anxin_test

import (
	"errors"
	"testing"
	"time"

	"github.com/anxin-helpdesk/anxin"
)

func TestParseServiceHours(t *testing.T) {
	for _, c := range []struct {
		in   string
		want anxin.ServiceHours
		ok   bool
	}{
		{"08:00-23:00", anxin.ServiceHours{From: 480, To: 1380}, true},
		{"00:00-24:00", anxin.ServiceHours{From: 0, To: 1440}, true},
		{"09:30-18:45", anxin.ServiceHours{From: 570, To: 1125}, true},
		{"23:00-08:00", anxin.ServiceHours{}, false}, // no wrapping past midnight
		{"08:00-08:00", anxin.ServiceHours{}, false},
		{"08:00-24:01", anxin.ServiceHours{}, false},
		{"08:60-23:00", anxin.ServiceHours{}, false},
		{"8:00-23:00", anxin.ServiceHours{}, false},
		{"08:00-23:00 ", anxin.ServiceHours{}, false},
		{"+8:00-23:00", anxin.ServiceHours{}, false},
		{"08:00~23:00", anxin.ServiceHours{}, false},
		{"08:00", anxin.ServiceHours{}, false},
		{"", anxin.ServiceHours{}, false},
	} {
		got, err := anxin.ParseServiceHours(c.in)
		if c.ok != (err == nil) || got != c.want {
			t.Errorf("%q: %+v, %v", c.in, got, err)
		}
		if !c.ok && !errors.Is(err, anxin.ErrServiceHours) {
			t.Errorf("%q: error %v is not ErrServiceHours", c.in, err)
		}
		if c.ok && got.String() != c.in {
			t.Errorf("%q reads back as %q", c.in, got.String())
		}
	}
	if d := anxin.DefaultServiceHours(); d.String() != "08:00-23:00" || d.Validate() != nil || d.IsZero() {
		t.Errorf("default %v", d)
	}
	if (anxin.ServiceHours{}).Validate() == nil {
		t.Error("zero hours pass")
	}
}

func TestServiceHoursWithin(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	at := func(day, hour, minute int) time.Time { return time.Date(2026, 11, day, hour, minute, 0, 0, sh) }
	def := anxin.DefaultServiceHours()
	allDay := anxin.ServiceHours{From: 0, To: 24 * 60}
	for _, c := range []struct {
		name  string
		hours anxin.ServiceHours
		a, b  time.Time
		want  time.Duration
	}{
		{"within the hours", def, at(26, 9, 0), at(26, 9, 2), 2 * time.Minute},
		{"across midnight", def, at(26, 22, 58), at(27, 8, 2), 4 * time.Minute},
		{"before opening, answered after it", def, at(26, 6, 0), at(26, 8, 5), 5 * time.Minute},
		{"before opening, answered before it", def, at(26, 6, 0), at(26, 7, 59), 0},
		{"after closing, answered next morning", def, at(26, 23, 30), at(27, 8, 1), time.Minute},
		{"after midnight, answered at opening", def, at(27, 0, 30), at(27, 8, 0), 0},
		{"at closing time exactly", def, at(26, 23, 0), at(27, 8, 3), 3 * time.Minute},
		{"across two nights", def, at(26, 22, 0), at(28, 9, 0), time.Hour + 15*time.Hour + time.Hour},
		{"across a month's end", def, at(30, 22, 59), time.Date(2026, 12, 1, 8, 1, 0, 0, sh), 2 * time.Minute},
		{"answered before asked", def, at(26, 9, 0), at(26, 8, 0), 0},
		{"round the clock", allDay, at(26, 22, 58), at(27, 8, 2), 9*time.Hour + 4*time.Minute},
		{"odd hours", anxin.ServiceHours{From: 9*60 + 30, To: 18*60 + 45}, at(26, 18, 40), at(27, 9, 35), 10 * time.Minute},
		// The instants are UTC; the hours are Beijing's: 14:58 UTC is 22:58 there.
		{"UTC instants", def, time.Date(2026, 11, 26, 14, 58, 0, 0, time.UTC), time.Date(2026, 11, 27, 0, 2, 0, 0, time.UTC), 4 * time.Minute},
	} {
		if got := c.hours.Within(c.a, c.b, sh); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}

	// In a zone with summer time, a day's hours are that day's wall clock:
	// New York sprang forward at 02:00 on 8 March 2026, so that day has 23 hours.
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip("no America/New_York in this system's zone data")
	}
	sat, sun := time.Date(2026, 3, 7, 12, 0, 0, 0, ny), time.Date(2026, 3, 8, 12, 0, 0, 0, ny)
	if got := allDay.Within(sat, sun, ny); got != 23*time.Hour {
		t.Errorf("round the clock over the change: %v", got)
	}
	if got := def.Within(time.Date(2026, 3, 7, 22, 58, 0, 0, ny), time.Date(2026, 3, 8, 8, 2, 0, 0, ny), ny); got != 4*time.Minute {
		t.Errorf("08:00-23:00 over the change: %v", got)
	}
}

func TestNormReport(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	at := func(day, hour, minute int) time.Time { return time.Date(2026, 11, day, hour, minute, 0, 0, sh) }
	p := anxin.NormPolicy{Hours: anxin.DefaultServiceHours(), Zone: sh}
	li := anxin.Responder{UserID: 7, Name: "李娜", From: anxin.SenderMerchant, MerchantID: 1}
	wang := anxin.Responder{UserID: 3, Name: "王晓", From: anxin.SenderAgent}
	end := at(27, 10, 0)
	asked := []anxin.Asked{
		{MerchantID: 1, At: at(26, 9, 0), RepliedAt: at(26, 9, 2), ReplyBy: li},      // 2 min: within
		{MerchantID: 1, At: at(26, 9, 0), RepliedAt: at(26, 9, 3), ReplyBy: li},      // 3 min: within, at the norm
		{MerchantID: 1, At: at(26, 22, 58), RepliedAt: at(27, 8, 2), ReplyBy: wang},  // 4 min across the night
		{MerchantID: 1, At: at(26, 2, 0), RepliedAt: at(26, 8, 1), ReplyBy: wang},    // 1 min from the opening
		{MerchantID: 1, At: at(27, 9, 0)},                                            // open for 60 min: judged, missed
		{MerchantID: 1, At: at(27, 9, 58)},                                           // open for 2 min: not judged yet
		{MerchantID: 2, At: at(26, 10, 0), RepliedAt: at(26, 10, 20), ReplyBy: wang}, // 20 min
		{MerchantID: 2, At: at(27, 9, 50), RepliedAt: at(27, 10, 5), ReplyBy: wang},  // answered after the end: open
		{MerchantID: 2, At: at(26, 23, 30)},                                          // asked at night, open since 08:00
	}
	r := p.Report(asked, end)

	m1 := r.Merchants[1]
	want1 := anxin.NormFigures{Messages: 6, Answered: 4, WithinNorm: 3, Open: 2, Pending: 1,
		Waited: (2 + 3 + 4 + 1 + 60) * time.Minute}
	if m1 != want1 {
		t.Errorf("merchant 1: %+v, want %+v", m1, want1)
	}
	if m1.Judged() != 5 || m1.ReplyRate() != 0.6 || m1.MeanResponse() != 14*time.Minute {
		t.Errorf("merchant 1: judged %d, rate %v, mean %v", m1.Judged(), m1.ReplyRate(), m1.MeanResponse())
	}
	m2 := r.Merchants[2]
	want2 := anxin.NormFigures{Messages: 3, Answered: 1, WithinNorm: 0, Open: 2, Pending: 0,
		Waited: (20 + 10 + 120) * time.Minute}
	if m2 != want2 || m2.ReplyRate() != 0 || m2.MeanResponse() != 50*time.Minute {
		t.Errorf("merchant 2: %+v, want %+v", m2, want2)
	}
	if r.Total.Messages != 9 || r.Total.Answered != 5 || r.Total.WithinNorm != 3 || r.Total.Open != 4 || r.Total.Pending != 1 {
		t.Errorf("total %+v", r.Total)
	}

	// People: only what each answered, sorted by name (李 before 王).
	if len(r.People) != 2 || r.People[0].Name != "李娜" || r.People[1].Name != "王晓" {
		t.Fatalf("people %+v", r.People)
	}
	if p := r.People[0]; p.Answered != 2 || p.WithinNorm != 2 || p.ReplyRate() != 1 || p.MeanResponse() != 150*time.Second || p.Open != 0 {
		t.Errorf("李娜 %+v", p)
	}
	if p := r.People[1]; p.Answered != 3 || p.WithinNorm != 1 || p.MeanResponse() != (4+1+20)*time.Minute/3 || p.From != anxin.SenderAgent {
		t.Errorf("王晓 %+v", p)
	}

	// Nothing asked: no rate, no mean, nothing to divide by zero.
	empty := p.Report(nil, end)
	if empty.Total.ReplyRate() != 0 || empty.Total.MeanResponse() != 0 || len(empty.People) != 0 {
		t.Errorf("empty %+v", empty)
	}
	// Only a pending message: asked, open, not judged.
	pending := p.Report([]anxin.Asked{{MerchantID: 1, At: at(27, 2, 0)}}, at(27, 8, 1)).Total
	if pending.Messages != 1 || pending.Open != 1 || pending.Judged() != 0 || pending.ReplyRate() != 0 {
		t.Errorf("pending %+v", pending)
	}
}

func TestNormPolicyDefaults(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	// Zero hours are the platform's; a zero norm is ReplyNorm.
	p := anxin.NormPolicy{Zone: sh}
	a := time.Date(2026, 11, 26, 22, 58, 0, 0, sh)
	if got := p.ResponseTime(a, a.Add(10*time.Hour)); got != time.Hour {
		t.Errorf("default hours: %v", got)
	}
	r := p.Report([]anxin.Asked{{At: a.Add(-10 * time.Hour), RepliedAt: a.Add(-10*time.Hour + 3*time.Minute)}}, a)
	if r.Total.WithinNorm != 1 {
		t.Errorf("default norm: %+v", r.Total)
	}
}

// TestNormReportForAMerchant: a merchant sees its own figures and people,
// and the support team as one row; never another merchant's.
func TestNormReportForAMerchant(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	at := func(hour, minute int) time.Time { return time.Date(2026, 11, 26, hour, minute, 0, 0, sh) }
	p := anxin.NormPolicy{Hours: anxin.DefaultServiceHours(), Zone: sh}
	li := anxin.Responder{UserID: 7, Name: "李娜", From: anxin.SenderMerchant, MerchantID: 1}
	zhou := anxin.Responder{UserID: 8, Name: "周敏", From: anxin.SenderMerchant, MerchantID: 2}
	wang := anxin.Responder{UserID: 3, Name: "王晓", From: anxin.SenderAgent}
	chen := anxin.Responder{UserID: 4, Name: "陈静", From: anxin.SenderAgent}
	asked := []anxin.Asked{
		{MerchantID: 1, At: at(9, 0), RepliedAt: at(9, 1), ReplyBy: li},
		{MerchantID: 1, At: at(9, 0), RepliedAt: at(9, 2), ReplyBy: wang},
		{MerchantID: 1, At: at(9, 0), RepliedAt: at(9, 10), ReplyBy: chen},
		{MerchantID: 2, At: at(9, 0), RepliedAt: at(9, 1), ReplyBy: zhou},
		{MerchantID: 2, At: at(9, 0), RepliedAt: at(9, 5), ReplyBy: wang},
	}
	end := at(12, 0)
	r := p.Report(asked, end)

	if all := p.ReportFor(anxin.AllMerchants(), asked, end); len(all.People) != 4 || len(all.Merchants) != 2 || all.Total.Messages != 5 {
		t.Errorf("staff see %+v", all)
	}
	own := p.ReportFor(anxin.Scope{MerchantID: 1}, asked, end)
	if len(own.Merchants) != 1 || own.Total != r.Merchants[1] {
		t.Errorf("merchant 1 sees %+v", own)
	}
	if own.Total.Messages != 3 || own.Total.Answered != 3 {
		t.Errorf("merchant 1's total %+v", own.Total)
	}
	if len(own.People) != 2 || own.People[0].Name != "李娜" || own.People[1].UserID != 0 || own.People[1].Name != "" ||
		own.People[1].From != anxin.SenderAgent || own.People[1].Answered != 2 || own.People[1].WithinNorm != 1 ||
		own.People[1].Waited != 12*time.Minute || own.People[1].MerchantID != 0 {
		t.Errorf("merchant 1's people %+v", own.People)
	}
	none := p.ReportFor(anxin.Scope{MerchantID: 9}, asked, end)
	if none.Total.Messages != 0 || len(none.People) != 0 || len(none.Merchants) != 0 {
		t.Errorf("a merchant with no messages sees %+v", none)
	}
}
