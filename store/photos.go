package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/anxin-helpdesk/anxin"
)

// Photos are files beside the database, named by the sha256 of their bytes
// (photos/ab/abcdef….jpg): the same image is stored once however often it
// is submitted.
func (s *Store) photoPath(sum string) string {
	return filepath.Join(s.Dir(), "photos", sum[:2], sum+".jpg")
}

// putPhoto writes an image's bytes under their hash, atomically, unless
// they are already there, and returns the hash.
func (s *Store) putPhoto(data []byte) (string, error) {
	raw := sha256.Sum256(data)
	sum := hex.EncodeToString(raw[:])
	path := s.photoPath(sum)
	if _, err := os.Stat(path); err == nil {
		return sum, nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return "", fmt.Errorf("photo store: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".upload-*")
	if err != nil {
		return "", fmt.Errorf("photo store: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return "", fmt.Errorf("photo store: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return "", fmt.Errorf("photo store: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return "", fmt.Errorf("photo store: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return "", fmt.Errorf("photo store: %w", err)
	}
	return sum, nil
}

// AddEvidence stores a JPEG already validated and re-encoded by the caller,
// and records it on the ticket.
func (s *Store) AddEvidence(ctx context.Context, by anxin.Actor, e anxin.Evidence, jpeg []byte) (anxin.Evidence, error) {
	sum, err := s.putPhoto(jpeg)
	if err != nil {
		return e, err
	}
	e.SHA256, e.Bytes, e.CreatedAt = sum, int64(len(jpeg)), s.now()
	e.UploadedBy = by.Name
	err = s.write(ctx, func(tx wtx) error {
		t, err := findTicket(ctx, tx, by.Scope(), e.TicketID)
		if err != nil {
			return err
		}
		tx.changed(t, ChangeEvidence)
		res, err := tx.ExecContext(ctx, `INSERT INTO evidence (ticket_id, party, sha256, width, height, bytes, label,
			uploaded_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, e.TicketID, string(e.Party), e.SHA256,
			e.Width, e.Height, e.Bytes, e.Label, e.UploadedBy, ms(e.CreatedAt))
		if isUnique(err) {
			return anxin.Errorf(anxin.ECONFLICT, "this photo is already on the ticket")
		}
		if err != nil {
			return fmt.Errorf("insert evidence: %w", err)
		}
		e.ID, err = res.LastInsertId()
		return err
	})
	return e, err
}

// Evidence lists a ticket's photos, oldest first.
func (s *Store) Evidence(ctx context.Context, scope anxin.Scope, ticketID int64) ([]anxin.Evidence, error) {
	rows, err := s.read().QueryContext(ctx, `SELECT e.id, e.ticket_id, e.party, e.sha256, e.width, e.height, e.bytes,
		e.label, e.uploaded_by, e.created_at FROM evidence e JOIN tickets t ON t.id = e.ticket_id
		WHERE e.ticket_id = ? AND (?2 = 0 OR t.merchant_id = ?2) ORDER BY e.id`, ticketID, scope.MerchantID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []anxin.Evidence
	for rows.Next() {
		var e anxin.Evidence
		var at sql.NullInt64
		if err := rows.Scan(&e.ID, &e.TicketID, &e.Party, &e.SHA256, &e.Width, &e.Height, &e.Bytes,
			&e.Label, &e.UploadedBy, &at); err != nil {
			return nil, err
		}
		e.CreatedAt = fromMS(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

// Photo opens the image of a piece of evidence the scope may see.
func (s *Store) Photo(ctx context.Context, scope anxin.Scope, evidenceID int64) (anxin.Evidence, *os.File, error) {
	var e anxin.Evidence
	err := s.read().QueryRowContext(ctx, `SELECT e.id, e.ticket_id, e.sha256 FROM evidence e
		JOIN tickets t ON t.id = e.ticket_id WHERE e.id = ? AND (?2 = 0 OR t.merchant_id = ?2)`,
		evidenceID, scope.MerchantID).Scan(&e.ID, &e.TicketID, &e.SHA256)
	if errors.Is(err, sql.ErrNoRows) {
		return e, nil, notFound("photo")
	}
	if err != nil {
		return e, nil, err
	}
	f, err := os.Open(s.photoPath(e.SHA256))
	if err != nil {
		return e, nil, fmt.Errorf("photo %d: %w", e.ID, err)
	}
	return e, f, nil
}
