package anxin

import "time"

// Return-rate yardsticks from the source: past 20% the cost curve turns up
// steeply; 15% or less is healthy.
const (
	ReturnRateRedLine = 0.20
	ReturnRateTarget  = 0.15
)

// FigureDays is the period merchant figures cover: a rolling 30 days.
const FigureDays = 30

// Figures are a merchant's after-sales yardsticks over a period of days,
// each with its daily series for a trend. The denominators are the orders
// the merchant reported for each day.
type Figures struct {
	Days             []string // YYYY-MM-DD in the configured zone, oldest first
	Orders           []int
	Refunded         []int       // tickets ending in a refund (paid that day)
	RefundFen        []int64     // what those refunds paid
	ArbitrationsOpen []int       // complaints: arbitrations opened
	ArbitrationsLost []int       // disputes: rulings against the merchant
	ArbitrationsWon  []int       // rulings for the merchant
	Decided          []int       // merchant clocks ended by a decision (a person's or a timeout), not the buyer's cancel
	Missed           []int       // merchant clocks that ran out into an automatic decision
	FirstActions     []Histogram // times to the first decision, by day of the ticket's creation

	RefundsBy map[ServiceKey]RefundTotal
}

// RefundTotal is what refunds on one service paid.
type RefundTotal struct {
	Count int
	Fen   int64
}

// NewFigures makes empty figures for the days.
func NewFigures(days []string) Figures {
	n := len(days)
	return Figures{Days: days, Orders: make([]int, n), Refunded: make([]int, n), RefundFen: make([]int64, n),
		ArbitrationsOpen: make([]int, n), ArbitrationsLost: make([]int, n), ArbitrationsWon: make([]int, n),
		Decided: make([]int, n), Missed: make([]int, n),
		FirstActions: make([]Histogram, n), RefundsBy: map[ServiceKey]RefundTotal{}}
}

// Add adds another merchant's figures for the same days (the sum of
// several merchants).
func (f *Figures) Add(g Figures) {
	for i := range f.Days {
		f.Orders[i] += g.Orders[i]
		f.Refunded[i] += g.Refunded[i]
		f.RefundFen[i] += g.RefundFen[i]
		f.ArbitrationsOpen[i] += g.ArbitrationsOpen[i]
		f.ArbitrationsLost[i] += g.ArbitrationsLost[i]
		f.ArbitrationsWon[i] += g.ArbitrationsWon[i]
		f.Decided[i] += g.Decided[i]
		f.Missed[i] += g.Missed[i]
		f.FirstActions[i] = f.FirstActions[i].Add(g.FirstActions[i])
	}
	for k, r := range g.RefundsBy {
		t := f.RefundsBy[k]
		t.Count += r.Count
		t.Fen += r.Fen
		f.RefundsBy[k] = t
	}
}

// DaysEnding lists the n calendar days ending with the day of `to` in the zone.
func DaysEnding(to time.Time, zone *time.Location, n int) []string {
	last := to.In(zone)
	days := make([]string, n)
	for i := range n {
		days[n-1-i] = last.AddDate(0, 0, -i).Format(time.DateOnly)
	}
	return days
}

func sum[T int | int64](xs []T) T {
	var s T
	for _, x := range xs {
		s += x
	}
	return s
}

func rate(n, orders int) float64 {
	if orders == 0 {
		return 0
	}
	return float64(n) / float64(orders)
}

// TotalOrders is the period's orders.
func (f Figures) TotalOrders() int { return sum(f.Orders) }

// ReturnRate is tickets ending in a refund over orders.
func (f Figures) ReturnRate() float64 { return rate(sum(f.Refunded), f.TotalOrders()) }

// ComplaintRate is arbitrations opened over orders.
func (f Figures) ComplaintRate() float64 { return rate(sum(f.ArbitrationsOpen), f.TotalOrders()) }

// DisputeRate is arbitrations ruled against the merchant over orders.
func (f Figures) DisputeRate() float64 { return rate(sum(f.ArbitrationsLost), f.TotalOrders()) }

// DeadlinesMissed is how many merchant clocks ran out.
func (f Figures) DeadlinesMissed() int { return sum(f.Missed) }

// Compliance is the share of merchant clocks ended by a decision before
// they ran out (1 when none ended).
func (f Figures) Compliance() float64 {
	d := sum(f.Decided)
	if d == 0 {
		return 1
	}
	return 1 - float64(sum(f.Missed))/float64(d)
}

// ArbitrationsRuled is how many arbitrations were ruled for the buyer and for the merchant.
func (f Figures) ArbitrationsRuled() (buyer, merchant int) {
	return sum(f.ArbitrationsLost), sum(f.ArbitrationsWon)
}

// FirstActionsAll counts the times to the first decision over the period.
func (f Figures) FirstActionsAll() Histogram {
	var all Histogram
	for _, h := range f.FirstActions {
		all = all.Add(h)
	}
	return all
}

// FirstActionMedians is the median time to the first decision per day.
func (f Figures) FirstActionMedians() []time.Duration {
	out := make([]time.Duration, len(f.FirstActions))
	for i, h := range f.FirstActions {
		out[i] = h.Quantile(0.5)
	}
	return out
}

// P90FirstAction is the 90th percentile of the time to the first decision.
func (f Figures) P90FirstAction() time.Duration { return f.FirstActionsAll().Quantile(0.9) }

// RefundsPaid is the count and sum of refunds paid.
func (f Figures) RefundsPaid() (int, int64) { return sum(f.Refunded), sum(f.RefundFen) }

// MedianFirstAction is the median time from a ticket's creation to its first decision.
func (f Figures) MedianFirstAction() time.Duration { return f.FirstActionsAll().Quantile(0.5) }

// DailyRate is a daily series of n over that day's orders.
func (f Figures) DailyRate(n []int) []float64 {
	out := make([]float64, len(n))
	for i := range n {
		out[i] = rate(n[i], f.Orders[i])
	}
	return out
}

// Health places a return rate against the yardsticks: "ok" at or under the
// target, "warn" up to the red line, "bad" past it.
func Health(returnRate float64) string {
	switch {
	case returnRate > ReturnRateRedLine:
		return "bad"
	case returnRate > ReturnRateTarget:
		return "warn"
	}
	return "ok"
}

// PersonDays is how many decisions one person made on each day of a period.
type PersonDays struct {
	ActorID int64
	Name    string
	Role    Role
	Days    map[string]int // YYYY-MM-DD -> decisions

	// The merchant clocks of the tickets assigned to the person (now) that
	// ended in the period: by a decision (anyone's) or running out.
	ClocksEnded, ClocksMissed int
}

// Compliance is the share of the person's assigned tickets' merchant clocks
// decided before they ran out (1 when none ended).
func (p PersonDays) Compliance() float64 {
	if p.ClocksEnded == 0 {
		return 1
	}
	return 1 - float64(p.ClocksMissed)/float64(p.ClocksEnded)
}

// Total is the person's decisions over the period.
func (p PersonDays) Total() int {
	n := 0
	for _, d := range p.Days {
		n += d
	}
	return n
}

// Busiest is the person's largest count in a day.
func (p PersonDays) Busiest() int {
	n := 0
	for _, d := range p.Days {
		n = max(n, d)
	}
	return n
}

// DecisionActions are the actions counted as a person's decisions on a ticket.
var DecisionActions = []Action{Approve, Refund, Reject, RequestEvidence, EscalateToArb, Offer, RuleForBuyer, RuleForMerchant, ManualRefund}

// TeamActorID stands for the support team as one person.
const TeamActorID = -1

// TeamAsOne merges the support team's people (agents and admins) into one,
// as a merchant sees them; the merchant's own people stay by name.
func TeamAsOne(people []PersonDays) []PersonDays {
	team := PersonDays{ActorID: TeamActorID, Role: RoleAgent, Days: map[string]int{}}
	out := make([]PersonDays, 0, len(people))
	for _, p := range people {
		if p.Role == RoleMerchant {
			out = append(out, p)
			continue
		}
		for d, n := range p.Days {
			team.Days[d] += n
		}
		team.ClocksEnded += p.ClocksEnded
		team.ClocksMissed += p.ClocksMissed
	}
	if len(team.Days) > 0 || team.ClocksEnded > 0 {
		out = append(out, team)
	}
	return out
}
