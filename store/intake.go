package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/anxin-helpdesk/anxin"
)

// TicketView is a ticket with what the API shows beside it: its merchant's
// code and its refund (Refund.ID is 0 when it has none).
type TicketView struct {
	anxin.Ticket
	MerchantCode string
	Refund       anxin.RefundRecord
}

const viewColumns = ticketColumns + `, m.code, coalesce(r.id, 0), coalesce(r.number, ''), coalesce(r.amount_fen, 0),
	coalesce(r.status, ''), coalesce(r.attempts, 0), r.created_at, r.updated_at`

const viewFrom = ticketFrom + `LEFT JOIN refunds r ON r.ticket_id = t.id `

func scanView(row interface{ Scan(...any) error }) (TicketView, error) {
	var v TicketView
	var created, updated sql.NullInt64
	t, err := scanTicket(scanWith(row, &v.MerchantCode, &v.Refund.ID, &v.Refund.Number, &v.Refund.AmountFen,
		&v.Refund.Status, &v.Refund.Attempts, &created, &updated))
	v.Ticket = t
	v.Refund.TicketID = t.ID
	v.Refund.CreatedAt, v.Refund.UpdatedAt = fromMS(created), fromMS(updated)
	return v, err
}

// TicketView returns the ticket with its merchant code and refund.
func (s *Store) TicketView(ctx context.Context, scope anxin.Scope, id int64) (TicketView, error) {
	return viewIn(ctx, s.read(), scope, id)
}

func viewIn(ctx context.Context, q queryer, scope anxin.Scope, id int64) (TicketView, error) {
	v, err := scanView(q.QueryRowContext(ctx, `SELECT `+viewColumns+viewFrom+
		`WHERE t.id = ? AND (?2 = 0 OR t.merchant_id = ?2)`, id, scope.MerchantID))
	if errors.Is(err, sql.ErrNoRows) {
		return v, notFound("ticket")
	}
	if err != nil {
		return v, fmt.Errorf("ticket %d: %w", id, err)
	}
	return v, nil
}

// TicketFilter selects tickets for the API's list: every state, closed and
// refunded ones too, newest first.
type TicketFilter struct {
	MerchantID int64
	State      anxin.State
	Service    anxin.ServiceKey
	After      Cursor // keyset: (created_at ms, id) of the last ticket of the previous page
	Limit      int    // default 50, at most 200
}

// ListTickets returns a page of tickets, newest first by creation, and the
// cursor of the next page (zero on the last). The order is served by an
// index with or without a merchant (tickets_created, tickets_merchant_created),
// so a page costs the same however deep it is.
func (s *Store) ListTickets(ctx context.Context, f TicketFilter) ([]TicketView, Cursor, error) {
	if f.Limit <= 0 {
		f.Limit = 50
	}
	f.Limit = min(f.Limit, 200)
	conds, args := []string{"1"}, []any{}
	add := func(cond string, v ...any) { conds, args = append(conds, cond), append(args, v...) }
	if f.MerchantID != 0 {
		add("t.merchant_id = ?", f.MerchantID)
	}
	if f.State != "" {
		add("t.state = ?", string(f.State))
	}
	if f.Service != "" {
		add("t.service = ?", string(f.Service))
	}
	if !f.After.IsZero() {
		add("(t.created_at, t.id) < (?, ?)", f.After.Due, f.After.ID)
	}
	rows, err := s.read().QueryContext(ctx, `SELECT `+viewColumns+viewFrom+`WHERE `+strings.Join(conds, " AND ")+
		` ORDER BY t.created_at DESC, t.id DESC LIMIT ?`, append(args, f.Limit)...)
	if err != nil {
		return nil, Cursor{}, fmt.Errorf("list tickets: %w", err)
	}
	defer rows.Close()
	var out []TicketView
	for rows.Next() {
		v, err := scanView(rows)
		if err != nil {
			return nil, Cursor{}, fmt.Errorf("list tickets: %w", err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, Cursor{}, err
	}
	var next Cursor
	if len(out) == f.Limit {
		last := out[len(out)-1]
		next = Cursor{Due: last.CreatedAt.UnixMilli(), ID: last.ID}
	}
	return out, next, nil
}

// Intake opens a ticket from a buyer's claim through the API and, when the
// merchant's instant refund (极速退款) covers it, refunds it at once with the
// system as actor: both in one transaction, so a client never sees the
// ticket without the refund it qualified for.
func (s *Store) Intake(ctx context.Context, c anxin.Claim) (TicketView, error) {
	var v TicketView
	err := s.write(ctx, func(tx wtx) error {
		in := join(ctx, tx)
		t, err := s.CreateTicket(in, c)
		if err != nil {
			return err
		}
		code, d, ok, err := instantRefund(ctx, tx, t)
		if err != nil {
			return err
		}
		if ok {
			if t, err = s.Decide(in, t.ID, d); err != nil {
				return fmt.Errorf("instant refund of %s: %w", t.Number, err)
			}
		}
		// The transaction holds the ticket as it is now: no need to read it back.
		v = TicketView{Ticket: t, MerchantCode: code}
		if t.RefundedFen > 0 {
			v.Refund, err = refundIn(ctx, tx, t.ID)
		}
		return err
	})
	return v, err
}

// instantRefund is the system's refund of a new ticket, if the merchant's
// setting covers it, and the merchant's code. An open dispute is another
// ticket of the same buyer (by phone) in arbitration. The policy and the
// disputes are looked at only for a claim the amount or order qualifies.
func instantRefund(ctx context.Context, tx wtx, t anxin.Ticket) (string, anxin.Decision, bool, error) {
	var code string
	var r anxin.InstantRefund
	if err := tx.QueryRowContext(ctx, `SELECT code, instant_refund_enabled, instant_refund_unshipped, instant_refund_max_fen
		FROM merchants WHERE id = ?`, t.MerchantID).Scan(&code, &r.Enabled, &r.Unshipped, &r.MaxFen); err != nil {
		return "", anxin.Decision{}, false, fmt.Errorf("instant refund setting: %w", err)
	}
	if !r.Qualifies(t.Order, t.RequestedFen, false) {
		return code, anxin.Decision{}, false, nil
	}
	_, p, err := policyFor(ctx, tx, t.MerchantID, t.Service)
	if err != nil {
		return code, anxin.Decision{}, false, err
	}
	if _, ok := r.Decision(t, p, false); !ok {
		return code, anxin.Decision{}, false, nil
	}
	var dispute bool
	if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM tickets
		WHERE buyer_phone = ? AND state = 'arbitration' AND id != ?)`, t.BuyerPhone, t.ID).Scan(&dispute); err != nil {
		return code, anxin.Decision{}, false, fmt.Errorf("open disputes: %w", err)
	}
	d, ok := r.Decision(t, p, dispute)
	return code, d, ok, nil
}

// refundIn reads a ticket's refund in a transaction.
func refundIn(ctx context.Context, q queryer, ticketID int64) (anxin.RefundRecord, error) {
	var r anxin.RefundRecord
	var created, updated sql.NullInt64
	err := q.QueryRowContext(ctx, `SELECT id, number, ticket_id, amount_fen, status, attempts, created_at, updated_at
		FROM refunds WHERE ticket_id = ?`, ticketID).
		Scan(&r.ID, &r.Number, &r.TicketID, &r.AmountFen, &r.Status, &r.Attempts, &created, &updated)
	if err != nil {
		return r, fmt.Errorf("refund of ticket %d: %w", ticketID, err)
	}
	r.CreatedAt, r.UpdatedAt = fromMS(created), fromMS(updated)
	return r, nil
}

// Response is an answer kept for an Idempotency-Key.
type Response struct {
	Status int
	Body   []byte
}

// IdempotencyTTL is how long an Idempotency-Key's first answer is kept.
const IdempotencyTTL = 24 * time.Hour

// Idempotent runs fn once per API key and idempotency key. The first time,
// fn runs inside one transaction with the record of its answer (its writes
// must use the context it is given); a retry of the same request (the same
// hash) gets that answer back with replayed set, a different request under
// the key an EIDEMPOTENCYREUSED error. Two requests racing with one key
// queue for the writer, so the second sees the first's record. fn returns an
// error only for failures that must not be kept (nothing is recorded then).
func (s *Store) Idempotent(ctx context.Context, apiKeyID int64, key, requestHash string,
	fn func(ctx context.Context) (Response, error)) (resp Response, replayed bool, err error) {
	err = s.write(ctx, func(tx wtx) error {
		now := s.now()
		var hash string
		err := tx.QueryRowContext(ctx, `SELECT request_hash, status, body FROM idempotency_keys
			WHERE api_key_id = ? AND key = ? AND created_at > ?`, apiKeyID, key, ms(now.Add(-IdempotencyTTL))).
			Scan(&hash, &resp.Status, &resp.Body)
		switch {
		case err == nil && hash != requestHash:
			return anxin.Errorf(anxin.EIDEMPOTENCYREUSED,
				"the Idempotency-Key %q was used for a different request; use a new key for a new request", key)
		case err == nil:
			replayed = true
			return nil
		case !errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("idempotency key: %w", err)
		}
		if resp, err = fn(join(ctx, tx)); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT OR REPLACE INTO idempotency_keys (api_key_id, key, request_hash, status,
			body, created_at) VALUES (?, ?, ?, ?, ?, ?)`, apiKeyID, key, requestHash, resp.Status, resp.Body, ms(now))
		if err != nil {
			return fmt.Errorf("idempotency key: %w", err)
		}
		return nil
	})
	return resp, replayed, err
}

// RefundByNumber finds a refund by the number the payment system knows it by.
func (s *Store) RefundByNumber(ctx context.Context, number string) (anxin.RefundRecord, error) {
	return refundByNumber(ctx, s.read(), number)
}

func refundByNumber(ctx context.Context, q queryer, number string) (anxin.RefundRecord, error) {
	var r anxin.RefundRecord
	var created, updated sql.NullInt64
	err := q.QueryRowContext(ctx, `SELECT id, number, ticket_id, amount_fen, status, attempts, created_at, updated_at
		FROM refunds WHERE number = ?`, number).
		Scan(&r.ID, &r.Number, &r.TicketID, &r.AmountFen, &r.Status, &r.Attempts, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return r, notFound("refund")
	}
	if err != nil {
		return r, fmt.Errorf("refund %s: %w", number, err)
	}
	r.CreatedAt, r.UpdatedAt = fromMS(created), fromMS(updated)
	return r, nil
}

// SettleRefund records the payment system's answer on a refund: succeeded
// or failed, decided by the system on the ticket. The same answer again
// changes nothing (providers retry their callbacks); an answer that
// contradicts a settled refund is a conflict.
func (s *Store) SettleRefund(ctx context.Context, number string, succeeded bool, message string) (TicketView, error) {
	want, action := anxin.RefundPaid, anxin.RefundSucceeded
	if !succeeded {
		want, action = anxin.RefundDeclined, anxin.RefundFailure
	}
	var v TicketView
	err := s.write(ctx, func(tx wtx) error {
		r, err := refundByNumber(ctx, tx, number)
		if err != nil {
			return err
		}
		if v, err = viewIn(ctx, tx, anxin.AllMerchants, r.TicketID); err != nil {
			return err
		}
		switch {
		case r.Status == want:
			return nil
		case r.Status != anxin.RefundPending || v.State != anxin.Refunding:
			return anxin.Errorf(anxin.ECONFLICT, "refund %s is %s (ticket %s is %s), not awaiting a result",
				number, r.Status, v.Number, v.State)
		}
		d := anxin.Decision{Action: action, Actor: anxin.System, Version: v.Version, Reason: strings.TrimSpace(message)}
		if _, err := s.Decide(join(ctx, tx), r.TicketID, d); err != nil {
			return err
		}
		v, err = viewIn(ctx, tx, anxin.AllMerchants, r.TicketID)
		return err
	})
	return v, err
}

// DayOrders is a merchant's order count for a day (YYYY-MM-DD).
type DayOrders struct {
	Day    string
	Orders int
}

// SetDailyOrders records a merchant's order counts for several days at
// once: all of them or, if one is refused, none.
func (s *Store) SetDailyOrders(ctx context.Context, merchantID int64, days []DayOrders) error {
	if len(days) == 0 || len(days) > 366 {
		return anxin.Errorf(anxin.EINVALID, "give from 1 to 366 days of order counts")
	}
	return s.write(ctx, func(tx wtx) error {
		in := join(ctx, tx)
		for _, d := range days {
			if err := s.AddDailyOrders(in, merchantID, d.Day, d.Orders); err != nil {
				return err
			}
		}
		return nil
	})
}

// DecideView takes a decision like Decide and returns the ticket as the API
// shows it, read in the same transaction.
func (s *Store) DecideView(ctx context.Context, id int64, d anxin.Decision) (TicketView, error) {
	var v TicketView
	err := s.write(ctx, func(tx wtx) error {
		if _, err := s.Decide(join(ctx, tx), id, d); err != nil {
			return err
		}
		var err error
		v, err = viewIn(ctx, tx, d.Actor.Scope(), id)
		return err
	})
	return v, err
}
