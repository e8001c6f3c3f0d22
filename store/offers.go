package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/anxin-helpdesk/anxin"
)

// Offers (协商记录). A change into OfferPending writes the offer; the change
// out of it writes the answer on the same row, in the decision's
// transaction. The ticket row holds what decisions read (the amount, the
// origin, the count); this table holds the history and the messages.

// offerColumns read an offer joined as o; every column may be NULL when
// the join found none.
const offerColumns = `coalesce(o.id, 0), coalesce(o.amount_fen, 0), coalesce(o.message, ''), coalesce(o.from_state, ''),
	coalesce(o.by_id, 0), coalesce(o.by_name, ''), coalesce(o.by_role, ''), o.created_at, o.expires_at,
	coalesce(o.answer, ''), o.answered_at`

type offerScan struct {
	r                          anxin.OfferRecord
	created, expires, answered sql.NullInt64
}

func (o *offerScan) dest() []any {
	return []any{&o.r.ID, &o.r.AmountFen, &o.r.Message, &o.r.From, &o.r.By.UserID, &o.r.By.Name, &o.r.By.Role,
		&o.created, &o.expires, &o.r.Answer, &o.answered}
}

func (o *offerScan) record() anxin.OfferRecord {
	r := o.r
	r.CreatedAt, r.ExpiresAt, r.AnsweredAt = fromMS(o.created), fromMS(o.expires), fromMS(o.answered)
	return r
}

// recordOffer writes what the change does to the ticket's negotiation.
func recordOffer(ctx context.Context, tx *wtx, t anxin.Ticket, c anxin.Change) error {
	if c.Transition.Action == anxin.Offer {
		ev := c.Event
		_, err := tx.ExecContext(ctx, `INSERT INTO offers (ticket_id, amount_fen, message, from_state, by_id, by_name,
			by_role, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			t.ID, c.OfferFen, ev.Detail, string(c.OfferFrom), nullID(ev.Actor.UserID), ev.Actor.Name,
			string(ev.Actor.Role), ms(ev.At), ms(c.Deadline))
		if err != nil {
			return fmt.Errorf("record offer on ticket %d: %w", t.ID, err)
		}
		return nil
	}
	answer, ok := anxin.OfferAnswerOf(c)
	if !ok {
		return nil
	}
	res, err := tx.ExecContext(ctx, `UPDATE offers SET answer = ?, answered_at = ? WHERE ticket_id = ? AND answer = ''`,
		string(answer), ms(c.Event.At), t.ID)
	if err != nil {
		return fmt.Errorf("answer offer on ticket %d: %w", t.ID, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("answer offer on ticket %d: %d open offers", t.ID, n)
	}
	return nil
}

// Offers lists the ticket's offers, first first, if the scope may see it.
func (s *Store) Offers(ctx context.Context, scope anxin.Scope, ticketID int64) ([]anxin.OfferRecord, error) {
	rows, err := s.read().QueryContext(ctx, `SELECT `+offerColumns+` FROM offers o JOIN tickets t ON t.id = o.ticket_id
		WHERE o.ticket_id = ?1 AND (?2 = 0 OR t.merchant_id = ?2) ORDER BY o.id`, ticketID, scope.MerchantID)
	if err != nil {
		return nil, fmt.Errorf("offers of ticket %d: %w", ticketID, err)
	}
	defer rows.Close()
	var out []anxin.OfferRecord
	for rows.Next() {
		var o offerScan
		if err := rows.Scan(o.dest()...); err != nil {
			return nil, err
		}
		out = append(out, o.record())
	}
	return out, rows.Err()
}
