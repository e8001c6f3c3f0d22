package store

import (
	"context"
	"database/sql"
)

// Reads go through prepared statements kept for the life of the store:
// database/sql prepares each on a pooled connection the first time it runs
// there and reuses it after. Parsing was a quarter of a queue page's cost,
// measured at 1M tickets. The queries come from a fixed set of templates (the
// queue builds at most one per combination of filters), so the cache stays small.
func (s *Store) readStmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := s.reads.Load(query); ok {
		return st.(*sql.Stmt), nil
	}
	st, err := s.rdb.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if prev, loaded := s.reads.LoadOrStore(query, st); loaded {
		st.Close()
		return prev.(*sql.Stmt), nil
	}
	return st, nil
}

// reader is the read pool seen through the statement cache. It satisfies
// queryer, so the helpers that serve both reads and write transactions take it.
type reader struct{ s *Store }

func (r reader) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := r.s.readStmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

func (r reader) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := r.s.readStmt(ctx, query)
	if err != nil {
		return r.s.rdb.QueryRowContext(ctx, query, args...) // reports the same error when scanned
	}
	return st.QueryRowContext(ctx, args...)
}

func (s *Store) read() reader { return reader{s} }
