package store

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/anxin-helpdesk/anxin"
)

// Composed writes. A use case that must be one transaction but is made of
// store methods that each write (an API intake: the ticket, its instant
// refund and the idempotency record; the scheduler's batch of timeouts)
// runs them with a context from join: their writes then run inside the
// write in progress, each in a savepoint of its own, instead of queueing for
// the writer goroutine (which is busy running them). A failing method rolls
// back only its own savepoint, exactly as group commit treats separate
// writes, but the order is the caller's and the commit is shared.
//
// The joined context must not outlive the write that made it, and nothing
// run with it may do I/O beyond the database.

type joinKey struct{}

func join(ctx context.Context, tx wtx) context.Context { return context.WithValue(ctx, joinKey{}, tx) }

func joined(ctx context.Context, s *Store) (wtx, bool) {
	tx, ok := ctx.Value(joinKey{}).(wtx)
	return tx, ok && tx.s == s
}

// writeEach runs fn(ctx, i) for i in [0, n) in order in one write; the
// writes fn makes with ctx each get their own savepoint (no extra one here:
// every savepoint level costs a copy of each page it changes). errs[i] is
// what fn i returned, err what the write did.
func (s *Store) writeEach(ctx context.Context, n int, fn func(ctx context.Context, i int) error) (errs []error, err error) {
	errs = make([]error, n)
	err = s.write(ctx, func(tx wtx) error {
		in := join(ctx, tx)
		for i := range n {
			errs[i] = fn(in, i)
		}
		return nil
	})
	if err != nil {
		for i := range errs {
			if errs[i] == nil {
				errs[i] = err
			}
		}
	}
	return errs, err
}

// hooks are the store's wake-ups for the background workers and its small
// caches. The zero value is ready; channels are made on first use.
type hooks struct {
	once           sync.Once
	outbox         chan struct{} // a commit wrote webhook deliveries
	refunds        chan struct{} // a commit recorded or retried a refund
	pendingOutbox  atomic.Bool
	pendingRefunds atomic.Bool
	keyTouched     sync.Map // API key id -> unix ms of the last recorded use
	// webhooks caches the active endpoints for the outbox, which looks at
	// them in every write. Webhooks change only through this store's writer,
	// which drops the cache inside the changing write: the next write that
	// needs it reads it again, within its own transaction.
	webhooks atomic.Pointer[[]anxin.Webhook]
}

func (h *hooks) init() {
	h.once.Do(func() {
		h.outbox = make(chan struct{}, 1)
		h.refunds = make(chan struct{}, 1)
	})
}

// committed runs on the writer after each commit: it wakes the workers whose
// work the batch made. A batch rolled back after setting a flag only causes
// a wake-up that finds nothing.
func (h *hooks) committed() {
	h.init()
	if h.pendingOutbox.Swap(false) {
		select {
		case h.outbox <- struct{}{}:
		default:
		}
	}
	if h.pendingRefunds.Swap(false) {
		select {
		case h.refunds <- struct{}{}:
		default:
		}
	}
}

// failed runs on the writer after a commit failed: what the batch cached
// from its own writes is gone with them.
func (h *hooks) failed() { h.webhooks.Store(nil) }

// OutboxReady receives after a commit that wrote webhook deliveries.
func (s *Store) OutboxReady() <-chan struct{} { s.hooks.init(); return s.hooks.outbox }

// RefundsReady receives after a commit that recorded or retried a refund.
func (s *Store) RefundsReady() <-chan struct{} { s.hooks.init(); return s.hooks.refunds }
