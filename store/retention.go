package store

import (
	"context"
	"fmt"
	"time"

	"github.com/anxin-helpdesk/anxin"
)

// eraseBatch is how many tickets one erasure transaction takes, so that
// the first run over years of tickets never holds the writer for long.
const eraseBatch = 500

// EraseContacts erases the buyers' names and phones of the tickets that
// ended at least keep ago (anxin.Ticket.ContactErasable), keeping their
// masked forms, in batches, each one transaction that also re-indexes the
// tickets for search under the masked forms and writes an audit record
// with its count. It returns how many tickets it erased; keep 0 erases
// nothing.
func (s *Store) EraseContacts(ctx context.Context, keep time.Duration) (int, error) {
	if keep <= 0 {
		return 0, nil
	}
	total := 0
	for {
		n := 0
		err := s.writeBackground(ctx, func(ctx context.Context, tx *wtx) error {
			var err error
			n, err = eraseContacts(ctx, tx, keep)
			return err
		})
		total += n
		if err != nil || n < eraseBatch {
			return total, err
		}
	}
}

func eraseContacts(ctx context.Context, tx *wtx, keep time.Duration) (int, error) {
	now := tx.now
	rows, err := tx.QueryContext(ctx, `SELECT `+ticketColumns+ticketFrom+`
		WHERE t.contact_erased_at IS NULL AND t.state IN ('refunded', 'closed') AND t.state_since <= ?
		ORDER BY t.state_since LIMIT ?`, ms(now.Add(-keep)), eraseBatch)
	if err != nil {
		return 0, fmt.Errorf("erase contacts: %w", err)
	}
	var due []anxin.Ticket
	for rows.Next() {
		t, err := scanTicket(rows)
		if err != nil {
			rows.Close()
			return 0, err
		}
		if t.ContactErasable(now, keep) {
			due = append(due, t)
		}
	}
	if err := rows.Close(); err != nil {
		return 0, err
	}
	// Tickets below the backfill's mark are not indexed yet: the backfill
	// will index them as erased.
	var below int64
	if err := tx.QueryRowContext(ctx, `SELECT coalesce((SELECT tickets_below FROM search_backfill), 0)`).Scan(&below); err != nil {
		return 0, fmt.Errorf("erase contacts: %w", err)
	}
	for _, t := range due {
		erased := t.EraseContact(now)
		if _, err := tx.ExecContext(ctx, `UPDATE tickets SET buyer_name = ?, buyer_phone = ?, contact_erased_at = ?
			WHERE id = ?`, erased.BuyerName, erased.BuyerPhone, ms(now), t.ID); err != nil {
			return 0, fmt.Errorf("erase contact of ticket %d: %w", t.ID, err)
		}
		if t.ID < below {
			continue
		}
		// The index holds no text (content=''): a row is deleted by
		// giving the terms it was indexed with.
		if _, err := tx.ExecContext(ctx, `INSERT INTO ticket_search (ticket_search, rowid, terms) VALUES ('delete', ?, ?)`,
			t.ID, ticketTerms(t.Order.ID, t.BuyerName, t.BuyerPhone, t.Order.Product, t.Reason, t.MerchantID)); err != nil {
			return 0, fmt.Errorf("erase contact of ticket %d: unindex: %w", t.ID, err)
		}
		if err := indexTicket(ctx, tx, erased); err != nil {
			return 0, err
		}
	}
	if len(due) > 0 {
		if err := audit(ctx, tx, anxin.System(), now, "erase_contacts", "tickets",
			fmt.Sprintf("%d tickets ended before %s", len(due), now.Add(-keep).UTC().Format(time.DateOnly))); err != nil {
			return 0, err
		}
	}
	return len(due), nil
}
