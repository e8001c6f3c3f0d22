package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/anxin-helpdesk/anxin"
)

// Webhooks and their outbox. A change that other systems are to hear of
// writes one delivery per endpoint that wants it, in the same transaction as
// the change: a change is never lost to a crash between the commit and the
// call, and nothing is sent for a change that rolled back. Each delivery
// holds a snapshot of its event (OutboxEvent) in the store's encoding, not
// an HTTP body: the sender (package web/webhook) renders the body in the
// API's shape, sends it signed, and records every attempt here, where the
// first body sent is kept for the attempts after it.

// CreateWebhook stores an endpoint.
func (s *Store) CreateWebhook(ctx context.Context, w anxin.Webhook) (anxin.Webhook, error) {
	w.URL = strings.TrimSpace(w.URL)
	if err := w.Validate(); err != nil {
		return w, err
	}
	w.Active = true
	err := s.write(ctx, func(ctx context.Context, tx *wtx) error {
		w.CreatedAt = tx.now
		id, err := tx.insertID(ctx, `INSERT INTO webhooks (url, secret, events, merchant_id, active, created_at)
			VALUES (?, ?, ?, ?, 1, ?) RETURNING id`, w.URL, w.Secret, joinEvents(w.Events), nullID(w.MerchantID), ms(w.CreatedAt))
		if isForeignKey(err) {
			return anxin.Fail(anxin.MsgUnknownMerchant)
		}
		if err != nil {
			return fmt.Errorf("create webhook: %w", err)
		}
		tx.s.hooks.webhooks.Store(nil)
		tx.wake |= staleWebhooks // on the other nodes too (notify.go)
		w.ID = id
		return nil
	})
	return w, err
}

func joinEvents(es []anxin.WebhookEvent) string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = string(e)
	}
	return strings.Join(out, " ")
}

func splitEvents(s string) []anxin.WebhookEvent {
	var out []anxin.WebhookEvent
	for _, e := range strings.Fields(s) {
		out = append(out, anxin.WebhookEvent(e))
	}
	return out
}

const webhookColumns = `w.id, w.url, w.secret, w.events, coalesce(w.merchant_id, 0), coalesce(m.name, ''), w.active, w.created_at`
const webhookFrom = ` FROM webhooks w LEFT JOIN merchants m ON m.id = w.merchant_id `

func scanWebhook(row interface{ Scan(...any) error }) (anxin.Webhook, error) {
	var w anxin.Webhook
	var events string
	var created sql.NullInt64
	err := row.Scan(&w.ID, &w.URL, &w.Secret, &events, &w.MerchantID, &w.MerchantName, &w.Active, &created)
	w.Events, w.CreatedAt = splitEvents(events), fromMS(created)
	return w, err
}

// Webhooks lists the endpoints, active ones first.
func (s *Store) Webhooks(ctx context.Context) ([]anxin.Webhook, error) {
	return webhooksIn(ctx, s.read(), false)
}

func webhooksIn(ctx context.Context, q queryer, activeOnly bool) ([]anxin.Webhook, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+webhookColumns+webhookFrom+`WHERE (?1 = 0 OR w.active = 1)
		ORDER BY w.active DESC, w.id`, activeOnly)
	if err != nil {
		return nil, fmt.Errorf("webhooks: %w", err)
	}
	defer rows.Close()
	var out []anxin.Webhook
	for rows.Next() {
		w, err := scanWebhook(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, rows.Err()
}

// Webhook returns one endpoint.
func (s *Store) Webhook(ctx context.Context, id int64) (anxin.Webhook, error) {
	w, err := scanWebhook(s.read().QueryRowContext(ctx, `SELECT `+webhookColumns+webhookFrom+`WHERE w.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return w, anxin.Fail(anxin.MsgWebhookNotFound)
	}
	return w, err
}

// SetWebhookActive turns an endpoint off (its pending deliveries wait) or on.
func (s *Store) SetWebhookActive(ctx context.Context, id int64, active bool) error {
	return s.write(ctx, func(ctx context.Context, tx *wtx) error {
		res, err := tx.ExecContext(ctx, `UPDATE webhooks SET active = ? WHERE id = ?`, active, id)
		if err != nil {
			return fmt.Errorf("webhook: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return anxin.Fail(anxin.MsgWebhookNotFound)
		}
		tx.s.hooks.webhooks.Store(nil)
		tx.wake |= staleWebhooks // on the other nodes too (notify.go)
		return nil
	})
}

// activeWebhooks are the endpoints that may hear of a change, cached.
func activeWebhooks(ctx context.Context, tx *wtx) ([]anxin.Webhook, error) {
	if hooks := tx.s.hooks.webhooks.Load(); hooks != nil {
		return *hooks, nil
	}
	hooks, err := webhooksIn(ctx, tx, true)
	if err != nil {
		return nil, err
	}
	tx.s.hooks.webhooks.Store(&hooks)
	return hooks, nil
}

// OutboxEvent is what a webhook delivery tells of, as the transaction of
// the change had it. The store keeps it in its own encoding; the sender
// renders the delivery's body from it, in the API's shape.
type OutboxEvent struct {
	ID      string             // evt_…: the same for the event's deliveries to every endpoint and on every attempt
	Type    anxin.WebhookEvent // what happened
	At      time.Time          // when: the change's "now"
	View    TicketView         // the ticket as the change left it, with its merchant's code and its refund
	Change  *anxin.Event       // the state change the event comes from; nil for ticket.created and deadline notices
	Message *anxin.Message     // ticket.message: the message to the buyer
}

// snapshot is the store's encoding of an OutboxEvent, less what the
// delivery's own columns hold (its id and type). One snapshot serves every
// event a change emits.
type snapshot struct {
	At      time.Time      `json:"at"`
	View    TicketView     `json:"view"`
	Change  *anxin.Event   `json:"change,omitempty"`
	Message *anxin.Message `json:"message,omitempty"`
}

// emit writes a delivery of each event to each active endpoint that wants
// it, with a snapshot of the ticket as the transaction has it now. The body
// is rendered from the snapshot by the sender (see DueDelivery).
func emit(ctx context.Context, tx *wtx, ticketID, merchantID int64, events []anxin.WebhookEvent, change *anxin.Event) error {
	return emitSnapshot(ctx, tx, ticketID, merchantID, events, snapshot{Change: change})
}

// emitSnapshot is emit with what the events carry besides the ticket (the
// state change, the message) given in snap; its time and view are filled in.
func emitSnapshot(ctx context.Context, tx *wtx, ticketID, merchantID int64, events []anxin.WebhookEvent, snap snapshot) error {
	hooks, err := activeWebhooks(ctx, tx)
	if err != nil || len(hooks) == 0 {
		return err
	}
	var body []byte
	for _, e := range events {
		var to []int64
		for _, w := range hooks {
			if w.Wants(e, merchantID) {
				to = append(to, w.ID)
			}
		}
		if len(to) == 0 {
			continue
		}
		if body == nil {
			if snap.View, err = viewIn(ctx, tx, anxin.AllMerchants(), ticketID); err != nil {
				return err
			}
			snap.At = tx.now
			if body, err = json.Marshal(snap); err != nil {
				return fmt.Errorf("outbox: %w", err)
			}
		}
		eventID := newEventID()
		for _, id := range to {
			if _, err := tx.ExecContext(ctx, `INSERT INTO webhook_deliveries (webhook_id, event_id, event, ticket_id,
				body, snapshot, next_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
				id, eventID, string(e), ticketID, []byte{}, body, ms(tx.now), ms(tx.now)); err != nil {
				return fmt.Errorf("outbox: %w", err)
			}
		}
		tx.wake |= wakeOutbox
	}
	return nil
}

// newEventID names an event. The id is shared by the deliveries of the
// event to every endpoint and by every attempt, so receivers can drop repeats.
func newEventID() string {
	b := make([]byte, 12)
	rand.Read(b)
	return "evt_" + hex.EncodeToString(b)
}
