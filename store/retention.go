package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
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
		if err := unindexTicket(ctx, tx, t.ID,
			ticketTerms(t.Order.ID, t.BuyerName, t.BuyerPhone, t.Order.Product, t.Reason, t.MerchantID)); err != nil {
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

// ErasedPhotos is what one ErasePhotos run did.
type ErasedPhotos struct {
	Tickets int // tickets whose photos were deleted
	Photos  int // photos marked deleted
	Files   int // files removed from disk (a picture kept on another ticket keeps its file)
}

// ErasePhotos deletes the evidence photos of the tickets that ended at
// least keep ago (anxin.Ticket.PhotosErasable), in batches, each one
// transaction that marks the photos and the tickets and writes an audit
// record with its counts, then removes the files no kept photo shows. keep
// 0 deletes nothing (but finishes the removals a crash interrupted).
func (s *Store) ErasePhotos(ctx context.Context, keep time.Duration) (ErasedPhotos, error) {
	var total ErasedPhotos
	for keep > 0 {
		var tickets, photos int
		err := s.writeBackground(ctx, func(ctx context.Context, tx *wtx) error {
			var err error
			tickets, photos, err = erasePhotos(ctx, tx, keep)
			return err
		})
		total.Tickets += tickets
		total.Photos += photos
		if err != nil {
			return total, err
		}
		if tickets < eraseBatch {
			break
		}
	}
	n, err := s.unlinkPhotoFiles(ctx)
	total.Files = n
	return total, err
}

func erasePhotos(ctx context.Context, tx *wtx, keep time.Duration) (tickets, photos int, err error) {
	now := tx.now
	rows, err := tx.QueryContext(ctx, `SELECT `+ticketColumns+ticketFrom+`
		WHERE t.photos_erased_at IS NULL AND t.state IN ('refunded', 'closed') AND t.state_since <= ?
		ORDER BY t.state_since LIMIT ?`, ms(now.Add(-keep)), eraseBatch)
	if err != nil {
		return 0, 0, fmt.Errorf("erase photos: %w", err)
	}
	var due []int64
	for rows.Next() {
		t, err := scanTicket(rows)
		if err != nil {
			rows.Close()
			return 0, 0, err
		}
		if t.PhotosErasable(now, keep) {
			due = append(due, t.ID)
		}
	}
	if err := rows.Close(); err != nil {
		return 0, 0, err
	}
	for _, id := range due {
		// Both sizes' files go on the list; the removal keeps those a
		// kept photo still shows.
		if _, err := tx.ExecContext(ctx, `INSERT INTO photo_files_unlinked (sha256)
			SELECT sha256 FROM evidence WHERE ticket_id = ?1 AND erased_at IS NULL
			UNION SELECT thumb_sha256 FROM evidence WHERE ticket_id = ?1 AND erased_at IS NULL AND thumb_sha256 != ''
			ON CONFLICT DO NOTHING`, id); err != nil {
			return 0, 0, fmt.Errorf("erase photos of ticket %d: %w", id, err)
		}
		res, err := tx.ExecContext(ctx, `UPDATE evidence SET erased_at = ? WHERE ticket_id = ? AND erased_at IS NULL`, ms(now), id)
		if err != nil {
			return 0, 0, fmt.Errorf("erase photos of ticket %d: %w", id, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return 0, 0, err
		}
		photos += int(n)
		if _, err := tx.ExecContext(ctx, `UPDATE tickets SET photos_erased_at = ? WHERE id = ?`, ms(now), id); err != nil {
			return 0, 0, fmt.Errorf("erase photos of ticket %d: %w", id, err)
		}
	}
	if photos > 0 {
		if err := audit(ctx, tx, anxin.System(), now, "erase_photos", "tickets",
			fmt.Sprintf("%d photos of %d tickets ended before %s", photos, len(due), now.Add(-keep).UTC().Format(time.DateOnly))); err != nil {
			return 0, 0, err
		}
	}
	return len(due), photos, nil
}

// unlinkPhotoFiles removes the files on the list of deleted photos' files
// that no kept photo shows, and empties the list.
func (s *Store) unlinkPhotoFiles(ctx context.Context) (int, error) {
	removed := 0
	for {
		var sums []string
		rows, err := s.read().QueryContext(ctx, `SELECT sha256 FROM photo_files_unlinked ORDER BY sha256 LIMIT ?`, eraseBatch)
		if err != nil {
			return removed, fmt.Errorf("photo files to remove: %w", err)
		}
		for rows.Next() {
			var sum string
			if err := rows.Scan(&sum); err != nil {
				rows.Close()
				return removed, err
			}
			sums = append(sums, sum)
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil || len(sums) == 0 {
			return removed, err
		}
		n, err := s.unlinkFiles(ctx, sums)
		removed += n
		if err != nil {
			return removed, err
		}
		if err := s.writeBackground(ctx, func(ctx context.Context, tx *wtx) error {
			for _, sum := range sums {
				if _, err := tx.ExecContext(ctx, `DELETE FROM photo_files_unlinked WHERE sha256 = ?`, sum); err != nil {
					return fmt.Errorf("photo files to remove: %w", err)
				}
			}
			return nil
		}); err != nil {
			return removed, err
		}
		if len(sums) < eraseBatch {
			return removed, nil
		}
	}
}

// unlinkFiles removes the files no kept photo shows, holding uploads off
// meanwhile (Store.files): a file an upload has just found on disk is
// shown by its row, committed, before the check.
func (s *Store) unlinkFiles(ctx context.Context, sums []string) (int, error) {
	if s.pg {
		return s.deleteFileRows(ctx, sums)
	}
	s.files.Lock()
	defer s.files.Unlock()
	removed := 0
	for _, sum := range sums {
		if !validSum(sum) {
			continue // never a path outside the photo directory
		}
		var kept bool
		if err := s.read().QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM evidence WHERE sha256 = ?1 AND erased_at IS NULL)
			OR EXISTS (SELECT 1 FROM evidence WHERE thumb_sha256 = ?1 AND erased_at IS NULL)`, sum).Scan(&kept); err != nil {
			return removed, fmt.Errorf("photo file %s: %w", sum, err)
		}
		if kept {
			continue
		}
		switch err := os.Remove(s.photoPath(sum)); {
		case err == nil:
			removed++
		case !errors.Is(err, fs.ErrNotExist):
			return removed, fmt.Errorf("photo file %s: %w", sum, err)
		}
	}
	return removed, nil
}

// deleteFileRows is unlinkFiles on PostgreSQL: the rows of photo_files no
// kept photo shows are deleted, in one write (an upload that shows one
// again writes it again, in its own).
func (s *Store) deleteFileRows(ctx context.Context, sums []string) (int, error) {
	removed := 0
	err := s.writeBackground(ctx, func(ctx context.Context, tx *wtx) error {
		removed = 0
		for _, sum := range sums {
			res, err := tx.ExecContext(ctx, `DELETE FROM photo_files WHERE sha256 = ?1
				AND NOT EXISTS (SELECT 1 FROM evidence WHERE sha256 = ?1 AND erased_at IS NULL)
				AND NOT EXISTS (SELECT 1 FROM evidence WHERE thumb_sha256 = ?1 AND erased_at IS NULL)`, sum)
			if err != nil {
				return fmt.Errorf("photo file %s: %w", sum, err)
			}
			n, err := res.RowsAffected()
			if err != nil {
				return err
			}
			removed += int(n)
		}
		return nil
	})
	return removed, err
}
