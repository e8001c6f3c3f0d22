package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/anxin-helpdesk/anxin"
)

func insertEvent(ctx context.Context, tx *wtx, e anxin.Event) (int64, error) {
	var from, to any
	if e.From != "" {
		from = string(e.From)
	}
	if e.To != "" {
		to = string(e.To)
	}
	id, err := tx.insertID(ctx, `INSERT INTO ticket_events (ticket_id, at, actor_role, actor_id, actor_name,
		action, from_state, to_state, amount_fen, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		e.TicketID, ms(e.At), string(e.Actor.Role), nullID(e.Actor.UserID), e.Actor.Name,
		string(e.Action), from, to, e.AmountFen, e.Detail)
	if err != nil {
		return 0, fmt.Errorf("insert event: %w", err)
	}
	return id, nil
}

// Timeline returns every event of a ticket the scope may see, oldest first.
func (s *Store) Timeline(ctx context.Context, scope anxin.Scope, ticketID int64) ([]anxin.Event, error) {
	rows, err := s.read().QueryContext(ctx, `SELECT e.id, e.ticket_id, e.at, e.actor_role, coalesce(e.actor_id, 0),
		e.actor_name, e.action, coalesce(e.from_state, ''), coalesce(e.to_state, ''), e.amount_fen, e.detail
		FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id
		WHERE e.ticket_id = ? AND (?2 = 0 OR t.merchant_id = ?2) ORDER BY e.id`, ticketID, scope.MerchantID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []anxin.Event
	for rows.Next() {
		var e anxin.Event
		var at sql.NullInt64
		if err := rows.Scan(&e.ID, &e.TicketID, &at, &e.Actor.Role, &e.Actor.UserID, &e.Actor.Name,
			&e.Action, &e.From, &e.To, &e.AmountFen, &e.Detail); err != nil {
			return nil, err
		}
		e.At = fromMS(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

// AddNote writes a note on a ticket the author may see: internal to the
// staff, or a comment shared with the merchant (anxin.NewNote). Open pages
// hear of an internal note only where the staff read them.
func (s *Store) AddNote(ctx context.Context, ticketID int64, by anxin.Actor, body string, shared bool) (anxin.Note, error) {
	n, err := anxin.NewNote(ticketID, by, body, shared)
	if err != nil {
		return n, err
	}
	err = s.write(ctx, func(ctx context.Context, tx *wtx) error {
		n.CreatedAt = tx.now
		t, err := findTicket(ctx, tx, by.Scope(), ticketID)
		if err != nil {
			return err
		}
		if n.Shared {
			tx.notify(t, NoticeNote)
		} else {
			tx.notify(t, NoticeInternalNote)
		}
		id, err := tx.insertID(ctx, `INSERT INTO notes (ticket_id, author_id, author_name, body, shared, created_at)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, ticketID, by.UserID, by.Name, n.Body, n.Shared, ms(n.CreatedAt))
		if err != nil {
			return fmt.Errorf("insert note: %w", err)
		}
		n.ID = id
		return alertMentions(ctx, tx, t, n)
	})
	return n, err
}

// Notes returns the notes of a ticket the scope may read, oldest first: a
// merchant reads the comments only.
func (s *Store) Notes(ctx context.Context, scope anxin.Scope, ticketID int64) ([]anxin.Note, error) {
	rows, err := s.read().QueryContext(ctx, `SELECT n.id, n.ticket_id, n.author_id, n.author_name, coalesce(u.role, ''),
		n.body, n.shared, n.created_at FROM notes n JOIN tickets t ON t.id = n.ticket_id LEFT JOIN users u ON u.id = n.author_id
		WHERE n.ticket_id = ? AND (?2 = 0 OR t.merchant_id = ?2 AND n.shared = 1) ORDER BY n.id`, ticketID, scope.MerchantID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []anxin.Note
	for rows.Next() {
		var n anxin.Note
		var at sql.NullInt64
		if err := rows.Scan(&n.ID, &n.TicketID, &n.AuthorID, &n.AuthorName, &n.AuthorRole, &n.Body, &n.Shared, &at); err != nil {
			return nil, err
		}
		n.CreatedAt = fromMS(at)
		out = append(out, n)
	}
	return out, rows.Err()
}

// Refund returns the refund of a ticket, if it has one.
func (s *Store) Refund(ctx context.Context, scope anxin.Scope, ticketID int64) (anxin.RefundRecord, error) {
	r, err := scanRefund(s.read().QueryRowContext(ctx, `SELECT `+refundColumns+` FROM refunds r
		JOIN tickets t ON t.id = r.ticket_id WHERE r.ticket_id = ? AND (?2 = 0 OR t.merchant_id = ?2)`, ticketID, scope.MerchantID))
	if errors.Is(err, sql.ErrNoRows) {
		return r, anxin.Fail(anxin.MsgRefundNotFound)
	}
	return r, err
}
