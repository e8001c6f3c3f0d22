package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/anxin-helpdesk/anxin"
)

// The figures are kept per merchant, service and day in the display zone by
// triggers, in the transaction of each write (migration 0019); these read
// them. A 90-day report of every merchant reads a row per merchant, service
// and day, whatever the number of tickets.

// Figures computes a merchant's yardsticks for the days ending with the day
// of `to` in the store's zone. A merchant user may only ask for its own merchant.
func (s *Store) Figures(ctx context.Context, scope anxin.Scope, merchantID int64, to time.Time, days int) (anxin.Figures, error) {
	return s.FiguresFor(ctx, scope, merchantID, "", to, days)
}

// FiguresFor is Figures over one service's tickets ("" for all). The orders
// are the merchant's, whatever the service.
func (s *Store) FiguresFor(ctx context.Context, scope anxin.Scope, merchantID int64, service anxin.ServiceKey, to time.Time, days int) (anxin.Figures, error) {
	if scope.MerchantID != 0 && scope.MerchantID != merchantID {
		return anxin.Figures{}, anxin.Fail(anxin.MsgMerchantNotFound)
	}
	all, err := s.FiguresByMerchant(ctx, scope, merchantID, service, to, days)
	if err != nil {
		return anxin.Figures{}, err
	}
	if f, ok := all[merchantID]; ok {
		return f, nil
	}
	return anxin.NewFigures(anxin.DaysEnding(to, s.cfg.Zone, days)), nil
}

// FiguresByMerchant computes the figures of every merchant the scope sees
// (or of one, merchantID != 0) in one pass, by merchant id; a merchant
// without orders or tickets in the period is not in the map.
func (s *Store) FiguresByMerchant(ctx context.Context, scope anxin.Scope, merchantID int64, service anxin.ServiceKey, to time.Time, days int) (map[int64]anxin.Figures, error) {
	if scope.MerchantID != 0 {
		if merchantID != 0 && merchantID != scope.MerchantID {
			return nil, anxin.Fail(anxin.MsgMerchantNotFound)
		}
		merchantID = scope.MerchantID
	}
	dayList := anxin.DaysEnding(to, s.cfg.Zone, days)
	index := make(map[string]int, len(dayList))
	for i, d := range dayList {
		index[d] = i
	}
	first, last := dayList[0], dayList[len(dayList)-1]
	out := map[int64]anxin.Figures{}
	of := func(id int64) anxin.Figures {
		f, ok := out[id]
		if !ok {
			f = anxin.NewFigures(dayList)
			out[id] = f
		}
		return f
	}
	r := s.read()
	// The merchants are walked by their key so that each is one range of
	// the tables' (merchant_id, day) keys.
	rows, err := r.QueryContext(ctx, `SELECT o.merchant_id, o.day, o.orders
		FROM merchants m JOIN merchant_daily_orders o ON o.merchant_id = m.id
		WHERE (?1 = 0 OR m.id = ?1) AND o.day >= ?2 AND o.day <= ?3`, merchantID, first, last)
	if err := eachRow(rows, err, func(rows *sql.Rows) error {
		var id int64
		var day string
		var n int
		if err := rows.Scan(&id, &day, &n); err != nil {
			return err
		}
		if i, ok := index[day]; ok {
			of(id).Orders[i] += n
		}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("figures: orders: %w", err)
	}

	// Summed over the services in SQL: reading each of a row's many
	// columns through the driver is what costs, not SQLite's sums.
	rows, err = r.QueryContext(ctx, `SELECT f.merchant_id, f.day, sum(f.refunded), sum(f.refund_fen),
		sum(f.arbitrations_open), sum(f.arbitrations_lost), sum(f.arbitrations_won), sum(f.decided), sum(f.missed),
		`+histogramColumns("sum(f.", ")")+`, `+histogramSums("sum(f.", ")")+`
		FROM merchants m JOIN figures_daily f ON f.merchant_id = m.id
		WHERE (?1 = 0 OR m.id = ?1) AND f.day >= ?2 AND f.day <= ?3 AND (?4 = '' OR f.service = ?4)
		GROUP BY f.merchant_id, f.day`,
		merchantID, first, last, service)
	var h anxin.Histogram
	sums := make([]int64, len(h.Sum))
	dest := make([]any, 0, 9+len(h.N)+len(h.Sum))
	if err := eachRow(rows, err, func(rows *sql.Rows) error {
		var id int64
		var day string
		var refunded, open, lost, won, decided, missed int
		var fen int64
		dest = append(dest[:0], &id, &day, &refunded, &fen, &open, &lost, &won, &decided, &missed)
		for j := range h.N {
			dest = append(dest, &h.N[j])
		}
		for j := range sums {
			dest = append(dest, &sums[j])
		}
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		for j, ms := range sums {
			h.Sum[j] = time.Duration(ms) * time.Millisecond
		}
		i, ok := index[day]
		if !ok {
			return nil
		}
		f := of(id)
		f.Refunded[i] += refunded
		f.RefundFen[i] += fen
		f.ArbitrationsOpen[i] += open
		f.ArbitrationsLost[i] += lost
		f.ArbitrationsWon[i] += won
		f.Decided[i] += decided
		f.Missed[i] += missed
		f.FirstActions[i] = f.FirstActions[i].Add(h)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("figures: %w", err)
	}

	rows, err = r.QueryContext(ctx, `SELECT f.merchant_id, f.service, sum(f.refunded), sum(f.refund_fen)
		FROM merchants m JOIN figures_daily f ON f.merchant_id = m.id
		WHERE (?1 = 0 OR m.id = ?1) AND f.day >= ?2 AND f.day <= ?3 AND (?4 = '' OR f.service = ?4)
			AND f.refunded != 0
		GROUP BY f.merchant_id, f.service`,
		merchantID, first, last, service)
	if err := eachRow(rows, err, func(rows *sql.Rows) error {
		var id int64
		var svc anxin.ServiceKey
		var t anxin.RefundTotal
		if err := rows.Scan(&id, &svc, &t.Count, &t.Fen); err != nil {
			return err
		}
		of(id).RefundsBy[svc] = t
		return nil
	}); err != nil {
		return nil, fmt.Errorf("figures: refunds by service: %w", err)
	}
	return out, nil
}

// histogramColumns lists figures_daily's first-action buckets, fa0
// onwards, each between prefix and suffix.
func histogramColumns(prefix, suffix string) string {
	cols := make([]string, len(anxin.FirstActionBounds))
	for i := range cols {
		cols[i] = fmt.Sprintf("%sfa%d%s", prefix, i, suffix)
	}
	return strings.Join(cols, ", ")
}

// histogramSums lists figures_daily's sums per bucket, fs0 onwards.
func histogramSums(prefix, suffix string) string {
	return strings.ReplaceAll(histogramColumns(prefix, suffix), "fa", "fs")
}

// zoneModifier is SQLite date()'s modifier for the zone's offset now.
func zoneModifier(zone *time.Location, now time.Time) string {
	_, offset := now.In(zone).Zone()
	return fmt.Sprintf("%+d seconds", offset)
}

// prepareFigures fills the figures tables from the tickets, events and
// refunds when they are new (the migration made them empty) or were kept
// for another zone's days, in one transaction: after it, the triggers keep
// them. Open runs it before the writer starts.
func (s *Store) prepareFigures(ctx context.Context) error {
	modifier := zoneModifier(s.cfg.Zone, s.cfg.Clock.Now())
	var kept string
	var built bool
	if err := s.db.QueryRowContext(ctx, `SELECT modifier, built FROM figures_zone`).Scan(&kept, &built); err != nil {
		return fmt.Errorf("store: figures: %w", err)
	}
	if built && kept == modifier {
		return nil
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: figures: %w", err)
	}
	defer func() { _ = tx.Rollback() }() // after Commit, a no-op
	if s.pg {
		// Other nodes' writers wait, as for a batch (engine.go).
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(?)`, writerLock); err != nil {
			return fmt.Errorf("store: figures: %w", err)
		}
	}
	var sums, set []string
	for i := range anxin.FirstActionBounds {
		sums = append(sums, fmt.Sprintf("sum(CASE WHEN bucket = %d THEN 1 ELSE 0 END)", i))
		set = append(set, fmt.Sprintf("fa%d = excluded.fa%d", i, i))
	}
	for i := range anxin.FirstActionBounds {
		sums = append(sums, fmt.Sprintf("sum(CASE WHEN bucket = %d THEN d ELSE 0 END)", i))
		set = append(set, fmt.Sprintf("fs%d = excluded.fs%d", i, i))
	}
	for _, q := range []string{
		`UPDATE figures_zone SET modifier = '` + modifier + `', built = 0`,
		`DELETE FROM figures_daily`,
		`DELETE FROM figures_people`,
		`DELETE FROM figures_people_all`,
		`INSERT INTO figures_daily (merchant_id, day, service, refunded, refund_fen)
		SELECT merchant_id, day, service, count(*), sum(amount_fen) FROM figures_refund_facts GROUP BY 1, 2, 3`,
		`INSERT INTO figures_daily (merchant_id, day, service, arbitrations_open, arbitrations_lost,
			arbitrations_won, decided, missed)
		SELECT merchant_id, day, service, sum(arbitrations_open), sum(arbitrations_lost), sum(arbitrations_won),
			sum(decided), sum(missed)
		FROM figures_event_facts GROUP BY 1, 2, 3
		ON CONFLICT (merchant_id, day, service) DO UPDATE SET arbitrations_open = excluded.arbitrations_open,
			arbitrations_lost = excluded.arbitrations_lost, arbitrations_won = excluded.arbitrations_won,
			decided = excluded.decided, missed = excluded.missed`,
		`INSERT INTO figures_daily (merchant_id, day, service, ` + histogramColumns("", "") + `, ` + histogramSums("", "") + `)
		SELECT merchant_id, day, service, ` + strings.Join(sums, ", ") + `
		FROM figures_first_action_facts GROUP BY 1, 2, 3
		ON CONFLICT (merchant_id, day, service) DO UPDATE SET ` + strings.Join(set, ", "),
		`INSERT INTO figures_people (merchant_id, day, person_id, service, role, name, decisions, clocks_ended,
			clocks_missed)
		SELECT merchant_id, day, person_id, service, max(role), max(name), sum(decisions), sum(clocks_ended),
			sum(clocks_missed)
		FROM figures_people_facts GROUP BY 1, 2, 3, 4`,
		`INSERT INTO figures_people_all (day, person_id, service, role, name, decisions, clocks_ended, clocks_missed)
		SELECT day, person_id, service, max(role), max(name), sum(decisions), sum(clocks_ended), sum(clocks_missed)
		FROM figures_people_facts GROUP BY 1, 2, 3`,
		`UPDATE figures_zone SET built = 1`,
	} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("store: figures: %w", err)
		}
	}
	return tx.Commit()
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
