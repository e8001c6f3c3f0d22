package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// Several nodes on one PostgreSQL database. A node publishes the notices of
// its commits to its own subscribers (notices.go) and wakes its own workers
// (hooks.go); the other nodes hear of them through PostgreSQL: each batch
// sends them with pg_notify on channel changesChannel, inside its
// transaction, so that they are delivered when, and only if, it commits. Each
// node listens on a connection of its own and publishes what the others
// committed to its subscribers (the live queue and ticket pages of the
// people on that node), wakes its workers, and drops the caches those
// commits made stale.
//
// A node whose listening connection breaks connects again; what it missed
// meanwhile it cannot know, so it drops its caches and wakes its workers
// (live pages catch up at their next notice or reload).

const changesChannel = "anxin_changes"

// maxPayload keeps a notification under PostgreSQL's 8,000 bytes.
const maxPayload = 7000

// change is what one notification carries: a batch's notices and
// wake-ups, from the node that committed it.
type change struct {
	Node    string   `json:"n"`
	Wake    wakeups  `json:"w,omitempty"`
	Notices []Notice `json:"t,omitempty"`
}

// newNodeID names this node in its notifications, so that it skips its own.
func newNodeID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// notifyOthers sends a batch's notices and wake-ups to the other nodes, in
// the batch's transaction, in as many notifications as they need.
func (s *Store) notifyOthers(ctx context.Context, tx *sql.Tx, notices []Notice, wake wakeups) error {
	if len(notices) == 0 && wake == 0 {
		return nil
	}
	send := func(c change) error {
		b, err := json.Marshal(c)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `SELECT pg_notify(?, ?)`, changesChannel, string(b))
		return err
	}
	c := change{Node: s.node, Wake: wake}
	size := 64
	for _, n := range notices {
		// A notice is some 80 bytes as JSON; sent in parts well below the limit.
		if size += 120; size > maxPayload {
			if err := send(c); err != nil {
				return err
			}
			c, size = change{Node: s.node}, 64
		}
		c.Notices = append(c.Notices, n)
	}
	return send(c)
}

// listener hears the other nodes' changes.
type listener struct {
	cancel context.CancelFunc
	done   sync.WaitGroup
}

// listen starts hearing the other nodes' changes, until Close.
func (s *Store) listen() {
	ctx, cancel := context.WithCancel(context.Background())
	s.listener.cancel = cancel
	s.listener.done.Go(func() {
		wait := time.Second
		for ctx.Err() == nil {
			err := s.hear(ctx)
			if ctx.Err() != nil {
				return
			}
			// Whatever was committed while not listening is unknown: the
			// caches go, the workers look.
			s.hooks.sessions.drop()
			s.hooks.webhooks.Store(nil)
			s.hooks.committed(wakeOutbox | wakeRefunds)
			if err != nil {
				select {
				case <-ctx.Done():
				case <-time.After(wait):
				}
			}
		}
	})
}

// hear listens on one connection until it breaks or ctx ends.
func (s *Store) hear(ctx context.Context) error {
	conn, err := pgx.Connect(ctx, s.dsn)
	if err != nil {
		return err
	}
	defer func() { _ = conn.Close(context.WithoutCancel(ctx)) }() // a listener: nothing to keep
	if _, err := conn.Exec(ctx, "LISTEN "+changesChannel); err != nil {
		return err
	}
	s.listening.Store(true)
	defer s.listening.Store(false)
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		var c change
		if err := json.Unmarshal([]byte(n.Payload), &c); err != nil {
			return fmt.Errorf("store: a change from another node: %w", err)
		}
		if c.Node == s.node {
			continue // published when it committed, here
		}
		s.hooks.committed(c.Wake)
		s.hub.publish(c.Notices)
	}
}

// stopListening ends the listener and waits for it.
func (l *listener) stop() {
	if l.cancel != nil {
		l.cancel()
		l.done.Wait()
	}
}

// ListeningToNodes tells whether the store hears the other nodes' changes
// now: on PostgreSQL, once its listening connection is up; never on SQLite,
// which has no other nodes.
func (s *Store) ListeningToNodes() bool { return s.listening.Load() }
