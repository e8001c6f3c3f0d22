package web

import (
	"errors"
	"sync"
	"time"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store"
	"github.com/anxin-helpdesk/anxin/views"
)

// memo keeps the results of the queue's reads for the moment: every agent's
// queue page asks the same questions (the first page of a view, the tab
// counts), and the answers only change when a ticket changes or time moves
// on. An entry is dropped by any committed change (the same signal that
// refreshes the live pages) and by each new second of the clock, since the
// overdue and due-soon views depend on it. So the cache never shows what a
// fresh read would not, except for the time a change takes to be published.
//
// Each kind of answer has its own table, with a key type that says what
// the answer depends on.
type memo struct {
	mu     sync.Mutex
	second int64  // the clock second the entries were read in
	gen    uint64 // bumped by every forget

	counts    memoTable[queueKey, int]              // a tab's count
	pages     memoTable[pageKey, queuePage]         // a page of tickets
	rows      memoTable[rowsKey, string]            // the page's live region, rendered
	merchants memoTable[struct{}, []anxin.Merchant] // the merchant filter's choices
	agents    memoTable[struct{}, []anxin.User]     // the assignee filter's choices
	clears    []func()                              // one per table; m.mu held
}

// queueKey names a view of the queue: its tab, the filter before the tab's
// own conditions (the scope among them; the time-based ones follow from the
// memo's second), and the user for the tab that depends on one.
type queueKey struct {
	tab  string
	user int64 // for "mine" only
	base store.QueueFilter
}

func queueKeyOf(tab string, base store.QueueFilter, u *anxin.User) queueKey {
	k := queueKey{tab: tab, base: base}
	if tab == "mine" {
		k.user = u.ID
	}
	return k
}

// pageKey names a page of a view.
type pageKey struct {
	queueKey
	after store.QueueCursor
}

// rowsKey names a page's live region as one kind of viewer sees it in one
// language. The filter as the URL has it is part of it: the region's links
// keep it.
type rowsKey struct {
	pageKey
	filter views.QueueFilter
	lang   string
	role   anxin.Role
}

func newMemo() *memo {
	m := &memo{}
	m.counts.init(m)
	m.pages.init(m)
	m.rows.init(m)
	m.merchants.init(m)
	m.agents.init(m)
	return m
}

// forget drops every entry: a ticket changed.
func (m *memo) forget() {
	m.mu.Lock()
	m.clearLocked()
	m.gen++
	m.mu.Unlock()
}

func (m *memo) clearLocked() {
	for _, clear := range m.clears {
		clear()
	}
}

// memoTable is one kind of answer the memo keeps.
type memoTable[K comparable, V any] struct {
	m       *memo
	entries map[K]V
	reads   map[readKey[K]]*memoRead[V] // under way
}

// readKey names a read under way: concurrent misses of a key in the same
// second and generation share it.
type readKey[K comparable] struct {
	second int64
	gen    uint64
	key    K
}

type memoRead[V any] struct {
	done chan struct{}
	v    V
	err  error
}

var errReadPanicked = errors.New("web: a queue read panicked")

func (t *memoTable[K, V]) init(m *memo) {
	t.m, t.entries, t.reads = m, map[K]V{}, map[readKey[K]]*memoRead[V]{}
	m.clears = append(m.clears, func() { clear(t.entries) })
}

// get returns the value for key, reading it with fill when it is not there.
// Concurrent misses of a key in the same second and generation share one
// read (every agent's page misses at once when a second turns or a ticket
// changes). A read that a change overtook is returned but not kept: it may
// predate the change.
func (t *memoTable[K, V]) get(key K, now time.Time, fill func() (V, error)) (V, error) {
	m, sec := t.m, now.Unix()
	m.mu.Lock()
	if sec != m.second {
		m.second = sec
		m.clearLocked()
	}
	if v, ok := t.entries[key]; ok {
		m.mu.Unlock()
		return v, nil
	}
	rk := readKey[K]{second: sec, gen: m.gen, key: key}
	if r, ok := t.reads[rk]; ok {
		m.mu.Unlock()
		<-r.done
		return r.v, r.err
	}
	r := &memoRead[V]{done: make(chan struct{}), err: errReadPanicked}
	t.reads[rk] = r
	m.mu.Unlock()
	defer func() {
		m.mu.Lock()
		delete(t.reads, rk)
		if r.err == nil && sec == m.second && rk.gen == m.gen {
			t.entries[key] = r.v
		}
		m.mu.Unlock()
		close(r.done)
	}()
	r.v, r.err = fill()
	return r.v, r.err
}
