package web

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// A read that a change overtakes must not be kept: it may be older than the change.
func TestMemoDropsReadsOvertakenByAChange(t *testing.T) {
	m := newMemo()
	now := time.Unix(1000, 0)
	k := rowsKey{lang: "zh"}
	v, _ := m.rows.get(k, now, func() (string, error) {
		m.forget() // a ticket changes while the read is under way
		return "before the change", nil
	})
	if v != "before the change" {
		t.Fatal(v)
	}
	v, _ = m.rows.get(k, now, func() (string, error) { return "after", nil })
	if v != "after" {
		t.Fatalf("the overtaken read was kept: %v", v)
	}
	v, _ = m.rows.get(k, now, func() (string, error) { return "again", nil })
	if v != "after" {
		t.Fatalf("a read nothing overtook was not kept: %v", v)
	}
	if v, _ = m.rows.get(k, now.Add(time.Second), func() (string, error) { return "next second", nil }); v != "next second" {
		t.Fatalf("kept across seconds: %v", v)
	}
}

// A change drops what every table holds, and keys of different views do not meet.
func TestMemoTables(t *testing.T) {
	m := newMemo()
	now := time.Unix(1000, 0)
	all, mine := queueKey{tab: "all"}, queueKey{tab: "mine", user: 7}
	m.counts.get(all, now, func() (int, error) { return 1, nil })
	m.counts.get(mine, now, func() (int, error) { return 2, nil })
	m.pages.get(pageKey{queueKey: all}, now, func() (queuePage, error) { return queuePage{}, nil })
	if n, _ := m.counts.get(mine, now, func() (int, error) { return 99, nil }); n != 2 {
		t.Fatalf("mine counts %d", n)
	}
	m.forget()
	for _, k := range []queueKey{all, mine} {
		if n, _ := m.counts.get(k, now, func() (int, error) { return 0, nil }); n != 0 {
			t.Fatalf("%+v kept %d after a change", k, n)
		}
	}
	if len(m.pages.entries) != 0 {
		t.Fatal("a change left pages in the memo")
	}
}

// Concurrent misses of a key share one read.
func TestMemoSharesConcurrentReads(t *testing.T) {
	m := newMemo()
	now := time.Unix(1000, 0)
	var reads atomic.Int32
	var once sync.Once
	started, release := make(chan struct{}), make(chan struct{})
	var wg sync.WaitGroup
	got := make([]int, 8)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i], _ = m.counts.get(queueKey{tab: "all"}, now, func() (int, error) {
				reads.Add(1)
				once.Do(func() { close(started) })
				<-release
				return 42, nil
			})
		}()
	}
	<-started // the others wait for this read, or find its answer kept
	close(release)
	wg.Wait()
	if n := reads.Load(); n != 1 {
		t.Fatalf("%d reads for one key", n)
	}
	for _, n := range got {
		if n != 42 {
			t.Fatalf("got %v", got)
		}
	}
}
