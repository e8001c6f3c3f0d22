package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/anxin-helpdesk/anxin"
)

// DB exposes the write pool to tests that check what no method reveals.
func DB(s *Store) *sql.DB { return s.db }

// FindSimilar runs the duplicate lookup an upload of a picture with this
// perceptual hash to ticketID would run.
func FindSimilar(s *Store, hash uint64, ticketID int64) ([]anxin.Duplicate, error) {
	return findDuplicates(context.Background(), s.read(), anxin.Evidence{TicketID: ticketID, PHash: hash}, 1<<20)
}

// InsertHashes records photo rows with the given perceptual hashes on a
// ticket, in one transaction: for lookup tests and benchmarks that need
// more photos than can be made.
func InsertHashes(s *Store, ticketID int64, hashes []uint64) error {
	tx, err := s.db.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	st, err := tx.Prepare(`INSERT INTO evidence (ticket_id, party, sha256, width, height, bytes, uploaded_by, created_at,
		phash, ph0, ph1, ph2, ph3) VALUES (?, 'buyer', ?, 1, 1, 1, 'test', 0, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	for i, h := range hashes {
		q := quarters(h)
		if _, err := st.Exec(ticketID, fmt.Sprintf("%064x", i), int64(h), q[0], q[1], q[2], q[3]); err != nil {
			return err
		}
	}
	return tx.Commit()
}
