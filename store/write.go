package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Group commit. Every write goes through one goroutine that owns the write
// connection. It takes whatever write requests have queued, runs them in one
// transaction, each inside its own savepoint (a failing request rolls back
// only itself), and commits once: one fsync for the whole batch. A lone
// request costs what a plain transaction costs; under concurrent load the
// fsync (0.3-0.6 ms on the disk measured) is shared, which is how approvals
// and intake keep up with synchronous=FULL.

// maxBatch bounds a batch, so that one commit does not hold many answers back.
const maxBatch = 64

var errClosed = errors.New("store: closed")

type writeReq struct {
	ctx  context.Context
	fn   func(wtx) error
	done chan error
}

// write runs fn in a write transaction, shared with other writes queued at
// the same moment. fn's changes are committed when write returns nil and are
// gone when it returns an error. fn must do nothing but database work: no
// network calls, no waiting.
func (s *Store) write(ctx context.Context, fn func(wtx) error) error {
	if tx, ok := joined(ctx, s); ok { // a write made inside another (join.go)
		return savepoint(tx.tx, func(*sql.Tx) error { return fn(tx) })
	}
	req := writeReq{ctx: ctx, fn: fn, done: make(chan error, 1)}
	select {
	case s.writes <- req:
	case <-ctx.Done():
		return ctx.Err()
	case <-s.closing:
		return errClosed
	}
	return <-req.done
}

// writer is the one goroutine that writes. It ends when closing is closed,
// after answering every request it took.
func (s *Store) writer() {
	defer close(s.writerDone)
	for {
		var first writeReq
		select {
		case first = <-s.writes:
		case <-s.closing:
			return
		}
		batch := []writeReq{first}
	drain:
		for len(batch) < maxBatch {
			select {
			case r := <-s.writes:
				batch = append(batch, r)
			default:
				break drain
			}
		}
		s.commitBatch(batch)
		s.prepareSeen()
	}
}

func (s *Store) commitBatch(batch []writeReq) {
	errs := make([]error, len(batch))
	answer := func() {
		for i, r := range batch {
			r.done <- errs[i]
		}
	}
	defer answer()
	tx, err := s.db.BeginTx(context.Background(), nil)
	if err != nil {
		for i := range errs {
			errs[i] = fmt.Errorf("begin: %w", err)
		}
		return
	}
	ok := 0
	var changes []Change
	for i, r := range batch {
		if errs[i] = r.ctx.Err(); errs[i] != nil {
			continue
		}
		var mine []Change
		if errs[i] = savepoint(tx, func(tx *sql.Tx) error { return r.fn(wtx{tx, s, &mine}) }); errs[i] == nil {
			ok++
			changes = append(changes, mine...)
		}
	}
	if ok == 0 {
		tx.Rollback()
		return
	}
	if err := tx.Commit(); err != nil {
		for i := range errs {
			if errs[i] == nil {
				errs[i] = fmt.Errorf("commit: %w", err)
			}
		}
		s.hooks.failed()
		return
	}
	s.hooks.committed()
	s.hub.publish(changes)
}

// savepoint runs fn inside a savepoint of tx, rolling back to it when fn
// fails or panics.
func savepoint(tx *sql.Tx, fn func(*sql.Tx) error) (err error) {
	if _, err := tx.Exec("SAVEPOINT w"); err != nil {
		return fmt.Errorf("savepoint: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("store: write panicked: %v", p)
		}
		if err != nil {
			if _, rerr := tx.Exec("ROLLBACK TO w"); rerr != nil {
				err = errors.Join(err, rerr)
			}
		}
		if _, rerr := tx.Exec("RELEASE w"); rerr != nil && err == nil {
			err = rerr
		}
	}()
	return fn(tx)
}

// exec runs one statement as a write of its own.
func (s *Store) exec(ctx context.Context, what, query string, args ...any) error {
	return s.write(ctx, func(tx wtx) error {
		if _, err := tx.ExecContext(ctx, query, args...); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		return nil
	})
}

// wtx is a write transaction whose statements are prepared once on the
// writer's connection and reused by every later transaction, instead of being
// parsed again each time (parsing was a third of an approval's CPU, measured).
// A statement first seen inside a transaction is prepared for it alone, and
// kept for good by the writer once the batch is done and the connection free.
type wtx struct {
	tx      *sql.Tx
	s       *Store
	changes *[]Change // published once the write commits
}

func (w wtx) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := w.s.stmts[query]; ok {
		return w.tx.StmtContext(ctx, st), nil
	}
	w.s.unprepared = append(w.s.unprepared, query)
	return w.tx.PrepareContext(ctx, query)
}

// ExecContext runs a statement in the transaction.
func (w wtx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := w.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

// QueryContext runs a query in the transaction.
func (w wtx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := w.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// QueryRowContext runs a query for one row in the transaction.
func (w wtx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := w.stmt(ctx, query)
	if err != nil {
		return w.tx.QueryRowContext(ctx, query, args...) // reports the same error when scanned
	}
	return st.QueryRowContext(ctx, args...)
}

// prepareSeen keeps the statements first seen in the last batch. Only the
// writer goroutine touches stmts and unprepared.
func (s *Store) prepareSeen() {
	for _, q := range s.unprepared {
		if _, ok := s.stmts[q]; ok {
			continue
		}
		st, err := s.db.Prepare(q)
		if err != nil {
			continue // it will be prepared per transaction, as the first time
		}
		s.stmts[q] = st
	}
	s.unprepared = s.unprepared[:0]
}
