package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
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
			return anxin.Fail(anxin.MsgUserNotFound)
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
//
// Every page asks this, so live sessions are cached (sessionCache): the
// cache is dropped by every write that changes a user or a merchant, and a
// session's entry when it ends.
func (s *Store) SessionUser(ctx context.Context, token string, idle time.Duration) (anxin.User, error) {
	if token == "" {
		return anxin.User{}, ErrNoSession
	}
	now := s.now()
	hash := hashToken(token)
	x, ok := s.hooks.sessions.get(hash)
	if !ok {
		gen := s.hooks.sessions.generation()
		var seen, expires sql.NullInt64
		u, err := scanUser(scanWith(s.read().QueryRowContext(ctx, `SELECT `+userColumns+`, x.version, x.seen_at, x.expires_at`+
			userFrom+`JOIN sessions x ON x.user_id = u.id WHERE x.token_hash = ?`, hash), &x.version, &seen, &expires))
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return anxin.User{}, ErrNoSession
		case err != nil:
			return anxin.User{}, err
		}
		x.user, x.seen, x.expires = u, fromMS(seen), fromMS(expires)
		s.hooks.sessions.put(gen, hash, x)
	}
	if !now.Before(x.expires) || x.user.Disabled || x.user.SessionVersion != x.version || now.Sub(x.seen) > idle {
		return anxin.User{}, ErrNoSession
	}
	if now.Sub(x.seen) >= sessionSeenEvery {
		if err := s.exec(ctx, "session seen", `UPDATE sessions SET seen_at = ? WHERE token_hash = ?`, ms(now), hash); err != nil {
			return anxin.User{}, err
		}
		s.hooks.sessions.seen(hash, now)
	}
	return x.user, nil
}

// sessionCache holds the sessions recently asked for, by token hash. Each
// write that changes users or merchants drops it whole (they are rare) by
// moving to a new generation; an entry read from the database before such
// a write committed is not kept after it.
type sessionCache struct {
	mu  sync.Mutex
	gen uint64
	m   map[string]cachedSession
}

type cachedSession struct {
	user          anxin.User
	version       int64 // the user's session version at login
	seen, expires time.Time
}

// maxCachedSessions bounds the cache; past it, it starts afresh.
const maxCachedSessions = 10_000

func (c *sessionCache) get(hash string) (cachedSession, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	x, ok := c.m[hash]
	return x, ok
}

func (c *sessionCache) generation() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

func (c *sessionCache) put(gen uint64, hash string, x cachedSession) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return // read before a change that dropped the cache
	}
	if len(c.m) >= maxCachedSessions {
		clear(c.m)
	}
	c.m[hash] = x
}

func (c *sessionCache) seen(hash string, at time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if x, ok := c.m[hash]; ok {
		x.seen = at
		c.m[hash] = x
	}
}

func (c *sessionCache) forget(hash string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	delete(c.m, hash)
}

func (c *sessionCache) drop() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	clear(c.m)
}

// EndSession ends the token's session, if there is one.
func (s *Store) EndSession(ctx context.Context, token string) error {
	if token == "" {
		return nil
	}
	hash := hashToken(token)
	err := s.exec(ctx, "end session", `DELETE FROM sessions WHERE token_hash = ?`, hash)
	s.hooks.sessions.forget(hash)
	return err
}
