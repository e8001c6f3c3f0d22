package store

import (
	"sync"
	"sync/atomic"

	"github.com/anxin-helpdesk/anxin"
)

// wakeups are the background workers a committed write has work for.
type wakeups uint8

const (
	wakeOutbox    wakeups = 1 << iota // webhook deliveries were written
	wakeRefunds                       // a refund was recorded or retried
	staleSessions                     // users or merchants changed: cached logins may show them as they were
	staleWebhooks                     // webhooks changed: the cached list of active ones is not theirs
)

// hooks are the store's wake-ups for the background workers and its small
// caches.
type hooks struct {
	outbox     chan struct{} // a commit wrote webhook deliveries
	refunds    chan struct{} // a commit recorded or retried a refund
	keyTouched sync.Map      // API key id -> unix ms of the last recorded use
	// webhooks caches the active endpoints for the outbox, which looks at
	// them in every write. Webhooks change only through this store's writer,
	// which drops the cache inside the changing write: the next write that
	// needs it reads it again, within its own transaction.
	webhooks atomic.Pointer[[]anxin.Webhook]
	sessions sessionCache
}

func newHooks() *hooks {
	return &hooks{outbox: make(chan struct{}, 1), refunds: make(chan struct{}, 1),
		sessions: sessionCache{m: map[string]cachedSession{}}}
}

// committed runs on the writer after a write committed: it wakes the
// workers whose work the write made.
func (h *hooks) committed(w wakeups) {
	if w&wakeOutbox != 0 {
		signal(h.outbox)
	}
	if w&wakeRefunds != 0 {
		signal(h.refunds)
	}
	if w&staleSessions != 0 {
		h.sessions.drop()
	}
	if w&staleWebhooks != 0 {
		h.webhooks.Store(nil)
	}
}

func signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// failed runs on the writer after a batch failed: what its writes cached
// is gone with them.
func (h *hooks) failed() { h.webhooks.Store(nil); h.sessions.drop() }

// OutboxReady receives after a commit that wrote webhook deliveries.
func (s *Store) OutboxReady() <-chan struct{} { return s.hooks.outbox }

// RefundsReady receives after a commit that recorded or retried a refund.
func (s *Store) RefundsReady() <-chan struct{} { return s.hooks.refunds }
