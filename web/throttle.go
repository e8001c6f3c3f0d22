package web

import (
	"sync"
	"time"
)

// throttle slows password guessing: after `free` failures within the window
// the next attempt waits `base`, and each further failure doubles the wait
// (up to `max`). It is kept per account and per address; it
// answers the same whether or not the account exists.
type throttle struct {
	mu     sync.Mutex
	free   int
	window time.Duration
	base   time.Duration
	max    time.Duration
	tries  map[string]*tries
}

type tries struct {
	fails int
	first time.Time // of the current window
	until time.Time // no attempt is heard before this
}

func newThrottle(free int, window, base, max time.Duration) *throttle {
	return &throttle{free: free, window: window, base: base, max: max, tries: map[string]*tries{}}
}

// wait says how long the key must wait before its next attempt is heard.
func (t *throttle) wait(key string, now time.Time) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	if tr, ok := t.tries[key]; ok && now.Before(tr.until) {
		return tr.until.Sub(now)
	}
	return 0
}

// fail records a failed attempt.
func (t *throttle) fail(key string, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.tries) > 100000 {
		t.sweep(now)
	}
	tr, ok := t.tries[key]
	if !ok || now.Sub(tr.first) > t.window {
		tr = &tries{first: now}
		t.tries[key] = tr
	}
	tr.fails++
	if over := tr.fails - t.free + 1; over > 0 {
		d := t.base << min(over-1, 20)
		tr.until = now.Add(min(d, t.max))
	}
}

// succeed forgets the key's failures.
func (t *throttle) succeed(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.tries, key)
}

// sweep drops what no longer counts. t.mu is held.
func (t *throttle) sweep(now time.Time) {
	for k, tr := range t.tries {
		if now.Sub(tr.first) > t.window && now.After(tr.until) {
			delete(t.tries, k)
		}
	}
}
