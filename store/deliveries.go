package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/anxin-helpdesk/anxin"
)

const deliveryColumns = `d.id, d.webhook_id, w.url, w.secret, d.event_id, d.event, coalesce(d.ticket_id, 0), d.body,
	d.status, d.attempts, d.next_at, d.created_at, d.delivered_at`

func scanDelivery(row interface{ Scan(...any) error }) (anxin.Delivery, error) {
	var d anxin.Delivery
	var next, created, delivered sql.NullInt64
	err := row.Scan(&d.ID, &d.WebhookID, &d.URL, &d.Secret, &d.EventID, &d.Event, &d.TicketID, &d.Body,
		&d.Status, &d.Attempts, &next, &created, &delivered)
	d.NextAt, d.CreatedAt, d.DeliveredAt = fromMS(next), fromMS(created), fromMS(delivered)
	return d, err
}

// DueDelivery is a delivery to send. Its Body is what was sent at its
// first attempt, to be sent again as it is; before the first attempt it is
// empty, and the body is rendered from the Snapshot.
type DueDelivery struct {
	anxin.Delivery
	snapshot []byte
}

// Snapshot is the event the delivery tells of, as the change's
// transaction had it. A delivery written before migration 0008 has none:
// it was given its body when it was written.
func (d DueDelivery) Snapshot() (OutboxEvent, error) {
	if d.snapshot == nil {
		return OutboxEvent{}, fmt.Errorf("webhook delivery %d has no event snapshot", d.ID)
	}
	var snap snapshot
	if err := json.Unmarshal(d.snapshot, &snap); err != nil {
		return OutboxEvent{}, fmt.Errorf("webhook delivery %d: event snapshot: %w", d.ID, err)
	}
	return OutboxEvent{ID: d.EventID, Type: d.Event, At: snap.At, View: snap.View, Change: snap.Change,
		Message: snap.Message}, nil
}

// dueDeliveriesSQL lists the deliveries due at ?1 to active endpoints, in
// the order they fell due, up to ?2.
const dueDeliveriesSQL = `SELECT ` + deliveryColumns + `, d.snapshot FROM webhook_deliveries d
	CROSS JOIN webhooks w ON w.id = d.webhook_id WHERE d.next_at <= ? AND w.active = 1
	ORDER BY d.next_at, d.id LIMIT ?`

// DueDeliveries lists up to limit deliveries due now to active endpoints,
// in the order they fell due (ClaimDeliveries takes them to send).
func (s *Store) DueDeliveries(ctx context.Context, limit int) ([]DueDelivery, error) {
	rows, err := s.read().QueryContext(ctx, dueDeliveriesSQL, ms(s.now()), limit)
	var out []DueDelivery
	if err := eachRow(rows, err, func(rows *sql.Rows) error {
		var d DueDelivery
		var err error
		d.Delivery, err = scanDelivery(scanWith(rows, &d.snapshot))
		out = append(out, d)
		return err
	}); err != nil {
		return nil, fmt.Errorf("due deliveries: %w", err)
	}
	return out, nil
}

// ClaimLease is how long a claimed delivery is kept from other senders:
// its attempt is recorded well within it (a post times out sooner), and a
// sender that dies with it leaves it due again once the lease is over.
const ClaimLease = 2 * time.Minute

// ClaimDeliveries takes up to limit deliveries due now to active endpoints,
// in the order they fell due, for this sender to try: each is due again
// only after ClaimLease (RecordAttempt sets when it is next due), so that
// no other sender, on this node or another, tries it meanwhile. On
// PostgreSQL the rows are locked as they are taken, and rows another
// node's claim holds are passed over (FOR UPDATE SKIP LOCKED).
func (s *Store) ClaimDeliveries(ctx context.Context, limit int) ([]DueDelivery, error) {
	var out []DueDelivery
	err := s.write(ctx, func(ctx context.Context, tx *wtx) error {
		out = nil
		query := dueDeliveriesSQL
		if tx.s.pg {
			query = dueDeliveriesSQL + ` FOR UPDATE OF d SKIP LOCKED` // SQLite has one writer: nothing to skip
		}
		rows, err := tx.QueryContext(ctx, query, ms(tx.now), limit)
		if err := eachRow(rows, err, func(rows *sql.Rows) error {
			var d DueDelivery
			var err error
			d.Delivery, err = scanDelivery(scanWith(rows, &d.snapshot))
			out = append(out, d)
			return err
		}); err != nil {
			return fmt.Errorf("claim deliveries: %w", err)
		}
		for _, d := range out {
			if _, err := tx.ExecContext(ctx, `UPDATE webhook_deliveries SET next_at = ? WHERE id = ?`,
				ms(tx.now.Add(ClaimLease)), d.ID); err != nil {
				return fmt.Errorf("claim deliveries: %w", err)
			}
		}
		return nil
	})
	return out, err
}

func collectDeliveries(rows *sql.Rows) ([]anxin.Delivery, error) {
	defer rows.Close()
	var out []anxin.Delivery
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// RecordAttempt keeps the outcome of a try and schedules the next, as
// anxin.Delivery.Next says. body is what the try sent: a delivery that had
// no body yet keeps it, in place of its snapshot, and sends it on every
// attempt after.
func (s *Store) RecordAttempt(ctx context.Context, id int64, a anxin.DeliveryAttempt, body []byte) (anxin.Delivery, error) {
	var d anxin.Delivery
	err := s.write(ctx, func(ctx context.Context, tx *wtx) error {
		var err error
		d, err = scanDelivery(tx.QueryRowContext(ctx, `SELECT `+deliveryColumns+` FROM webhook_deliveries d
			CROSS JOIN webhooks w ON w.id = d.webhook_id WHERE d.id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return anxin.Fail(anxin.MsgDeliveryNotFound)
		}
		if err != nil {
			return err
		}
		if d.Status != anxin.DeliveryPending {
			return nil // sent twice by two workers: the first outcome stands
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO webhook_attempts (delivery_id, at, status, error, took_ms)
			VALUES (?, ?, ?, ?, ?)`, id, ms(a.At), a.Status, a.Error, a.Took.Milliseconds()); err != nil {
			return fmt.Errorf("attempt: %w", err)
		}
		d = d.Next(a)
		if _, err := tx.ExecContext(ctx, `UPDATE webhook_deliveries SET status = ?, attempts = ?, next_at = ?,
			delivered_at = ? WHERE id = ?`, string(d.Status), d.Attempts, ms(d.NextAt), ms(d.DeliveredAt), id); err != nil {
			return fmt.Errorf("attempt: %w", err)
		}
		if len(d.Body) == 0 && len(body) > 0 {
			d.Body = body
			if _, err := tx.ExecContext(ctx, `UPDATE webhook_deliveries SET body = ?, snapshot = NULL WHERE id = ?`, body, id); err != nil {
				return fmt.Errorf("attempt: %w", err)
			}
		}
		return nil
	})
	return d, err
}

// Deliveries lists an endpoint's latest deliveries, newest first, with
// their attempts.
func (s *Store) Deliveries(ctx context.Context, webhookID int64, limit int) ([]anxin.Delivery, error) {
	rows, err := s.read().QueryContext(ctx, `SELECT `+deliveryColumns+` FROM webhook_deliveries d
		CROSS JOIN webhooks w ON w.id = d.webhook_id WHERE d.webhook_id = ? ORDER BY d.id DESC LIMIT ?`, webhookID, limit)
	if err != nil {
		return nil, fmt.Errorf("deliveries: %w", err)
	}
	out, err := collectDeliveries(rows)
	if err != nil || len(out) == 0 {
		return out, err
	}
	index := make(map[int64]int, len(out))
	for i := range out {
		index[out[i].ID] = i
	}
	rows, err = s.read().QueryContext(ctx, `SELECT delivery_id, at, status, error, took_ms FROM webhook_attempts
		WHERE delivery_id BETWEEN ? AND ? ORDER BY id`, out[len(out)-1].ID, out[0].ID)
	if err != nil {
		return nil, fmt.Errorf("attempts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, took int64
		var at sql.NullInt64
		var a anxin.DeliveryAttempt
		if err := rows.Scan(&id, &at, &a.Status, &a.Error, &took); err != nil {
			return nil, err
		}
		if i, ok := index[id]; ok {
			a.At, a.Took = fromMS(at), time.Duration(took)*time.Millisecond
			out[i].Tries = append(out[i].Tries, a)
		}
	}
	return out, rows.Err()
}

// RetryDelivery sends a delivery that was given up on once more, now
// (anxin.Delivery.Retry), and records the admin's retry in the audit log.
func (s *Store) RetryDelivery(ctx context.Context, by anxin.Actor, id int64) (anxin.Delivery, error) {
	var d anxin.Delivery
	err := s.write(ctx, func(ctx context.Context, tx *wtx) error {
		var err error
		d, err = scanDelivery(tx.QueryRowContext(ctx, `SELECT `+deliveryColumns+` FROM webhook_deliveries d
			CROSS JOIN webhooks w ON w.id = d.webhook_id WHERE d.id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return anxin.Fail(anxin.MsgDeliveryNotFound)
		}
		if err != nil {
			return fmt.Errorf("retry delivery: %w", err)
		}
		if d, err = d.Retry(tx.now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE webhook_deliveries SET status = ?, next_at = ? WHERE id = ?`,
			string(d.Status), ms(d.NextAt), id); err != nil {
			return fmt.Errorf("retry delivery: %w", err)
		}
		tx.wake |= wakeOutbox
		return audit(ctx, tx, by, tx.now, "retry_delivery", fmt.Sprintf("webhook %d", d.WebhookID), d.EventID)
	})
	return d, err
}
