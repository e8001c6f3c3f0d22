package store

import (
	"context"
	"fmt"

	"github.com/anxin-helpdesk/anxin"
)

// historyScan bounds the buyer's other tickets read for a history: a buyer
// with more is flagged on far fewer.
const historyScan = 200

// BuyerHistory is the ticket's buyer's other tickets (matched by phone)
// that the scope may see, newest first, with the counts and flags of the
// window around the claim (anxin.FlagsOf). The evidence given is the
// ticket's, for its duplicate photos.
func (s *Store) BuyerHistory(ctx context.Context, scope anxin.Scope, t anxin.Ticket, evidence []anxin.Evidence) (anxin.BuyerHistory, error) {
	var h anxin.BuyerHistory
	if t.BuyerPhone == "" {
		return h, nil
	}
	rows, err := s.read().QueryContext(ctx, `SELECT `+ticketColumns+ticketFrom+`WHERE t.buyer_phone = ? AND t.id <> ?
		AND (?3 = 0 OR t.merchant_id = ?3) ORDER BY t.id DESC LIMIT ?`, t.BuyerPhone, t.ID, scope.MerchantID, historyScan)
	if err != nil {
		return h, fmt.Errorf("buyer history: %w", err)
	}
	defer rows.Close()
	var others []anxin.Ticket
	for rows.Next() {
		o, err := scanTicket(rows)
		if err != nil {
			return h, fmt.Errorf("buyer history: %w", err)
		}
		others = append(others, o)
	}
	if err := rows.Err(); err != nil {
		return h, err
	}
	var inWindow []anxin.Ticket
	for _, o := range append([]anxin.Ticket{t}, others...) {
		if d := t.CreatedAt.Sub(o.CreatedAt); d < anxin.HistoryWindow && d > -anxin.HistoryWindow {
			inWindow = append(inWindow, o)
			h.Claims++
			// A refund the payment system declined is not a refund (until
			// it is retried or paid by hand).
			if o.RefundedFen > 0 && o.State != anxin.RefundFailed {
				h.Refunded++
			}
		}
	}
	h.Flags = anxin.FlagsOf(t, inWindow[1:], evidence)
	h.Others = others[:min(len(others), anxin.HistoryShown)]
	return h, nil
}
