package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/anxin-helpdesk/anxin"
	"github.com/jackc/pgx/v5/pgconn"
	"golang.org/x/crypto/bcrypt"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// CreateUser stores a new user with the password hashed (bcrypt).
func (s *Store) CreateUser(ctx context.Context, u anxin.User, password string) (anxin.User, error) {
	return s.createUser(ctx, anxin.Actor{}, u, password)
}

// CreateUserBy is an admin's creation of a user, recorded in the audit log.
func (s *Store) CreateUserBy(ctx context.Context, by anxin.Actor, u anxin.User, password string) (anxin.User, error) {
	return s.createUser(ctx, by, u, password)
}

func (s *Store) createUser(ctx context.Context, by anxin.Actor, u anxin.User, password string) (anxin.User, error) {
	u.Email = strings.TrimSpace(u.Email)
	if u.Lang == "" {
		u.Lang = "zh"
	}
	if err := u.Validate(); err != nil {
		return u, err
	}
	if err := anxin.ValidatePassword(password, u.Email); err != nil {
		return u, err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), s.cfg.BcryptCost)
	if err != nil {
		return u, fmt.Errorf("hash password: %w", err)
	}
	u.SessionVersion = 1
	var merchant any
	if u.MerchantID != 0 {
		merchant = u.MerchantID
	}
	err = s.write(ctx, func(ctx context.Context, tx *wtx) error {
		u.CreatedAt = tx.now
		id, err := tx.insertID(ctx, `INSERT INTO users (email, name, role, merchant_id, password_hash, lang, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, u.Email, u.Name, string(u.Role), merchant, string(hash), u.Lang, ms(u.CreatedAt))
		switch {
		case isUnique(err):
			return anxin.Fail(anxin.MsgEmailTaken, u.Email)
		case isForeignKey(err):
			return anxin.Fail(anxin.MsgUnknownMerchant)
		case err != nil:
			return fmt.Errorf("create user: %w", err)
		}
		u.ID = id
		if by.UserID == 0 {
			return nil
		}
		return audit(ctx, tx, by, u.CreatedAt, "create_user", "user "+u.Email, string(u.Role))
	})
	return u, err
}

const userColumns = `u.id, u.email, u.name, u.role, coalesce(u.merchant_id, 0), coalesce(m.name, ''),
	u.session_version, u.lang, u.disabled_at IS NOT NULL, u.created_at, u.on_duty`

const userFrom = ` FROM users u LEFT JOIN merchants m ON m.id = u.merchant_id `

func scanUser(row interface{ Scan(...any) error }) (anxin.User, error) {
	var u anxin.User
	var created sql.NullInt64
	err := row.Scan(&u.ID, &u.Email, &u.Name, &u.Role, &u.MerchantID, &u.MerchantName,
		&u.SessionVersion, &u.Lang, &u.Disabled, &created, &u.OnDuty)
	u.CreatedAt = fromMS(created)
	return u, err
}

// UserByID finds a user.
func (s *Store) UserByID(ctx context.Context, id int64) (anxin.User, error) {
	u, err := scanUser(s.read().QueryRowContext(ctx, `SELECT `+userColumns+userFrom+`WHERE u.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return u, anxin.Fail(anxin.MsgUserNotFound)
	}
	return u, err
}

// ErrBadLogin is the one answer to every failed login, so that it does not
// tell whether the account exists.
var ErrBadLogin = anxin.Fail(anxin.MsgBadLogin)

// Authenticate returns the enabled user with this email and password.
func (s *Store) Authenticate(ctx context.Context, email, password string) (anxin.User, error) {
	var hash string
	u, err := scanUser(scanWith(s.read().QueryRowContext(ctx, `SELECT `+userColumns+`, u.password_hash`+userFrom+
		`WHERE u.email = ?`, strings.TrimSpace(email)), &hash))
	if errors.Is(err, sql.ErrNoRows) {
		// As long as a failed login to an account that exists takes.
		_ = bcrypt.CompareHashAndPassword(s.dummyHash(), []byte(password))
		return anxin.User{}, ErrBadLogin
	}
	if err != nil {
		return anxin.User{}, err
	}
	if bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) != nil || u.Disabled {
		return anxin.User{}, ErrBadLogin
	}
	return u, nil
}

// SetLang remembers a user's language.
func (s *Store) SetLang(ctx context.Context, userID int64, lang string) error {
	return s.write(ctx, func(ctx context.Context, tx *wtx) error {
		tx.wake |= staleSessions
		if _, err := tx.ExecContext(ctx, `UPDATE users SET lang = ? WHERE id = ?`, lang, userID); err != nil {
			return fmt.Errorf("set language: %w", err)
		}
		return nil
	})
}

// isUnique is a unique constraint refusing a row, on either engine.
func isUnique(err error) bool {
	return sqliteCode(err) == sqlite3.SQLITE_CONSTRAINT_UNIQUE || pgCode(err) == pgUniqueViolation
}

// isForeignKey is a foreign key refusing a row, on either engine.
func isForeignKey(err error) bool {
	return sqliteCode(err) == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY || pgCode(err) == pgForeignKeyViolation
}

// PostgreSQL's SQLSTATEs for the two.
const (
	pgUniqueViolation     = "23505"
	pgForeignKeyViolation = "23503"
)

// pgCode is PostgreSQL's SQLSTATE of the error, if it is one of its.
func pgCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

func sqliteCode(err error) int {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code()
	}
	return 0
}

// Agents lists the enabled agents and admins, by name: the people a ticket
// can be assigned to.
func (s *Store) Agents(ctx context.Context) ([]anxin.User, error) {
	return s.users(ctx, `WHERE u.role IN ('agent', 'admin') AND u.disabled_at IS NULL ORDER BY u.role DESC, u.name`)
}

// users lists the users a clause (a WHERE and an ORDER BY) selects.
func (s *Store) users(ctx context.Context, clause string) ([]anxin.User, error) {
	var out []anxin.User
	rows, err := s.read().QueryContext(ctx, `SELECT `+userColumns+userFrom+clause)
	err = eachRow(rows, err, func(rows *sql.Rows) error {
		u, err := scanUser(rows)
		out = append(out, u)
		return err
	})
	return out, err
}
