package web

import (
	"fmt"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"
)

// memo keeps the results of the queue's reads for the moment: every agent's
// queue page asks the same questions (the first page of a view, the tab
// counts), and the answers only change when a ticket changes or time moves
// on. An entry is dropped by any committed change (the same signal that
// refreshes the live pages) and by each new second of the clock, since the
// overdue and due-soon views depend on it. So the cache never shows what a
// fresh read would not, except for the time a change takes to be published.
type memo struct {
	mu      sync.Mutex
	second  int64  // the clock second the entries were read in
	gen     uint64 // bumped by every forget
	entries map[string]any
	flight  singleflight.Group // concurrent misses of a key wait for one read
}

func newMemo() *memo { return &memo{entries: map[string]any{}} }

// get returns the value for key, reading it with fill when it is not there.
// Concurrent misses of a key in the same second and generation share one
// read (every agent's page misses at once when a second turns or a ticket
// changes). A read that a change overtook is returned but not kept: it may
// predate the change.
func (m *memo) get(key string, now time.Time, fill func() (any, error)) (any, error) {
	sec := now.Unix()
	m.mu.Lock()
	if sec != m.second {
		m.second = sec
		clear(m.entries)
	}
	v, ok := m.entries[key]
	gen := m.gen
	m.mu.Unlock()
	if ok {
		return v, nil
	}
	v, err, _ := m.flight.Do(fmt.Sprintf("%d %d %s", sec, gen, key), func() (any, error) {
		v, err := fill()
		if err != nil {
			return nil, err
		}
		m.mu.Lock()
		if sec == m.second && gen == m.gen {
			m.entries[key] = v
		}
		m.mu.Unlock()
		return v, nil
	})
	return v, err
}

// forget drops every entry: a ticket changed.
func (m *memo) forget() {
	m.mu.Lock()
	clear(m.entries)
	m.gen++
	m.mu.Unlock()
}
