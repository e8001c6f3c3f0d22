package anxin

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"time"
)

// ReplyNorm is the platform's service norm for answering a buyer: a
// person's first reply within 3 minutes (the 3-minute reply rate, 3分钟回复率).
const ReplyNorm = 3 * time.Minute

// ServiceHours are the daily hours in which the platform assesses how fast
// a person answers the buyer (08:00-23:00 on 抖店): minutes from midnight in
// the display zone, From inclusive, To exclusive. The hours do not wrap past
// midnight; 00:00-24:00 is round the clock.
type ServiceHours struct {
	From, To int
}

// DefaultServiceHours are the platform's assessment hours, 08:00-23:00.
func DefaultServiceHours() ServiceHours { return ServiceHours{From: 8 * 60, To: 23 * 60} }

// ErrServiceHours is why service hours are refused.
var ErrServiceHours = errors.New(`service hours must be "HH:MM-HH:MM", the opening before the closing, within 00:00-24:00`)

// ParseServiceHours reads service hours written "08:00-23:00".
func ParseServiceHours(s string) (ServiceHours, error) {
	from, okFrom := clockMinutes(s[:min(5, len(s))])
	to, okTo := clockMinutes(s[min(6, len(s)):])
	h := ServiceHours{From: from, To: to}
	if !okFrom || !okTo || len(s) != 11 || s[5] != '-' || h.Validate() != nil {
		return ServiceHours{}, fmt.Errorf("%q: %w", s, ErrServiceHours)
	}
	return h, nil
}

// clockMinutes reads "HH:MM" (00:00 to 24:00) as minutes from midnight.
func clockMinutes(s string) (int, bool) {
	if len(s) != 5 || s[2] != ':' {
		return 0, false
	}
	var d [4]int
	for i, c := range []byte{s[0], s[1], s[3], s[4]} {
		if c < '0' || c > '9' {
			return 0, false
		}
		d[i] = int(c - '0')
	}
	h, m := d[0]*10+d[1], d[2]*10+d[3]
	if m > 59 || h*60+m > 24*60 {
		return 0, false
	}
	return h*60 + m, true
}

// Validate refuses hours that open at or after they close, or fall outside
// the day.
func (h ServiceHours) Validate() error {
	if h.From < 0 || h.To > 24*60 || h.From >= h.To {
		return ErrServiceHours
	}
	return nil
}

// IsZero reports whether the hours were never set.
func (h ServiceHours) IsZero() bool { return h == ServiceHours{} }

// String writes the hours as they are parsed: "08:00-23:00".
func (h ServiceHours) String() string {
	return fmt.Sprintf("%02d:%02d-%02d:%02d", h.From/60, h.From%60, h.To/60, h.To%60)
}

// open and close are the hours' opening and closing on the calendar day
// (y, m, d) in the zone; time.Date normalises day overflow and 24:00.
func (h ServiceHours) open(y int, m time.Month, d int, zone *time.Location) (time.Time, time.Time) {
	return time.Date(y, m, d, h.From/60, h.From%60, 0, 0, zone), time.Date(y, m, d, h.To/60, h.To%60, 0, 0, zone)
}

// Within is how much of the span from a to b falls within the service
// hours, day by day in the zone: a message at 22:58 answered at 08:02 the
// next morning waited 2 + 2 = 4 minutes; one that came in at night starts
// counting at the next opening, and one answered before it waited nothing.
func (h ServiceHours) Within(a, b time.Time, zone *time.Location) time.Duration {
	if !b.After(a) {
		return 0
	}
	if zone == nil {
		zone = time.UTC
	}
	y, m, d := a.In(zone).Date()
	var sum time.Duration
	for i := 0; ; i++ {
		open, closing := h.open(y, m, d+i, zone)
		if !open.Before(b) {
			return sum
		}
		from, to := later(open, a), earlier(closing, b)
		if to.After(from) {
			sum += to.Sub(from)
		}
	}
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// Asked is one buyer message as the service norms see it: when the buyer
// asked on which merchant's ticket, and when a person answered it and who
// (zero: not answered yet).
type Asked struct {
	MerchantID int64
	At         time.Time
	RepliedAt  time.Time
	ReplyBy    Responder
}

// Responder is a person who answers buyers: one of a merchant's people or
// of the support team.
type Responder struct {
	UserID     int64
	Name       string
	From       Sender // SenderMerchant or SenderAgent
	MerchantID int64  // the merchant a merchant user answers for; 0 for agents
}

// NormPolicy is how buyer messages are judged: the norm a reply must meet,
// counted within the service hours of the zone.
type NormPolicy struct {
	Hours ServiceHours
	Zone  *time.Location
	Norm  time.Duration // default ReplyNorm
}

func (p NormPolicy) norm() time.Duration {
	if p.Norm <= 0 {
		return ReplyNorm
	}
	return p.Norm
}

// ResponseTime is how long a buyer asking at `asked` waited for a person
// until `answered`, counted within the service hours only.
func (p NormPolicy) ResponseTime(asked, answered time.Time) time.Duration {
	hours := p.Hours
	if hours.IsZero() {
		hours = DefaultServiceHours()
	}
	return hours.Within(asked, answered, p.Zone)
}

// NormFigures are the service-norm figures of a set of buyer messages.
//
// A message never answered by the end of the period is judged as the
// platform's definition implies: its 3-minute reply rate is "answered by a
// person within 3 minutes ÷ buyer messages", so an unanswered message stays
// in the denominator and fails the norm; and since ignoring a buyer is a
// violation of its own, ignoring must never improve the mean response time,
// so the wait so far (in service hours, up to the end of the period) counts
// toward the mean, as the least its response time will be. The open ones are
// also shown on their own (Open). One exception: an open message whose wait
// is still within the norm may yet meet it, so it is not judged yet
// (Pending): it counts in Messages and Open, but not in the rate or the mean.
type NormFigures struct {
	Messages   int           // buyer messages asked in the period
	Answered   int           // answered by a person by the end of the period
	WithinNorm int           // answered within the norm, in service hours
	Open       int           // not answered by the end of the period
	Pending    int           // open, and still within the norm: not judged yet
	Waited     time.Duration // the judged messages' response times (the open ones': so far)
}

// Judged is the messages the rate and the mean are taken over.
func (f NormFigures) Judged() int { return f.Messages - f.Pending }

// ReplyRate is the share of judged messages answered within the norm (0 for none).
func (f NormFigures) ReplyRate() float64 { return rate(f.WithinNorm, f.Judged()) }

// MeanResponse is the judged messages' mean response time in service hours.
func (f NormFigures) MeanResponse() time.Duration {
	if f.Judged() == 0 {
		return 0
	}
	return f.Waited / time.Duration(f.Judged())
}

// add counts one buyer message, answered or not by the end.
func (f *NormFigures) add(p NormPolicy, a Asked, end time.Time) {
	f.Messages++
	answered := !a.RepliedAt.IsZero() && !a.RepliedAt.After(end)
	if !answered {
		f.Open++
		waited := p.ResponseTime(a.At, end)
		if waited <= p.norm() {
			f.Pending++
			return
		}
		f.Waited += waited
		return
	}
	took := p.ResponseTime(a.At, a.RepliedAt)
	f.Answered++
	f.Waited += took
	if took <= p.norm() {
		f.WithinNorm++
	}
}

// PersonFigures are the figures of the messages one person answered.
type PersonFigures struct {
	Responder
	NormFigures
}

// NormReport is the service norms of a period: in all, per merchant, and
// per person who answered (people sorted by name).
type NormReport struct {
	Policy    NormPolicy
	Total     NormFigures
	Merchants map[int64]NormFigures
	People    []PersonFigures
}

// Report judges the buyer messages of a period that ends at `end` (the
// messages answered after it count as open).
func (p NormPolicy) Report(asked []Asked, end time.Time) NormReport {
	r := NormReport{Policy: p, Merchants: map[int64]NormFigures{}}
	people := map[int64]*PersonFigures{}
	for _, a := range asked {
		r.Total.add(p, a, end)
		m := r.Merchants[a.MerchantID]
		m.add(p, a, end)
		r.Merchants[a.MerchantID] = m
		if a.RepliedAt.IsZero() || a.RepliedAt.After(end) || a.ReplyBy.UserID == 0 {
			continue
		}
		who := people[a.ReplyBy.UserID]
		if who == nil {
			who = &PersonFigures{Responder: a.ReplyBy}
			people[a.ReplyBy.UserID] = who
		}
		who.add(p, a, end)
	}
	for _, who := range people {
		r.People = append(r.People, *who)
	}
	slices.SortFunc(r.People, func(a, b PersonFigures) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.UserID, b.UserID))
	})
	return r
}

// ReportFor is the report as the scope may see it, whatever the messages
// given: another merchant's are left out. A merchant sees its own figures
// and its own people by name; the support team's answers on its tickets are
// one row, a Responder of SenderAgent with no user, since who in the team
// answered is the team's business, not the merchant's.
func (p NormPolicy) ReportFor(scope Scope, asked []Asked, end time.Time) NormReport {
	if scope.MerchantID == 0 {
		return p.Report(asked, end)
	}
	var own []Asked
	for _, a := range asked {
		if a.MerchantID != scope.MerchantID {
			continue
		}
		if a.ReplyBy.From == SenderAgent {
			a.ReplyBy = Responder{UserID: -1, From: SenderAgent} // the team, as one
		}
		own = append(own, a)
	}
	r := p.Report(own, end)
	if i := slices.IndexFunc(r.People, func(x PersonFigures) bool { return x.UserID < 0 }); i >= 0 {
		team := r.People[i]
		team.UserID = 0
		r.People = append(slices.Delete(r.People, i, i+1), team) // the merchant's people first
	}
	return r
}
