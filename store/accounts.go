package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/anxin-helpdesk/anxin"
	"golang.org/x/crypto/bcrypt"
)

// Every change below ends the user's sessions where it should: the session
// cookie carries the session version, and a bumped version no longer matches.

// ChangePassword sets a user's own password after checking the current one,
// and ends every session of the user; it returns the user with the new
// session version, so that the browser that made the change can stay in.
func (s *Store) ChangePassword(ctx context.Context, userID int64, current, next string) (anxin.User, error) {
	var hash string
	err := s.read().QueryRowContext(ctx, `SELECT password_hash FROM users WHERE id = ?`, userID).Scan(&hash)
	if errors.Is(err, sql.ErrNoRows) {
		return anxin.User{}, anxin.Fail(anxin.MsgUserNotFound)
	}
	if err != nil {
		return anxin.User{}, err
	}
	if bcrypt.CompareHashAndPassword([]byte(hash), []byte(current)) != nil {
		return anxin.User{}, anxin.Fail(anxin.MsgWrongPassword)
	}
	if err := s.setPassword(ctx, anxin.Actor{}, userID, next); err != nil {
		return anxin.User{}, err
	}
	return s.UserByID(ctx, userID)
}

// ResetPassword is an admin's setting of another user's password.
func (s *Store) ResetPassword(ctx context.Context, by anxin.Actor, userID int64, next string) error {
	return s.setPassword(ctx, by, userID, next)
}

func (s *Store) setPassword(ctx context.Context, by anxin.Actor, userID int64, next string) error {
	u, err := s.UserByID(ctx, userID)
	if err != nil {
		return err
	}
	if err := anxin.ValidatePassword(next, u.Email); err != nil {
		return err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(next), s.cfg.BcryptCost)
	if err != nil {
		return fmt.Errorf("hash password: %w", err)
	}
	return s.write(ctx, func(ctx context.Context, tx *wtx) error {
		if err := updateUser(ctx, tx, userID, `password_hash = ?`, string(hash)); err != nil {
			return err
		}
		if by.UserID == 0 {
			return nil // a user's own change is not an admin action
		}
		return auditUser(ctx, tx, by, tx.now, "reset_password", userID, "")
	})
}

// SetDisabled disables a user (ending their sessions) or enables them again.
func (s *Store) SetDisabled(ctx context.Context, by anxin.Actor, userID int64, disabled bool) error {
	if disabled && by.UserID == userID {
		return anxin.Fail(anxin.MsgDisableSelf)
	}
	return s.write(ctx, func(ctx context.Context, tx *wtx) error {
		now := tx.now
		var at any
		action := "enable_user"
		if disabled {
			at, action = ms(now), "disable_user"
		}
		if err := updateUser(ctx, tx, userID, `disabled_at = ?`, at); err != nil {
			return err
		}
		return auditUser(ctx, tx, by, now, action, userID, "")
	})
}

// SetRole changes a user's role (and merchant, for a merchant user), ending
// their sessions so the new role takes effect at once.
func (s *Store) SetRole(ctx context.Context, by anxin.Actor, userID int64, role anxin.Role, merchantID int64) error {
	u := anxin.User{Email: "x@example.com", Name: "x", Role: role, MerchantID: merchantID}
	if err := u.Validate(); err != nil {
		return err
	}
	if by.UserID == userID && role != anxin.RoleAdmin {
		return anxin.Fail(anxin.MsgOwnAdminRole)
	}
	return s.write(ctx, func(ctx context.Context, tx *wtx) error {
		err := updateUser(ctx, tx, userID, `role = ?, merchant_id = ?`, string(role), nullID(merchantID))
		if isForeignKey(err) {
			return anxin.Fail(anxin.MsgUnknownMerchant)
		}
		if err != nil {
			return err
		}
		return auditUser(ctx, tx, by, tx.now, "change_role", userID, string(role))
	})
}

// updateUser sets columns of a user and bumps the session version.
func updateUser(ctx context.Context, tx *wtx, userID int64, set string, args ...any) error {
	tx.wake |= staleSessions
	res, err := tx.ExecContext(ctx, `UPDATE users SET `+set+`, session_version = session_version + 1 WHERE id = ?`,
		append(args, userID)...)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return anxin.Fail(anxin.MsgUserNotFound)
	}
	return nil
}

// auditUser records an admin's action on a user, named by email.
func auditUser(ctx context.Context, tx *wtx, by anxin.Actor, at time.Time, action string, userID int64, detail string) error {
	var email string
	if err := tx.QueryRowContext(ctx, `SELECT email FROM users WHERE id = ?`, userID).Scan(&email); err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	return audit(ctx, tx, by, at, action, "user "+email, detail)
}

// Users lists every user, admins first, then by name.
func (s *Store) Users(ctx context.Context) ([]anxin.User, error) {
	return s.users(ctx, `ORDER BY CASE u.role WHEN 'admin' THEN 0 WHEN 'agent' THEN 1 ELSE 2 END, u.name`)
}

func audit(ctx context.Context, tx *wtx, by anxin.Actor, at time.Time, action, target, detail string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO audit_log (at, actor_id, actor_name, action, target, detail)
		VALUES (?, ?, ?, ?, ?, ?)`, ms(at), nullID(by.UserID), by.Name, action, target, detail)
	return err
}

// AuditLog returns admin actions, newest first, before the given id (0: the newest).
func (s *Store) AuditLog(ctx context.Context, before int64, limit int) ([]anxin.AuditEntry, error) {
	if before <= 0 {
		before = 1 << 62
	}
	rows, err := s.read().QueryContext(ctx, `SELECT id, at, actor_name, action, target, detail FROM audit_log
		WHERE id < ? ORDER BY id DESC LIMIT ?`, before, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []anxin.AuditEntry
	for rows.Next() {
		var e anxin.AuditEntry
		var at sql.NullInt64
		if err := rows.Scan(&e.ID, &at, &e.Actor, &e.Action, &e.Target, &e.Detail); err != nil {
			return nil, err
		}
		e.At = fromMS(at)
		out = append(out, e)
	}
	return out, rows.Err()
}
