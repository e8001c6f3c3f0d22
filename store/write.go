package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/anxin-helpdesk/anxin"
)

// Writes. Every use case that writes is one transaction, opened by the
// exported method (Store.write) and passed as an argument to the private
// helpers it calls: decide(ctx, tx, ...), insertEvent(ctx, tx, ...). A use
// case made of others (an intake that refunds at once, a photo that resumes
// a clock, the scheduler's sweep, an idempotent API request) calls their
// helpers with its own tx. Nothing finds a transaction any other way.
//
// Group commit. One goroutine owns the write connection. It takes the write
// requests that have queued, runs each inside a savepoint of one shared
// transaction (a request that fails rolls back only itself) and commits once:
// one fsync for the whole batch instead of one per request.
//
// A request's statements run on a context its caller cannot cancel: SQLite
// answers an interrupted statement by rolling back the whole transaction,
// which would take every other request of the batch with it. A caller that
// gives up before its request is taken leaves nothing behind; once taken, the
// request runs to its end, commits or rolls back with its batch, and the
// caller is told which.
//
// People go first. Background work (the scheduler's sweeps) queues apart,
// and a batch takes at most one background request, only after every
// person's request that was waiting: a backlog of thousands of timeouts is
// worked through in slices between the clicks, never ahead of them.

// DefaultMaxBatch bounds a batch, so that one commit does not hold many
// answers back.
const DefaultMaxBatch = 64

var errClosed = errors.New("store: closed")

// ErrNestedWrite is a write asked for from inside another write: a use case
// that called an exported store method instead of the private helper that
// takes its tx. It would wait forever for the writer it is running on.
var ErrNestedWrite = errors.New("store: a write inside a write (call the helper with its tx)")

// inWrite marks the context a write's statements run on, so that a write
// asked for with it is known to be nested. It carries no transaction.
type inWrite struct{}

// errBroken is a batch whose transaction is no longer the one it began: a
// savepoint could not be rolled back to or released, which is what SQLite
// does after it rolled the whole transaction back by itself (disk full, I/O
// error). Nothing of the batch is kept.
var errBroken = errors.New("store: the write transaction failed")

// writeFunc is a use case's body: its statements run in tx, on ctx.
type writeFunc func(ctx context.Context, tx *wtx) error

type writeReq struct {
	ctx  context.Context // the caller's, for its values and to see it gave up before the request ran
	fn   writeFunc
	done chan error
}

// write runs fn in a write transaction of its own, committed when write
// returns nil and gone when it returns an error. fn must do nothing but
// database work (no network calls, no waiting), must use only the ctx and
// tx it is given, and is not called again: its results are final.
func (s *Store) write(ctx context.Context, fn writeFunc) error {
	return s.observed(false, func() error { return s.enqueue(ctx, s.writes, fn) })
}

// writeBackground is write for the system's own work, which waits while
// people's writes are queued (see above).
func (s *Store) writeBackground(ctx context.Context, fn writeFunc) error {
	return s.observed(true, func() error { return s.enqueue(ctx, s.background, fn) })
}

// observed runs a write and tells the observer, if any, how long it took.
func (s *Store) observed(background bool, write func() error) error {
	if s.cfg.Observer == nil {
		return write()
	}
	start := time.Now()
	err := write()
	s.cfg.Observer.Write(background, time.Since(start))
	return err
}

func (s *Store) enqueue(ctx context.Context, queue chan writeReq, fn writeFunc) error {
	if ctx.Value(inWrite{}) != nil {
		return ErrNestedWrite
	}
	req := writeReq{ctx: ctx, fn: fn, done: make(chan error, 1)}
	select {
	case queue <- req:
	case <-ctx.Done():
		return ctx.Err() // never taken: nothing was written
	case <-s.closing:
		return errClosed
	}
	return <-req.done // taken: the answer is what the batch did
}

// writer is the one goroutine that writes. It ends when closing is closed,
// after answering every request it took.
func (s *Store) writer() {
	defer close(s.writerDone)
	for {
		// People first: a background request is taken only when no
		// person's request is waiting, and runs in a batch of its own.
		select {
		case r := <-s.writes:
			s.commitBatch(s.drain(r))
		default:
			select {
			case r := <-s.writes:
				s.commitBatch(s.drain(r))
			case r := <-s.background:
				s.commitBatch([]writeReq{r})
			case <-s.closing:
				return
			}
		}
		s.prepareSeen()
	}
}

// drain makes a batch of first and the people's requests queued behind it.
func (s *Store) drain(first writeReq) []writeReq {
	batch := []writeReq{first}
	for len(batch) < s.cfg.MaxBatch {
		select {
		case r := <-s.writes:
			batch = append(batch, r)
		default:
			return batch
		}
	}
	return batch
}

func (s *Store) commitBatch(batch []writeReq) {
	errs := make([]error, len(batch))
	defer func() {
		for i, r := range batch {
			r.done <- errs[i]
		}
	}()
	fail := func(err error) {
		for i := range errs {
			if errs[i] == nil {
				errs[i] = err
			}
		}
	}
	began := time.Now()
	sqltx, err := s.db.BeginTx(context.Background(), nil)
	if err != nil {
		fail(fmt.Errorf("store: begin: %w", err))
		return
	}
	if s.pg {
		// The nodes' batches take turns (engine.go).
		if _, err := sqltx.ExecContext(context.Background(), `SELECT pg_advisory_xact_lock(?)`, writerLock); err != nil {
			sqltx.Rollback()
			fail(fmt.Errorf("store: begin: %w", err))
			return
		}
	}
	var done []*wtx
	opened := false // a request's savepoint is open: the next one releases it
	for i, r := range batch {
		if errs[i] = r.ctx.Err(); errs[i] != nil {
			continue // its caller gave up before it ran
		}
		tx := &wtx{tx: sqltx, s: s, now: s.now()}
		ctx := context.WithValue(context.WithoutCancel(r.ctx), inWrite{}, true)
		if len(batch) == 1 {
			// Alone in its transaction: failing, it rolls the transaction
			// back, and needs no savepoint (each costs a copy of every page
			// written under it).
			errs[i] = recovered(func() error { return r.fn(ctx, tx) })
		} else {
			errs[i] = tx.requestSavepoint(ctx, opened, func() error { return r.fn(ctx, tx) })
			opened = true
		}
		if errors.Is(errs[i], errBroken) {
			sqltx.Rollback()
			s.hooks.failed()
			fail(errBroken)
			return
		}
		if errs[i] == nil {
			done = append(done, tx)
		}
	}
	if len(done) == 0 {
		sqltx.Rollback()
		return
	}
	var notices []Notice
	var wake wakeups
	for _, tx := range done {
		notices = append(notices, tx.notices...)
		wake |= tx.wake
	}
	if s.pg {
		// The other nodes hear of it when it commits (notify.go).
		if err := s.notifyOthers(context.Background(), sqltx, notices, wake); err != nil {
			sqltx.Rollback()
			s.hooks.failed()
			fail(fmt.Errorf("store: notify: %w", err))
			return
		}
	}
	if err := sqltx.Commit(); err != nil {
		s.hooks.failed()
		fail(fmt.Errorf("store: commit: %w", err))
		return
	}
	if s.cfg.Observer != nil {
		s.cfg.Observer.Commit(len(done), time.Since(began))
	}
	s.hooks.committed(wake)
	s.hub.publish(notices)
}

// wtx is one use case's write transaction: the batch's *sql.Tx, the moment
// the use case runs at, and the notices of what it will have changed once committed.
//
// Its statements are prepared once on the writer's connection and reused by
// every later transaction, instead of being parsed again each time (parsing
// was a third of an approval's CPU, measured). A statement first seen inside
// a transaction is prepared for it alone, and kept for good by the writer
// once the batch is done and the connection free.
type wtx struct {
	tx      *sql.Tx
	s       *Store
	now     time.Time // the use case's "now", read once from the store's clock
	notices []Notice  // published once the write commits
	wake    wakeups   // background workers to wake once it commits
}

// savepoint runs fn inside a savepoint, rolling back to it when fn fails or
// panics: only fn's statements are undone, and the notices fn gave are
// forgotten. A savepoint that cannot be rolled back to or released means
// the transaction itself is gone: errBroken.
func (tx *wtx) savepoint(ctx context.Context, fn func() error) error {
	err := tx.undoable(ctx, "SAVEPOINT w", "ROLLBACK TO w", fn)
	if errors.Is(err, errBroken) {
		return err
	}
	if _, rerr := tx.tx.ExecContext(ctx, "RELEASE w"); rerr != nil {
		return fmt.Errorf("%w: release savepoint: %w", errBroken, rerr)
	}
	return err
}

// requestSavepoint runs one request of a batch inside savepoint r, as
// savepoint does, but leaves it open: the next request's statement releases
// it with the one that makes its own, and the commit releases the last. A
// request costs the batch one round trip to the database for its savepoint
// instead of two (PostgreSQL's round trips are what a batch's requests wait
// for one after another).
func (tx *wtx) requestSavepoint(ctx context.Context, releasePrevious bool, fn func() error) error {
	begin := "SAVEPOINT r"
	if releasePrevious {
		begin = "RELEASE r; SAVEPOINT r"
	}
	return tx.undoable(ctx, begin, "ROLLBACK TO r", fn)
}

// undoable runs begin (which makes a savepoint), then fn, and rollback
// when fn fails or panics, forgetting the notices fn gave. A begin or a
// rollback that fails means the transaction itself is gone: errBroken.
func (tx *wtx) undoable(ctx context.Context, begin, rollback string, fn func() error) (err error) {
	if _, err := tx.tx.ExecContext(ctx, begin); err != nil {
		return fmt.Errorf("%w: savepoint: %w", errBroken, err)
	}
	noted := len(tx.notices)
	defer func() {
		if err != nil {
			tx.notices = tx.notices[:noted]
			if _, rerr := tx.tx.ExecContext(ctx, rollback); rerr != nil {
				err = fmt.Errorf("%w: rollback to savepoint: %w (after %w)", errBroken, rerr, err)
			}
		}
	}()
	return recovered(fn)
}

// recovered runs fn, turning a panic into an error: a bug in one write must
// not take the writer, and every write after it, down.
func recovered(fn func() error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("store: write panicked: %v", p)
		}
	}()
	return fn()
}

func (tx *wtx) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := tx.s.stmts[query]; ok {
		return tx.tx.StmtContext(ctx, st), nil
	}
	tx.s.unprepared = append(tx.s.unprepared, query)
	return tx.tx.PrepareContext(ctx, query)
}

// ExecContext runs a statement in the transaction.
func (tx *wtx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := tx.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

// QueryContext runs a query in the transaction.
func (tx *wtx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := tx.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// QueryRowContext runs a query for one row in the transaction.
func (tx *wtx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := tx.stmt(ctx, query)
	if err != nil {
		return tx.tx.QueryRowContext(ctx, query, args...) // reports the same error when scanned
	}
	return st.QueryRowContext(ctx, args...)
}

// notify notes that a ticket changed; the writer publishes the notice once
// the write commits.
func (tx *wtx) notify(t anxin.Ticket, kind NoticeKind) {
	tx.notices = append(tx.notices, Notice{TicketID: t.ID, MerchantID: t.MerchantID, Kind: kind})
}

// exec runs one statement as a write of its own.
func (s *Store) exec(ctx context.Context, what, query string, args ...any) error {
	return s.write(ctx, func(ctx context.Context, tx *wtx) error {
		if _, err := tx.ExecContext(ctx, query, args...); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		return nil
	})
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

// insertID runs an INSERT ... RETURNING id in the transaction and returns
// the new row's id (both engines; PostgreSQL has no last insert id).
func (tx *wtx) insertID(ctx context.Context, query string, args ...any) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, query, args...).Scan(&id)
	return id, err
}
