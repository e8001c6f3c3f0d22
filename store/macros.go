package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/anxin-helpdesk/anxin"
)

// SaveMacro creates a canned reply (ID 0) or changes one, as its keeper: an
// admin the team's, a merchant's people their own.
func (s *Store) SaveMacro(ctx context.Context, by anxin.Actor, m anxin.Macro) (anxin.Macro, error) {
	if by.Role == anxin.RoleMerchant {
		m.MerchantID = by.MerchantID
	}
	if !m.MayEdit(by) {
		return m, anxin.Fail(anxin.MsgRoleMayNot, by.Role, anxin.Action("edit_macro"))
	}
	if err := m.Validate(); err != nil {
		return m, err
	}
	err := s.write(ctx, func(ctx context.Context, tx *wtx) error {
		m.UpdatedAt = tx.now
		if m.ID == 0 {
			id, err := tx.insertID(ctx, `INSERT INTO macros (merchant_id, title, title_en, body, action, reason,
				updated_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, nullID(m.MerchantID), m.Title, m.TitleEN,
				m.Body, string(m.Action), m.Reason, nullID(by.UserID), ms(m.UpdatedAt))
			if err != nil {
				return fmt.Errorf("create macro: %w", err)
			}
			m.ID = id
			return nil
		}
		old, err := macroIn(ctx, tx, m.ID)
		if err != nil {
			return err
		}
		if !old.MayEdit(by) {
			return anxin.Fail(anxin.MsgMacroNotFound)
		}
		_, err = tx.ExecContext(ctx, `UPDATE macros SET title = ?, title_en = ?, body = ?, action = ?, reason = ?,
			updated_by = ?, updated_at = ? WHERE id = ?`, m.Title, m.TitleEN, m.Body, string(m.Action), m.Reason,
			nullID(by.UserID), ms(m.UpdatedAt), m.ID)
		if err != nil {
			return fmt.Errorf("update macro: %w", err)
		}
		return nil
	})
	return m, err
}

// DeleteMacro removes a canned reply its keeper no longer wants.
func (s *Store) DeleteMacro(ctx context.Context, by anxin.Actor, id int64) error {
	return s.write(ctx, func(ctx context.Context, tx *wtx) error {
		m, err := macroIn(ctx, tx, id)
		if err != nil {
			return err
		}
		if !m.MayEdit(by) {
			return anxin.Fail(anxin.MsgMacroNotFound)
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM macros WHERE id = ?`, id)
		return err
	})
}

const macroColumns = `id, coalesce(merchant_id, 0), title, title_en, body, action, reason, updated_at`

func scanMacro(row interface{ Scan(...any) error }) (anxin.Macro, error) {
	var m anxin.Macro
	var at sql.NullInt64
	err := row.Scan(&m.ID, &m.MerchantID, &m.Title, &m.TitleEN, &m.Body, &m.Action, &m.Reason, &at)
	m.UpdatedAt = fromMS(at)
	return m, err
}

func macroIn(ctx context.Context, q queryer, id int64) (anxin.Macro, error) {
	m, err := scanMacro(q.QueryRowContext(ctx, `SELECT `+macroColumns+` FROM macros WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return m, anxin.Fail(anxin.MsgMacroNotFound)
	}
	return m, err
}

// Macro returns a canned reply a viewer of the scope may use on a ticket of
// the merchant.
func (s *Store) Macro(ctx context.Context, scope anxin.Scope, ticketMerchant, id int64) (anxin.Macro, error) {
	m, err := macroIn(ctx, s.read(), id)
	if err != nil {
		return m, err
	}
	if !m.Usable(scope, ticketMerchant) {
		return anxin.Macro{}, anxin.Fail(anxin.MsgMacroNotFound)
	}
	return m, nil
}

// Macros lists the team's canned replies and, for a merchant (not 0), its
// own, the team's first, each by title.
func (s *Store) Macros(ctx context.Context, merchantID int64) ([]anxin.Macro, error) {
	rows, err := s.read().QueryContext(ctx, `SELECT `+macroColumns+` FROM macros
		WHERE merchant_id IS NULL OR merchant_id = ? ORDER BY merchant_id IS NOT NULL, title, id`, merchantID)
	if err != nil {
		return nil, fmt.Errorf("macros: %w", err)
	}
	defer rows.Close()
	var out []anxin.Macro
	for rows.Next() {
		m, err := scanMacro(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}
