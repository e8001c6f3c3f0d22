package store

import (
	"sync"
)

// Change says that a ticket changed: the workbench's live queue and ticket
// pages listen for them. Changes are published only after their transaction
// commits, so a listener that reads the ticket sees the change.
type Change struct {
	TicketID   int64
	MerchantID int64
	Kind       ChangeKind
}

// ChangeKind is what changed about a ticket.
type ChangeKind string

const (
	ChangeCreated  ChangeKind = "created"
	ChangeState    ChangeKind = "state"
	ChangeAssigned ChangeKind = "assigned"
	ChangeNote     ChangeKind = "note"
	ChangeEvidence ChangeKind = "evidence"
)

// changeHub fans committed changes out to subscribers. A subscriber that
// does not keep up loses changes rather than slowing the writer down; its
// channel is buffered for bursts.
type changeHub struct {
	mu   sync.Mutex
	subs map[chan []Change]struct{}
}

// Subscribe returns a channel of committed changes (in batches, as they were
// committed) and a function that ends the subscription.
func (s *Store) Subscribe() (<-chan []Change, func()) {
	ch := make(chan []Change, 256)
	s.hub.mu.Lock()
	if s.hub.subs == nil {
		s.hub.subs = map[chan []Change]struct{}{}
	}
	s.hub.subs[ch] = struct{}{}
	s.hub.mu.Unlock()
	var once sync.Once
	return ch, func() {
		once.Do(func() {
			s.hub.mu.Lock()
			delete(s.hub.subs, ch)
			s.hub.mu.Unlock()
			close(ch)
		})
	}
}

func (h *changeHub) publish(changes []Change) {
	if len(changes) == 0 {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for ch := range h.subs {
		select {
		case ch <- changes:
		default: // a slow listener misses this batch
		}
	}
}
