package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/anxin-helpdesk/anxin"
)

// Sessions. A login is a row here and a random token in the browser's
// cookie; the row keeps the token's hash, so the database does not hold
// what would open a session. A session ends when its user logs out, when it
// has idled or aged past its limits, or when the user's session version
// moves on (password changed, disabled, role changed).

// ErrNoSession is the answer for a token that opens nothing.
var ErrNoSession = anxin.Errorf(anxin.EUNAUTHORIZED, "no session")

// sessionSeenEvery is how often a session's last use is written: at most
// once a minute, not on every request.
const sessionSeenEvery = time.Minute

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// StartSession records a login of the user, lasting at most maxAge, and
// returns its token.
func (s *Store) StartSession(ctx context.Context, u anxin.User, maxAge time.Duration) (string, error) {
	token := rand.Text() + rand.Text() // 256 bits
	err := s.write(ctx, func(ctx context.Context, tx *wtx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO sessions (token_hash, user_id, version, created_at, seen_at, expires_at)
			VALUES (?, ?, ?, ?, ?, ?)`, hashToken(token), u.ID, u.SessionVersion, ms(tx.now), ms(tx.now), ms(tx.now.Add(maxAge)))
		if isForeignKey(err) {
			return notFound("user")
		}
		if err != nil {
			return fmt.Errorf("start session: %w", err)
		}
		return nil
	})
	return token, err
}

// SessionUser returns the user the token's session stands for, if the
// session is live: not ended, not past its age, used within idle, its user
// enabled and at the session version it logged in with. A live session's
// use is recorded (at most once a minute).
func (s *Store) SessionUser(ctx context.Context, token string, idle time.Duration) (anxin.User, error) {
	if token == "" {
		return anxin.User{}, ErrNoSession
	}
	now := s.now()
	hash := hashToken(token)
	var version int64
	var seen sql.NullInt64
	u, err := scanUser(scanWith(s.read().QueryRowContext(ctx, `SELECT `+userColumns+`, x.version, x.seen_at`+userFrom+
		`JOIN sessions x ON x.user_id = u.id WHERE x.token_hash = ? AND x.expires_at > ?`, hash, ms(now)), &version, &seen))
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return anxin.User{}, ErrNoSession
	case err != nil:
		return anxin.User{}, err
	case u.Disabled || u.SessionVersion != version || now.Sub(fromMS(seen)) > idle:
		return anxin.User{}, ErrNoSession
	}
	if now.Sub(fromMS(seen)) >= sessionSeenEvery {
		if err := s.exec(ctx, "session seen", `UPDATE sessions SET seen_at = ? WHERE token_hash = ?`, ms(now), hash); err != nil {
			return anxin.User{}, err
		}
	}
	return u, nil
}

// EndSession ends the token's session, if there is one.
func (s *Store) EndSession(ctx context.Context, token string) error {
	if token == "" {
		return nil
	}
	return s.exec(ctx, "end session", `DELETE FROM sessions WHERE token_hash = ?`, hashToken(token))
}
