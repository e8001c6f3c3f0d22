package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store"
	"github.com/anxin-helpdesk/anxin/store/storetest"
)

// TestCancelledWritesHarmNoOneElse: a request that gives up while its
// statement runs, in a batch with others' writes (a closed tab, a client
// timeout), changes nothing for the others, and every caller is told the
// truth: nil when its write is stored, an error when it is not.
func TestCancelledWritesHarmNoOneElse(t *testing.T) {
	storetest.SQLiteOnly(t, "the statement is interrupted by a function registered in SQLite")
	s, _ := storetest.MustOpen(t)
	m := storetest.MustMerchant(t, s, "义乌优品家居百货")
	tk := storetest.MustTicket(t, s, m.ID, anxin.Damaged, 3990)
	agent := storetest.MustUser(t, s, anxin.RoleAgent, "王晓", 0).Actor()

	// Agents keep writing notes, 32 at a time, so that every batch has
	// neighbours queued before and after the request that gives up.
	type result struct {
		body string
		err  error
	}
	var mu sync.Mutex
	var notes []result
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 32 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				body := fmt.Sprintf("note %d-%d", w, i)
				_, err := s.AddNote(context.Background(), tk.ID, agent, body, false)
				mu.Lock()
				notes = append(notes, result{body, err})
				mu.Unlock()
			}
		})
	}
	// Five requests are cancelled while their statement runs.
	const rounds = 5
	cancelled := make([]error, rounds)
	for r := range rounds {
		ctx, cancel := context.WithCancel(context.Background())
		hook := fmt.Sprintf("cancel-%d", r)
		store.OnSQLHook(hook, cancel)
		cancelled[r] = store.HookedWrite(s, ctx, hook, fmt.Sprintf("given-up-%d", r))
		cancel()
	}
	close(stop)
	wg.Wait()

	kept, err := s.Notes(context.Background(), anxin.AllMerchants(), tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	stored := map[string]bool{}
	for _, n := range kept {
		stored[n.Body] = true
	}
	for _, r := range notes {
		switch {
		case r.err != nil && stored[r.body]:
			t.Errorf("%s: told %v, but it is stored", r.body, r.err)
		case r.err != nil:
			t.Errorf("%s: nobody cancelled it, yet it failed: %v", r.body, r.err)
		case !stored[r.body]:
			t.Errorf("%s: told it was stored, but it is not", r.body)
		}
	}
	// The cancelled requests had been taken by the writer: each ran to its
	// end and was committed with its batch, and its caller was told so.
	for r, err := range cancelled {
		_, lookup := s.MerchantByCode(context.Background(), fmt.Sprintf("given-up-%d", r))
		if err != nil || lookup != nil {
			t.Errorf("cancelled request %d: told %v; stored: %v", r, err, lookup == nil)
		}
	}
	t.Logf("%d notes beside %d requests cancelled mid-statement", len(notes), rounds)
}

// TestWriteInsideAWrite: a store write asked for from inside another
// write (a use case calling an exported method instead of its helper) is
// refused at once instead of waiting forever for the writer it runs on.
func TestWriteInsideAWrite(t *testing.T) {
	s, _ := storetest.MustOpen(t)
	done := make(chan error, 1)
	go func() { done <- store.NestedWrite(s, context.Background()) }()
	select {
	case err := <-done:
		if !errors.Is(err, store.ErrNestedWrite) {
			t.Fatalf("a write inside a write: %v, want ErrNestedWrite", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("a write inside a write blocked the writer")
	}
	// The writer is still there for everyone else.
	if _, err := s.CreateMerchant(context.Background(), anxin.Merchant{Code: "after", Name: "之后"}); err != nil {
		t.Fatal(err)
	}
}
