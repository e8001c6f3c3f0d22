package web

import (
	"testing"
	"time"
)

// A read that a change overtakes must not be kept: it may be older than the change.
func TestMemoDropsReadsOvertakenByAChange(t *testing.T) {
	m := newMemo()
	now := time.Unix(1000, 0)
	v, _ := m.get("k", now, func() (any, error) {
		m.forget() // a ticket changes while the read is under way
		return "before the change", nil
	})
	if v != "before the change" {
		t.Fatal(v)
	}
	v, _ = m.get("k", now, func() (any, error) { return "after", nil })
	if v != "after" {
		t.Fatalf("the overtaken read was kept: %v", v)
	}
	v, _ = m.get("k", now, func() (any, error) { return "again", nil })
	if v != "after" {
		t.Fatalf("a read nothing overtook was not kept: %v", v)
	}
	if v, _ = m.get("k", now.Add(time.Second), func() (any, error) { return "next second", nil }); v != "next second" {
		t.Fatalf("kept across seconds: %v", v)
	}
}
