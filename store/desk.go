package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/anxin-helpdesk/anxin"
)

// The desk: claims an agent enters from a call, and the undo of a refund a
// person pressed (anxin/desk.go).

// EnterClaim opens a ticket from a claim an agent took on the phone, through
// the intake API's use case: the same eligibility (the domain's), the same
// instant refund and assignment. A claim outside its window is accepted only
// with the agent's reason (c.Override), which the timeline and the audit
// log (override_claim) record in the same transaction; a reason given for a
// claim that needs none is dropped. The same claim submitted again (its
// order and service, while the first ticket is open) lands on the ticket the
// first submit opened, with replayed set: a double submit opens one ticket.
func (s *Store) EnterClaim(ctx context.Context, merchantCode string, c anxin.Claim) (v TicketView, replayed bool, err error) {
	err = s.write(ctx, func(ctx context.Context, tx *wtx) error {
		m, err := merchantByCode(ctx, tx, merchantCode)
		if err != nil {
			return err
		}
		var id int64
		err = tx.QueryRowContext(ctx, `SELECT id FROM tickets WHERE merchant_id = ? AND order_id = ? AND service = ?
			AND state NOT IN ('refunded', 'closed') ORDER BY id DESC LIMIT 1`,
			m.ID, strings.TrimSpace(c.Order.ID), string(c.Service)).Scan(&id)
		switch {
		case err == nil:
			replayed = true
			v, err = viewIn(ctx, tx, c.Actor.Scope(), id)
			return err
		case !errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("open claim of order: %w", err)
		}
		svc, p, err := policyFor(ctx, tx, m.ID, c.Service)
		if err != nil {
			return err
		}
		refusal := p.Eligible(svc, c.Order, tx.now)
		if refusal == nil {
			c.Override = ""
		}
		if v, err = intake(ctx, tx, c.Actor.Scope(), merchantCode, c); err != nil {
			return err
		}
		if c.Override == "" {
			return nil
		}
		return audit(ctx, tx, c.Actor, tx.now, "override_claim", "ticket "+v.Number,
			strings.TrimSpace(c.Override)+" ("+anxin.ErrorMessage(refusal)+")")
	})
	return v, replayed, err
}

// holdRefund keeps the refund just recorded on the ticket from the payment
// system until at: the one who pressed it may undo it meanwhile, back to
// the ticket as it was (prior).
func holdRefund(ctx context.Context, tx *wtx, prior anxin.Ticket, at any) error {
	// Only where the ticket stood is kept: not the buyer's name and phone,
	// which an undo takes from the ticket as it is.
	prior.BuyerName, prior.BuyerPhone = "", ""
	from, err := json.Marshal(prior)
	if err != nil {
		return fmt.Errorf("hold refund: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE refunds SET hand_over_at = ?, undo_from = ? WHERE ticket_id = ?`,
		at, string(from), prior.ID); err != nil {
		return fmt.Errorf("hold refund of ticket %d: %w", prior.ID, err)
	}
	return nil
}

// UndoRefund takes back a ticket's refund that waits to be handed to the
// payment system, on the version of the ticket the page showed: the ticket
// returns to the state it was in (a new version), the refund is cancelled
// (kept in refunds_cancelled with who undid it) and the timeline says who
// undid it. Racing the hand-over, exactly one wins: both are writes of the
// one writer, each compare-and-set on the refund still being held. An undo
// that comes too late is refused (MsgUndoTooLate), never lost silently.
func (s *Store) UndoRefund(ctx context.Context, ticketID int64, by anxin.Actor, version int64) (anxin.Ticket, error) {
	var t anxin.Ticket
	err := s.write(ctx, func(ctx context.Context, tx *wtx) (err error) {
		t, err = undoRefund(ctx, tx, ticketID, by, version)
		return err
	})
	return t, err
}

func undoRefund(ctx context.Context, tx *wtx, ticketID int64, by anxin.Actor, version int64) (anxin.Ticket, error) {
	t, err := findTicket(ctx, tx, by.Scope(), ticketID)
	if err != nil {
		return t, err
	}
	if version != 0 && version != t.Version {
		return t, alreadyHandled(ctx, tx, t)
	}
	var r anxin.RefundRecord
	var from string
	err = tx.QueryRowContext(ctx, `SELECT undo_from FROM refunds WHERE ticket_id = ?`, t.ID).Scan(&from)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return t, anxin.Fail(anxin.MsgNothingToUndo, t.Number)
	case err != nil:
		return t, fmt.Errorf("refund of ticket %d: %w", t.ID, err)
	}
	if r, err = refundIn(ctx, tx, t.ID); err != nil {
		return t, err
	}
	var prior anxin.Ticket
	if from != "" {
		if err := json.Unmarshal([]byte(from), &prior); err != nil {
			return t, fmt.Errorf("refund of ticket %d: %w", t.ID, err)
		}
	}
	u, ev, err := t.Undo(r, prior, by, tx.now)
	if err != nil {
		return t, err
	}
	_, p, err := policyFor(ctx, tx, u.MerchantID, u.Service)
	if err != nil {
		return t, err
	}
	res, err := tx.ExecContext(ctx, `UPDATE tickets SET state = ?, version = ?, state_since = ?, deadline = ?,
		due_at = ?, auto_at = ?, paused_left_ms = ?, refunded_fen = ?, updated_at = ?, first_action_at = ?,
		offer_fen = ?, offer_from = ?, offers_made = ?, return_owed = ?
		WHERE id = ? AND version = ?`,
		string(u.State), u.Version, ms(u.StateSince), ms(u.Deadline), dueAt(u), ms(u.AutoAt(p)),
		u.PausedLeft.Milliseconds(), u.RefundedFen, ms(u.UpdatedAt), ms(u.FirstActionAt),
		u.OfferFen, string(u.OfferFrom), u.OffersMade, u.ReturnOwed, u.ID, t.Version)
	if err != nil {
		return t, fmt.Errorf("undo refund of ticket %d: %w", t.ID, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return t, alreadyHandled(ctx, tx, t)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO refunds_cancelled (number, ticket_id, amount_fen, created_at,
		cancelled_at, cancelled_by_id, cancelled_by_name) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		r.Number, t.ID, r.AmountFen, ms(r.CreatedAt), ms(tx.now), nullID(by.UserID), by.Name); err != nil {
		return t, fmt.Errorf("cancel refund %s: %w", r.Number, err)
	}
	res, err = tx.ExecContext(ctx, `DELETE FROM refunds WHERE id = ? AND status = 'pending' AND hand_over_at IS NOT NULL`, r.ID)
	if err != nil {
		return t, fmt.Errorf("cancel refund %s: %w", r.Number, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return t, anxin.Fail(anxin.MsgUndoTooLate, r.Number)
	}
	if _, err := insertEvent(ctx, tx, ev); err != nil {
		return t, err
	}
	tx.notify(u, NoticeState)
	if err := emit(ctx, tx, u.ID, u.MerchantID, []anxin.WebhookEvent{anxin.EventStateChanged}, &ev); err != nil {
		return u, err
	}
	return u, nil
}

// HandOverRefunds hands to the payment system every refund whose undo time
// has passed: the refund.requested webhook, and the built-in provider's
// sweep, which pays only refunds handed over. It returns how many it handed
// over. Each is compare-and-set on the refund still being held, so an undo
// that committed first leaves nothing to hand over, and an undo after finds
// the refund gone to the payment system.
func (s *Store) HandOverRefunds(ctx context.Context) (int, error) {
	n := 0
	err := s.writeBackground(ctx, func(ctx context.Context, tx *wtx) error {
		n = 0
		type held struct{ id, ticket, merchant int64 }
		rows, err := tx.QueryContext(ctx, `SELECT r.id, r.ticket_id, t.merchant_id FROM refunds r
			JOIN tickets t ON t.id = r.ticket_id WHERE r.hand_over_at IS NOT NULL AND r.hand_over_at <= ?
			ORDER BY r.hand_over_at LIMIT 500`, ms(tx.now))
		if err != nil {
			return fmt.Errorf("refunds to hand over: %w", err)
		}
		var list []held
		for rows.Next() {
			var h held
			if err := rows.Scan(&h.id, &h.ticket, &h.merchant); err != nil {
				rows.Close()
				return err
			}
			list = append(list, h)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, h := range list {
			res, err := tx.ExecContext(ctx, `UPDATE refunds SET hand_over_at = NULL, undo_from = '', updated_at = ?
				WHERE id = ? AND hand_over_at IS NOT NULL`, ms(tx.now), h.id)
			if err != nil {
				return fmt.Errorf("hand over refund %d: %w", h.id, err)
			}
			if k, _ := res.RowsAffected(); k != 1 {
				continue
			}
			if err := emit(ctx, tx, h.ticket, h.merchant, []anxin.WebhookEvent{anxin.EventRefundRequested}, nil); err != nil {
				return err
			}
			n++
		}
		if n > 0 {
			tx.wake |= wakeRefunds
		}
		return nil
	})
	return n, err
}
