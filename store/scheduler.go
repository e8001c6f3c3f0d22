package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/anxin-helpdesk/anxin"
)

// Due is a ticket the system is to act on, at the version it was listed with.
type Due struct {
	ID      int64
	Version int64
	At      time.Time // its deadline (for refunds: when the refund was recorded)
}

// The scheduler reads its work list a page at a time and decides it in
// batches that share a commit. A batch bounds how long the writer is held
// from other writes (about 10 ms); a page, how often the sweep stops to read.
const (
	timeoutBatch = 32
	timeoutPage  = 1024
)

// DueTimeouts lists up to limit tickets whose deadline has passed at now and
// whose state acts by itself, oldest deadline first, after the given one
// (keyset on the tickets_auto index).
func (s *Store) DueTimeouts(ctx context.Context, now time.Time, after Due, limit int) ([]Due, error) {
	rows, err := s.read().QueryContext(ctx, `SELECT id, version, auto_at FROM tickets
		WHERE auto_at <= ? AND (auto_at, id) > (?, ?) ORDER BY auto_at, id LIMIT ?`,
		ms(now), after.At.UnixMilli(), after.ID, limit)
	if err != nil {
		return nil, fmt.Errorf("due timeouts: %w", err)
	}
	defer rows.Close()
	var out []Due
	for rows.Next() {
		var d Due
		var at int64
		if err := rows.Scan(&d.ID, &d.Version, &at); err != nil {
			return nil, err
		}
		d.At = time.UnixMilli(at).UTC()
		out = append(out, d)
	}
	return out, rows.Err()
}

// DecideEach takes the same decision on each ticket, in the order given,
// compare-and-set on the version each was listed with: each decision in its
// own savepoint of one background write (see write.go), sharing its commit.
// errs[i] is ticket i's; err is the write's, when it failed as a whole.
func (s *Store) DecideEach(ctx context.Context, due []Due, d anxin.Decision) (errs []error, err error) {
	errs = make([]error, len(due))
	err = s.writeBackground(ctx, func(ctx context.Context, tx *wtx) error {
		for i, x := range due {
			d := d
			d.Version = x.Version
			errs[i] = tx.savepoint(ctx, func() error {
				_, err := decide(ctx, tx, x.ID, d)
				return err
			})
			if errors.Is(errs[i], errBroken) {
				return errs[i]
			}
		}
		return nil
	})
	return allFailed(errs, err), err
}

// allFailed gives err to every item that had none, when the write that
// held them all failed: nothing of it was kept.
func allFailed(errs []error, err error) []error {
	if err != nil {
		for i := range errs {
			if errs[i] == nil {
				errs[i] = err
			}
		}
	}
	return errs
}

// Sweep is what one pass over a work list did.
type Sweep struct {
	Done   int // decided
	Lost   int // changed by someone else first: they won, cleanly
	Failed []SweepError
}

// SweepError is a ticket the system could not act on.
type SweepError struct {
	Ticket int64
	Err    error
}

func (sw *Sweep) add(due []Due, errs []error) {
	for i, err := range errs {
		var h *anxin.AlreadyHandled
		switch {
		case err == nil:
			sw.Done++
		case errors.As(err, &h):
			sw.Lost++
		default:
			sw.Failed = append(sw.Failed, SweepError{due[i].ID, err})
		}
	}
}

// Batch is one batch of a sweep: the tickets it took, oldest deadline first,
// and what became of them.
type Batch struct {
	Due   []Due
	Sweep Sweep
}

// RunTimeouts applies every passed deadline's timeout action, oldest
// deadline first, with the system as actor: auto-approve, auto-refund,
// auto-receive, close or escalate, as the state and policy say. It walks the
// work list once (a ticket that fails is passed over until the next run) and
// catches up any backlog, however large, in batches.
func (s *Store) RunTimeouts(ctx context.Context) (Sweep, error) { return s.SweepTimeouts(ctx, nil) }

// SweepTimeouts is RunTimeouts telling each batch, once committed, to
// each (when not nil): a catch-up of a large backlog takes many.
func (s *Store) SweepTimeouts(ctx context.Context, each func(Batch)) (Sweep, error) {
	var sw Sweep
	now := s.now()
	var after Due
	for {
		page, err := s.DueTimeouts(ctx, now, after, timeoutPage)
		if err != nil || len(page) == 0 {
			return sw, err
		}
		for batch := range slices.Chunk(page, timeoutBatch) {
			errs, err := s.DecideEach(ctx, batch, anxin.Decision{Action: anxin.Timeout, Actor: anxin.System()})
			if err != nil {
				return sw, err
			}
			sw.add(batch, errs)
			if each != nil {
				var b Sweep
				b.add(batch, errs)
				each(Batch{Due: batch, Sweep: b})
			}
		}
		after = page[len(page)-1]
	}
}

// CountDueTimeouts counts the tickets whose deadline has passed at now and
// that the scheduler is to act on (tickets_auto covers it): the size of a
// backlog, told when a catch-up starts.
func (s *Store) CountDueTimeouts(ctx context.Context, now time.Time) (int64, error) {
	var n int64
	if err := s.read().QueryRowContext(ctx, `SELECT count(*) FROM tickets WHERE auto_at <= ?`, ms(now)).Scan(&n); err != nil {
		return 0, fmt.Errorf("count due timeouts: %w", err)
	}
	return n, nil
}

// PendingRefunds lists refunds waiting for the payment provider, oldest
// first, after the refund with id after: tickets in refunding whose refund
// is pending. last is the id of the last refund listed.
func (s *Store) PendingRefunds(ctx context.Context, after int64, limit int) (due []Due, last int64, err error) {
	rows, err := s.read().QueryContext(ctx, `SELECT r.id, t.id, t.version, r.updated_at FROM refunds r
		CROSS JOIN tickets t ON t.id = r.ticket_id WHERE r.status = 'pending' AND r.id > ? AND t.state = 'refunding'
		AND r.hand_over_at IS NULL
		ORDER BY r.id LIMIT ?`, after, limit)
	if err != nil {
		return nil, 0, fmt.Errorf("pending refunds: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var d Due
		var at int64
		if err := rows.Scan(&last, &d.ID, &d.Version, &at); err != nil {
			return nil, 0, err
		}
		d.At = time.UnixMilli(at).UTC()
		due = append(due, d)
	}
	return due, last, rows.Err()
}

// PayPendingRefunds is the built-in payment provider, for demos and small
// deploys whose refunds are paid by hand elsewhere: every pending refund
// succeeds at once, decided by the system, and then every pending 运费险
// payout.
func (s *Store) PayPendingRefunds(ctx context.Context) (Sweep, error) {
	return s.SweepRefunds(ctx, nil)
}

// SweepRefunds is PayPendingRefunds telling each batch to each (when not nil).
func (s *Store) SweepRefunds(ctx context.Context, each func(Batch)) (Sweep, error) {
	var sw Sweep
	var after int64
	for {
		due, last, err := s.PendingRefunds(ctx, after, timeoutBatch)
		if err != nil {
			return sw, err
		}
		if len(due) == 0 {
			return sw, s.payPendingPostage(ctx, &sw) // and the 运费险 payouts
		}
		errs, err := s.DecideEach(ctx, due, anxin.Decision{Action: anxin.RefundSucceeded, Actor: anxin.System()})
		if err != nil {
			return sw, err
		}
		sw.add(due, errs)
		if each != nil {
			var b Sweep
			b.add(due, errs)
			each(Batch{Due: due, Sweep: b})
		}
		after = last
	}
}

// NoticeDeadlines tells of open tickets whose deadline is at most
// anxin.DeadlineSoonBefore away, once per ticket and version: a
// ticket.deadline_soon webhook to the active endpoints that ask for it, and
// an alert to the ticket's assignee (and to the merchant's users when the
// move is theirs). It returns how many tickets it told of. A deadline found
// already passed (after downtime) gets no notice: its timeout is the news.
func (s *Store) NoticeDeadlines(ctx context.Context) (int, error) {
	now := s.now()
	rows, err := s.read().QueryContext(ctx, `SELECT t.id, t.version, t.merchant_id FROM tickets t
		WHERE t.due_at >= ? AND t.due_at <= ? AND NOT EXISTS (SELECT 1 FROM deadline_notices n
		WHERE n.ticket_id = t.id AND n.version = t.version) ORDER BY t.due_at, t.id LIMIT 500`,
		ms(now), ms(now.Add(anxin.DeadlineSoonBefore)))
	if err != nil {
		return 0, fmt.Errorf("deadlines soon: %w", err)
	}
	type soon struct{ id, version, merchant int64 }
	var list []soon
	for rows.Next() {
		var x soon
		if err := rows.Scan(&x.id, &x.version, &x.merchant); err != nil {
			rows.Close()
			return 0, err
		}
		list = append(list, x)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(list) == 0 {
		return 0, err
	}
	sent := 0
	err = s.writeBackground(ctx, func(ctx context.Context, tx *wtx) error {
		sent = 0
		for _, x := range list {
			err := tx.savepoint(ctx, func() error { return noticeDeadline(ctx, tx, x.id, x.version, x.merchant) })
			switch {
			case errors.Is(err, errBroken):
				return err
			case errors.Is(err, errNoNotice):
			case err != nil:
				return err
			default:
				sent++
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return sent, nil
}

// errNoNotice: the ticket changed meanwhile, or was told already.
var errNoNotice = errors.New("no notice")

func noticeDeadline(ctx context.Context, tx *wtx, id, version, merchant int64) error {
	res, err := tx.ExecContext(ctx, `INSERT INTO deadline_notices (ticket_id, version, sent_at)
		SELECT id, version, ? FROM tickets WHERE id = ? AND version = ? ON CONFLICT DO NOTHING`, ms(tx.now), id, version)
	if err != nil {
		return fmt.Errorf("deadline notice: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errNoNotice
	}
	if err := emit(ctx, tx, id, merchant, []anxin.WebhookEvent{anxin.EventDeadlineSoon}, nil); err != nil {
		return err
	}
	t, err := findTicket(ctx, tx, anxin.AllMerchants(), id)
	if err != nil {
		return err
	}
	if t.State.MerchantOwes() {
		return alertTicketPeople(ctx, tx, t, anxin.AlertDueSoon, string(t.State))
	}
	return alertEach(ctx, tx, []int64{t.AssigneeID}, t, anxin.AlertDueSoon, string(t.State))
}

// deliveryKeep is how long finished deliveries stay listed.
const deliveryKeep = 30 * 24 * time.Hour

// Purge deletes what is kept only for a while: idempotency records past
// IdempotencyTTL, sessions past their age, deadline notices of states long
// left, and deliveries finished more than 30 days ago with their attempts.
func (s *Store) Purge(ctx context.Context) error {
	return s.writeBackground(ctx, func(ctx context.Context, tx *wtx) error {
		now := tx.now
		for _, q := range []struct {
			sql string
			arg any
		}{
			{`DELETE FROM idempotency_keys WHERE created_at <= ?`, ms(now.Add(-IdempotencyTTL))},
			{`DELETE FROM sessions WHERE expires_at <= ?`, ms(now)},
			{`DELETE FROM deadline_notices WHERE sent_at <= ?`, ms(now.Add(-deliveryKeep))},
			{`DELETE FROM webhook_attempts WHERE delivery_id IN (SELECT id FROM webhook_deliveries
				WHERE next_at IS NULL AND created_at <= ?)`, ms(now.Add(-deliveryKeep))},
			{`DELETE FROM webhook_deliveries WHERE next_at IS NULL AND created_at <= ?`, ms(now.Add(-deliveryKeep))},
		} {
			if _, err := tx.ExecContext(ctx, q.sql, q.arg); err != nil {
				return fmt.Errorf("purge: %w", err)
			}
		}
		return nil
	})
}
