package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
)

// Work that must run on one node at a time (the deadline scheduler) asks
// Lead before each round. On SQLite there is one node: it always leads. On
// PostgreSQL the node that holds the work's advisory lock leads, on a
// connection kept open for it alone: the server lets the lock go when that
// connection ends, with its node (killed, or cut off), and the next node to
// ask takes it over.

const schedulerLock int64 = 0x616e78696e_03 // "anxin" 3: the deadline scheduler

type leader struct {
	mu   sync.Mutex
	db   *sql.DB   // one connection, opened when first asked
	conn *sql.Conn // holds the lock while leading; nil when not
}

// LeadScheduler tells whether this node is to run the scheduler's round
// now, taking the lead when no other node holds it.
func (s *Store) LeadScheduler(ctx context.Context) (bool, error) {
	if !s.pg {
		return true, nil
	}
	l := &s.lead
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.conn != nil {
		// Still holding it? A connection that broke has lost it.
		if err := l.conn.PingContext(ctx); err == nil {
			return true, nil
		}
		_ = l.conn.Close()
		l.conn = nil
	}
	if l.db == nil {
		db, err := pgDB(s.dsn, false)
		if err != nil {
			return false, fmt.Errorf("store: lead: %w", err)
		}
		db.SetMaxOpenConns(1)
		db.SetConnMaxIdleTime(0)
		l.db = db
	}
	conn, err := l.db.Conn(ctx)
	if err != nil {
		return false, fmt.Errorf("store: lead: %w", err)
	}
	var got bool
	if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock(?)`, schedulerLock).Scan(&got); err != nil {
		return false, errors.Join(fmt.Errorf("store: lead: %w", err), conn.Close())
	}
	if !got {
		return false, conn.Close() // back to the pool, to ask again next time
	}
	l.conn = conn
	return true, nil
}

// close lets the lead go, for another node to take at once.
func (l *leader) close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	var err error
	if l.conn != nil {
		err = l.conn.Close()
		l.conn = nil
	}
	if l.db != nil {
		err = errors.Join(err, l.db.Close())
		l.db = nil
	}
	return err
}
