package store

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/anxin-helpdesk/anxin"
)

// SavedView is a queue view a user saved under a name: the queue URL's query.
type SavedView struct {
	ID    int64
	Name  string
	Query string
}

// Saved views: how many a user keeps, and how long a query may be.
const (
	MaxSavedViews   = 20
	maxSavedViewLen = 30
	maxViewQuery    = 1000
)

// SaveView saves the user's view of the queue under a name (a view saved
// again under its name is replaced).
func (s *Store) SaveView(ctx context.Context, userID int64, name, query string) (SavedView, error) {
	v := SavedView{Name: strings.TrimSpace(name), Query: strings.TrimPrefix(strings.TrimSpace(query), "?")}
	if v.Name == "" {
		return v, anxin.Fail(anxin.MsgNameRequired)
	}
	if err := anxin.CheckText(anxin.FieldName, v.Name, maxSavedViewLen, false); err != nil {
		return v, err
	}
	if _, err := url.ParseQuery(v.Query); err != nil || len(v.Query) > maxViewQuery {
		return v, anxin.Fail(anxin.MsgViewQuery)
	}
	err := s.write(ctx, func(ctx context.Context, tx *wtx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM saved_views WHERE user_id = ? AND name <> ?`,
			userID, v.Name).Scan(&n); err != nil {
			return err
		}
		if n >= MaxSavedViews {
			return anxin.Fail(anxin.MsgTooManyViews, MaxSavedViews)
		}
		return tx.QueryRowContext(ctx, `INSERT INTO saved_views (user_id, name, query, created_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (user_id, name) DO UPDATE SET query = excluded.query RETURNING id`,
			userID, v.Name, v.Query, ms(tx.now)).Scan(&v.ID)
	})
	return v, err
}

// DeleteView removes one of the user's saved views.
func (s *Store) DeleteView(ctx context.Context, userID, id int64) error {
	return s.write(ctx, func(ctx context.Context, tx *wtx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM saved_views WHERE id = ? AND user_id = ?`, id, userID)
		if err != nil {
			return fmt.Errorf("delete view: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return anxin.Fail(anxin.MsgNotFound) // none of the user's: another's is not there for them
		}
		return nil
	})
}

// SavedViews lists the user's saved views in the order they were saved.
func (s *Store) SavedViews(ctx context.Context, userID int64) ([]SavedView, error) {
	rows, err := s.read().QueryContext(ctx, `SELECT id, name, query FROM saved_views WHERE user_id = ? ORDER BY id`, userID)
	if err != nil {
		return nil, fmt.Errorf("saved views: %w", err)
	}
	defer rows.Close()
	var out []SavedView
	for rows.Next() {
		var v SavedView
		if err := rows.Scan(&v.ID, &v.Name, &v.Query); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
