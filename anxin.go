// Package anxin is the after-sales domain of the Anxin helpdesk: the services
// and their policies, the ticket states and the transitions between them, the
// deadlines each state runs, claim eligibility and the money rules.
//
// It does no I/O. The store persists what it decides, the web package shows
// it, and every moment it needs comes from a Clock so that tests can set time.
package anxin

import (
	"sync"
	"time"
)

// Clock tells the time. Deadlines are always computed from a Clock, never from
// time.Now directly, so that tests and the scheduler agree on what "now" is.
type Clock interface {
	Now() time.Time
}

// SystemClock is the wall clock, in UTC.
type SystemClock struct{}

// Now returns the current time in UTC.
func (SystemClock) Now() time.Time { return time.Now().UTC() }

// ManualClock is a Clock that only moves when told to. It is safe for
// concurrent use, so a test can advance it while a server reads it.
type ManualClock struct {
	mu  sync.Mutex
	now time.Time
}

// NewManualClock returns a ManualClock set to t.
func NewManualClock(t time.Time) *ManualClock { return &ManualClock{now: t.UTC()} }

// Now returns the clock's current time.
func (c *ManualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Set moves the clock to t.
func (c *ManualClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t.UTC()
}

// Advance moves the clock forward by d.
func (c *ManualClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}
