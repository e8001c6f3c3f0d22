package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/anxin-helpdesk/anxin"
)

// NoticeMessage tells open pages that a ticket's conversation has a new
// message (the merchant's pages too: the conversation is theirs).
const NoticeMessage NoticeKind = "message"

// SendMessage sends a message to the buyer on a ticket the author may see:
// recorded on the conversation, and carried to the platform by the
// ticket.message webhook written in the same transaction. A person's
// message answers the buyer's messages waiting for a reply.
func (s *Store) SendMessage(ctx context.Context, ticketID int64, by anxin.Actor, body string) (anxin.Message, error) {
	m, err := anxin.NewMessage(ticketID, by, body, nil)
	if err != nil {
		return m, err
	}
	err = s.write(ctx, func(ctx context.Context, tx *wtx) error {
		t, err := findTicket(ctx, tx, by.Scope(), ticketID)
		if err != nil {
			return err
		}
		m, err = addMessage(ctx, tx, t, m)
		return err
	})
	return m, err
}

// BuyerMessage records a message from the buyer, relayed by the platform
// under an API key of the scope, once per Idempotency-Key. Its photos are
// the ticket's evidence, named by id; a message with photos on a ticket
// waiting for evidence takes it back to the merchant's clock, in the same
// transaction.
func (s *Store) BuyerMessage(ctx context.Context, by anxin.Actor, ticketID int64, body string, photos []int64,
	key IdempotencyKey) (anxin.Message, bool, error) {
	m, err := anxin.NewMessage(ticketID, by, body, photos)
	if err != nil {
		return m, false, err
	}
	a, replayed, err := s.remember(ctx, key, func(ctx context.Context, tx *wtx) (answer, error) {
		t, err := findTicket(ctx, tx, by.Scope(), ticketID)
		if err != nil {
			return answer{}, err
		}
		sent, err := addMessage(ctx, tx, t, m)
		return answer{Sent: &sent}, err
	})
	if a.Sent != nil {
		m = *a.Sent
	}
	return m, replayed, err
}

// addMessage records a message on the ticket in the write. The buyer's
// moves the ticket's unread marker and starts its reply timer (if none
// runs); a person's answers every buyer message waiting for a reply; every
// message to the buyer goes to the outbox.
func addMessage(ctx context.Context, tx *wtx, t anxin.Ticket, m anxin.Message) (anxin.Message, error) {
	m.TicketID, m.CreatedAt = t.ID, tx.now
	if err := checkMessagePhotos(ctx, tx, t.ID, m.Photos); err != nil {
		return m, err
	}
	id, err := tx.insertID(ctx, `INSERT INTO messages (ticket_id, sender, author_id, author_name, body, created_at)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, t.ID, string(m.From), nullID(m.AuthorID), m.AuthorName, m.Body, ms(m.CreatedAt))
	if err != nil {
		return m, fmt.Errorf("insert message: %w", err)
	}
	m.ID = id
	if err := indexMessage(ctx, tx, m, t.MerchantID); err != nil {
		return m, err
	}
	for _, id := range m.Photos {
		if _, err := tx.ExecContext(ctx, `INSERT INTO message_photos (message_id, evidence_id) VALUES (?, ?)`, m.ID, id); err != nil {
			return m, fmt.Errorf("message photo: %w", err)
		}
	}
	tx.notify(t, NoticeMessage)
	switch {
	case m.From == anxin.SenderBuyer:
		if _, err := tx.ExecContext(ctx, `UPDATE tickets SET buyer_message_id = ?,
			awaiting_reply_since = coalesce(awaiting_reply_since, ?) WHERE id = ?`, m.ID, ms(m.CreatedAt), t.ID); err != nil {
			return m, fmt.Errorf("ticket's messages: %w", err)
		}
		if err := alertTicketPeople(ctx, tx, t, anxin.AlertBuyerReplied, excerpt(m.Body, 60)); err != nil {
			return m, err
		}
		if len(m.Photos) > 0 && t.State == anxin.NeedsEvidence {
			_, err := decide(ctx, tx, t.ID, anxin.Decision{Action: anxin.AddEvidence, Actor: anxin.Buyer(), Version: t.Version})
			return m, err
		}
		return m, nil
	case m.Answers():
		if _, err := tx.ExecContext(ctx, `UPDATE messages SET reply_id = ?, replied_at = ?
			WHERE ticket_id = ? AND sender = 'buyer' AND reply_id IS NULL`, m.ID, ms(m.CreatedAt), t.ID); err != nil {
			return m, fmt.Errorf("answer messages: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE tickets SET awaiting_reply_since = NULL WHERE id = ?`, t.ID); err != nil {
			return m, fmt.Errorf("ticket's messages: %w", err)
		}
		if t.BuyerMessageID != 0 && m.AuthorID != 0 {
			if err := markRead(ctx, tx, m.AuthorID, t.ID, t.BuyerMessageID); err != nil {
				return m, err // who answers has read what was answered
			}
		}
	}
	return m, emitSnapshot(ctx, tx, t.ID, t.MerchantID, []anxin.WebhookEvent{anxin.EventMessage}, snapshot{Message: &m})
}

// checkMessagePhotos refuses photos that are not the buyer's evidence on
// the ticket.
func checkMessagePhotos(ctx context.Context, tx *wtx, ticketID int64, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	args := []any{ticketID}
	for _, id := range ids {
		args = append(args, id)
	}
	var n int
	err := tx.QueryRowContext(ctx, `SELECT count(*) FROM evidence WHERE ticket_id = ? AND party = 'buyer'
		AND id IN (?`+strings.Repeat(", ?", len(ids)-1)+`)`, args...).Scan(&n)
	if err != nil {
		return fmt.Errorf("message photos: %w", err)
	}
	if n != len(ids) {
		return anxin.Fail(anxin.MsgMessagePhotoUnknown)
	}
	return nil
}

// Messages returns the conversation of a ticket the scope may see, oldest
// first.
func (s *Store) Messages(ctx context.Context, scope anxin.Scope, ticketID int64) ([]anxin.Message, error) {
	msgs, _, err := s.LatestMessages(ctx, scope, ticketID, 0)
	return msgs, err
}

// LatestMessages returns the last limit messages of a ticket's conversation
// (every one for 0), oldest first, and how many it has in all.
func (s *Store) LatestMessages(ctx context.Context, scope anxin.Scope, ticketID int64, limit int) ([]anxin.Message, int, error) {
	q := s.read()
	// The ticket's scope is checked in the count: no row for a ticket the
	// scope may not see (or that does not exist).
	var total sql.NullInt64
	if err := q.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM messages WHERE ticket_id = t.id) FROM tickets t
		WHERE t.id = ? AND (?2 = 0 OR t.merchant_id = ?2)`, ticketID, scope.MerchantID).Scan(&total); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, 0, anxin.Fail(anxin.MsgTicketNotFound)
		}
		return nil, 0, fmt.Errorf("messages: %w", err)
	}
	n := int(total.Int64)
	if limit <= 0 || limit > n {
		limit = n
	}
	if limit == 0 {
		return nil, 0, nil
	}
	rows, err := q.QueryContext(ctx, `SELECT * FROM (SELECT m.id, m.ticket_id, m.sender, coalesce(m.author_id, 0),
		m.author_name, m.body, m.created_at, m.replied_at, coalesce(r.author_name, ''),
		EXISTS (SELECT 1 FROM message_photos p WHERE p.message_id = m.id)
		FROM messages m LEFT JOIN messages r ON r.id = m.reply_id
		WHERE m.ticket_id = ? ORDER BY m.id DESC LIMIT ?) page ORDER BY 1`, ticketID, limit)
	if err != nil {
		return nil, 0, fmt.Errorf("messages: %w", err)
	}
	defer rows.Close()
	out := make([]anxin.Message, 0, limit)
	at := map[int64]int{} // message id -> index in out, of those with photos
	for rows.Next() {
		var m anxin.Message
		var created, replied sql.NullInt64
		var hasPhotos bool
		if err := rows.Scan(&m.ID, &m.TicketID, &m.From, &m.AuthorID, &m.AuthorName, &m.Body, &created, &replied,
			&m.ReplyBy, &hasPhotos); err != nil {
			return nil, 0, fmt.Errorf("messages: %w", err)
		}
		m.CreatedAt, m.RepliedAt = fromMS(created), fromMS(replied)
		if hasPhotos {
			at[m.ID] = len(out)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil || len(at) == 0 {
		return out, n, err
	}
	photos, err := q.QueryContext(ctx, `SELECT p.message_id, p.evidence_id FROM message_photos p
		JOIN messages m ON m.id = p.message_id WHERE m.ticket_id = ? AND m.id >= ? ORDER BY p.message_id, p.evidence_id`,
		ticketID, out[0].ID)
	if err != nil {
		return nil, 0, fmt.Errorf("message photos: %w", err)
	}
	defer photos.Close()
	for photos.Next() {
		var msg, ev int64
		if err := photos.Scan(&msg, &ev); err != nil {
			return nil, 0, err
		}
		if i, ok := at[msg]; ok {
			out[i].Photos = append(out[i].Photos, ev)
		}
	}
	return out, n, photos.Err()
}

// Unread says which of the tickets have a message from the buyer the user
// has not read.
func (s *Store) Unread(ctx context.Context, userID int64, tickets []anxin.Ticket) (map[int64]bool, error) {
	out := map[int64]bool{}
	var ids []any
	for _, t := range tickets {
		if t.BuyerMessageID != 0 {
			out[t.ID] = true
			ids = append(ids, t.ID)
		}
	}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := s.read().QueryContext(ctx, `SELECT ticket_id, message_id FROM message_reads WHERE user_id = ?
		AND ticket_id IN (?`+strings.Repeat(", ?", len(ids)-1)+`)`, append([]any{userID}, ids...)...)
	if err != nil {
		return nil, fmt.Errorf("unread: %w", err)
	}
	defer rows.Close()
	read := map[int64]int64{}
	for rows.Next() {
		var ticket, msg int64
		if err := rows.Scan(&ticket, &msg); err != nil {
			return nil, err
		}
		read[ticket] = msg
	}
	for _, t := range tickets {
		if t.BuyerMessageID != 0 && read[t.ID] >= t.BuyerMessageID {
			delete(out, t.ID)
		}
	}
	return out, rows.Err()
}

// MarkRead records that the user has read the ticket's conversation up to
// the buyer's message given (never backwards).
func (s *Store) MarkRead(ctx context.Context, userID int64, t anxin.Ticket) error {
	if t.BuyerMessageID == 0 {
		return nil
	}
	return s.write(ctx, func(ctx context.Context, tx *wtx) error {
		return markRead(ctx, tx, userID, t.ID, t.BuyerMessageID)
	})
}

func markRead(ctx context.Context, tx *wtx, userID, ticketID, messageID int64) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO message_reads (user_id, ticket_id, message_id) VALUES (?, ?, ?)
		ON CONFLICT (user_id, ticket_id) DO UPDATE SET message_id = CASE
			WHEN excluded.message_id > message_reads.message_id THEN excluded.message_id ELSE message_reads.message_id END`,
		userID, ticketID, messageID)
	if err != nil {
		return fmt.Errorf("mark read: %w", err)
	}
	return nil
}

// excerpt is the start of a text, at most n characters, for an alert.
func excerpt(text string, n int) string {
	r := []rune(text)
	if len(r) <= n {
		return text
	}
	return string(r[:n]) + "…"
}
