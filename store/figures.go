package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/anxin-helpdesk/anxin"
)

// Figures computes a merchant's yardsticks for the days ending with the day
// of `to` in the zone. A merchant user may only ask for its own merchant.
func (s *Store) Figures(ctx context.Context, scope anxin.Scope, merchantID int64, to time.Time, zone *time.Location, days int) (anxin.Figures, error) {
	return s.FiguresFor(ctx, scope, merchantID, "", to, zone, days)
}

// FiguresFor is Figures over one service's tickets ("" for all). The orders
// are the merchant's, whatever the service.
func (s *Store) FiguresFor(ctx context.Context, scope anxin.Scope, merchantID int64, service anxin.ServiceKey, to time.Time, zone *time.Location, days int) (anxin.Figures, error) {
	if scope.MerchantID != 0 && scope.MerchantID != merchantID {
		return anxin.Figures{}, anxin.Fail(anxin.MsgMerchantNotFound)
	}
	f := anxin.NewFigures(anxin.DaysEnding(to, zone, days))
	index := map[string]int{}
	for i, d := range f.Days {
		index[d] = i
	}
	first, _ := time.ParseInLocation(time.DateOnly, f.Days[0], zone)
	from, until := first.UnixMilli(), first.AddDate(0, 0, days).UnixMilli()
	_, offset := to.In(zone).Zone()
	shift := fmt.Sprintf("%+d seconds", offset) // SQLite's date() modifier for the zone
	r := s.read()

	rows, err := r.QueryContext(ctx, `SELECT day, orders FROM merchant_daily_orders
		WHERE merchant_id = ? AND day >= ? AND day <= ?`, merchantID, f.Days[0], f.Days[len(f.Days)-1])
	if err := eachRow(rows, err, func(rows *sql.Rows) error {
		var day string
		var n int
		if err := rows.Scan(&day, &n); err != nil {
			return err
		}
		f.Orders[index[day]] = n
		return nil
	}); err != nil {
		return f, fmt.Errorf("figures: orders: %w", err)
	}

	rows, err = r.QueryContext(ctx, `SELECT date(r.updated_at / 1000, 'unixepoch', ?), t.service, count(*), sum(r.amount_fen)
		FROM refunds r JOIN tickets t ON t.id = r.ticket_id
		WHERE r.status = 'succeeded' AND r.updated_at >= ? AND r.updated_at < ? AND t.merchant_id = ?
		AND (? = '' OR t.service = ?)
		GROUP BY 1, 2`, shift, from, until, merchantID, service, service)
	if err := eachRow(rows, err, func(rows *sql.Rows) error {
		var day string
		var svc anxin.ServiceKey
		var n int
		var fen int64
		if err := rows.Scan(&day, &svc, &n, &fen); err != nil {
			return err
		}
		i, ok := index[day]
		if !ok {
			return nil
		}
		f.Refunded[i] += n
		f.RefundFen[i] += fen
		t := f.RefundsBy[svc]
		t.Count += n
		t.Fen += fen
		f.RefundsBy[svc] = t
		return nil
	}); err != nil {
		return f, fmt.Errorf("figures: refunds: %w", err)
	}

	rows, err = r.QueryContext(ctx, `SELECT date(e.at / 1000, 'unixepoch', ?), e.action, coalesce(e.from_state, ''),
		coalesce(e.to_state, ''), count(*)
		FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id
		WHERE e.action IN ('appeal', 'escalate', 'timeout', 'rule_buyer', 'rule_merchant',
			'approve', 'refund', 'reject', 'request_evidence', 'offer')
		AND e.at >= ? AND e.at < ? AND t.merchant_id = ? AND (? = '' OR t.service = ?)
		GROUP BY 1, 2, 3, 4`, shift, from, until, merchantID, service, service)
	if err := eachRow(rows, err, func(rows *sql.Rows) error {
		var day string
		var action anxin.Action
		var fromState, toState anxin.State
		var n int
		if err := rows.Scan(&day, &action, &fromState, &toState, &n); err != nil {
			return err
		}
		i, ok := index[day]
		if !ok {
			return nil
		}
		if toState == anxin.Arbitration {
			f.ArbitrationsOpen[i] += n
		}
		if action == anxin.RuleForBuyer {
			f.ArbitrationsLost[i] += n
		}
		if action == anxin.RuleForMerchant {
			f.ArbitrationsWon[i] += n
		}
		if fromState == anxin.PendingMerchant {
			f.Decided[i] += n
			if action == anxin.Timeout {
				f.Missed[i] += n
			}
		}
		return nil
	}); err != nil {
		return f, fmt.Errorf("figures: events: %w", err)
	}

	perDay := make([][]time.Duration, len(f.Days))
	rows, err = r.QueryContext(ctx, `SELECT date(created_at / 1000, 'unixepoch', ?), first_action_at - created_at
		FROM tickets WHERE merchant_id = ? AND created_at >= ? AND created_at < ? AND first_action_at IS NOT NULL
		AND (? = '' OR service = ?)`,
		shift, merchantID, from, until, service, service)
	if err := eachRow(rows, err, func(rows *sql.Rows) error {
		var day string
		var took int64
		if err := rows.Scan(&day, &took); err != nil {
			return err
		}
		if i, ok := index[day]; ok {
			d := time.Duration(took) * time.Millisecond
			perDay[i] = append(perDay[i], d)
			f.FirstActionAll = append(f.FirstActionAll, d)
		}
		return nil
	}); err != nil {
		return f, fmt.Errorf("figures: first actions: %w", err)
	}
	for i := range perDay {
		f.FirstAction[i] = anxin.Median(perDay[i])
	}
	return f, nil
}

// eachRow calls fn for each row of a query and closes it.
func eachRow(rows *sql.Rows, err error, fn func(*sql.Rows) error) error {
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}
