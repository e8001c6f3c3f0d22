package store

import (
	"sync"
)

// Notice tells the workbench's live queue and ticket pages that a ticket
// changed. Notices are published only after their transaction commits, so a
// listener that reads the ticket sees the change. (What a decision changes
// on a ticket is the domain's anxin.Change.)
type Notice struct {
	TicketID   int64
	MerchantID int64
	Kind       NoticeKind
	// UserID is set on a notice for one user's pages only (NoticeUnread),
	// which tells nobody else anything.
	UserID int64
	Unread int // NoticeUnread: the user's unread alerts now
}

// NoticeKind is what changed about a ticket.
type NoticeKind string

const (
	NoticeCreated  NoticeKind = "created"
	NoticeState    NoticeKind = "state"
	NoticeAssigned NoticeKind = "assigned"
	NoticeNote     NoticeKind = "note" // a comment, shared with the merchant
	// NoticeInternalNote is a note internal to the staff: a merchant's
	// pages are not told of it.
	NoticeInternalNote NoticeKind = "internal_note"
	NoticeEvidence     NoticeKind = "evidence"
	NoticeAlert        NoticeKind = "alert"
	// NoticeUnread is for one user: their count of unread alerts changed.
	NoticeUnread NoticeKind = "unread"
)

// noticeHub fans committed notices out to subscribers. A subscriber that
// does not keep up loses notices rather than slowing the writer down; its
// channel is buffered for bursts.
type noticeHub struct {
	mu   sync.Mutex
	subs map[chan []Notice]struct{}
}

// Subscribe returns a channel of the notices of committed writes (in
// batches, as they were committed) and a function that ends the subscription.
func (s *Store) Subscribe() (<-chan []Notice, func()) {
	ch := make(chan []Notice, 256)
	s.hub.mu.Lock()
	if s.hub.subs == nil {
		s.hub.subs = map[chan []Notice]struct{}{}
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

func (h *noticeHub) publish(notices []Notice) {
	if len(notices) == 0 {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for ch := range h.subs {
		select {
		case ch <- notices:
		default: // a slow listener misses this batch
		}
	}
}
