package store

import (
	"context"
	"fmt"
	"time"
)

// The query planner's statistics, on SQLite (PostgreSQL's autovacuum keeps
// its own).
//
// Without statistics SQLite guesses how selective each index is, and for
// one merchant's tickets in one state it guesses wrong: it walks every
// ticket in that state, in deadline order, for the few that are the
// merchant's. Measured over 1M tickets, that queue page took 11 ms instead
// of 0.45, the reports page's week 29 ms instead of 15–19. PRAGMA optimize
// gathers statistics where a table has none or has grown or shrunk a lot
// since; at open and then once an hour it is mostly a no-op. When it does
// gather them, the write connection is busy for as long: about 2.5 s over
// 1M tickets.
//
// Only sqlite_stat1 is kept. modernc's SQLite is built with STAT4, and
// with its samples SQLite prepares a statement again whenever a bound
// value meets a sampled column, as every ticket page's timeline and buyer
// history do. Measured over 1M tickets, two rounds of one run: 370–470
// decisions a second with the samples and 630–655 without; the ticket
// page's p99 at 1,000 pages a second 125–275 ms with them and 63–75
// without.

// optimizeStats brings the planner's statistics up to date on the write
// connection, keeping sqlite_stat1 only. A connection reads the statistics
// when it opens; the read pool's connections are renewed within an hour
// (readMaxLifetime) to read them again.
func optimizeStats(ctx context.Context, db interface {
	execer
	queryer
}) error {
	// 0x10002: look at every table, not only those this connection has
	// queried since it opened.
	if _, err := db.ExecContext(ctx, `PRAGMA optimize=0x10002`); err != nil {
		return fmt.Errorf("store: planner statistics: %w", err)
	}
	var stat4 int // whether the table is there: it is made by the first ANALYZE
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema WHERE name = 'sqlite_stat4'`).Scan(&stat4); err != nil {
		return fmt.Errorf("store: planner statistics: %w", err)
	}
	if stat4 == 0 {
		return nil
	}
	res, err := db.ExecContext(ctx, `DELETE FROM sqlite_stat4`)
	if err != nil {
		return fmt.Errorf("store: planner statistics: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil
	}
	// The connection still holds the samples it loaded: read them again.
	if _, err := db.ExecContext(ctx, `ANALYZE sqlite_schema`); err != nil {
		return fmt.Errorf("store: planner statistics: %w", err)
	}
	return nil
}

// OptimizeStats brings SQLite's planner statistics up to date (see above),
// in turn with the other writes; on PostgreSQL it does nothing.
func (s *Store) OptimizeStats(ctx context.Context) error {
	if s.pg {
		return nil
	}
	return s.writeBackground(ctx, func(ctx context.Context, tx *wtx) error {
		return optimizeStats(ctx, tx)
	})
}

// readMaxLifetime is how long a read connection serves before it is
// renewed: within it, the statistics gathered since it opened reach it.
const readMaxLifetime = time.Hour
