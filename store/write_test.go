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

// commits records the batches the writer committed.
type commits struct {
	mu      sync.Mutex
	batches []int
}

func (c *commits) Write(bool, time.Duration) {}

func (c *commits) Commit(writes int, _ time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.batches = append(c.batches, writes)
}

// TestAFailedWriteInABatchUndoesOnlyItself: writes that queue while the
// writer is busy share one transaction; one of them failing (after its
// statement ran) undoes its statement and nothing else, wherever it falls
// in the batch, and its caller alone hears of it.
func TestAFailedWriteInABatchUndoesOnlyItself(t *testing.T) {
	seen := &commits{}
	cfg := storetest.Config(anxin.NewManualClock(storetest.Epoch))
	cfg.Observer = seen
	s := storetest.MustOpenWith(t, t.TempDir()+"/anxin.db", cfg)
	refused := errors.New("refused by its use case")
	const writes = 7
	failing := map[int]bool{0: true, 3: true, 4: true, 6: true} // the first, two in a row, the last

	release := store.HoldWriter(s)
	errs := make([]error, writes)
	var wg sync.WaitGroup
	for i := range writes {
		var fail error
		if failing[i] {
			fail = refused
		}
		wg.Go(func() {
			errs[i] = store.WriteStatement(s, fail, `INSERT INTO merchants (code, name, created_at) VALUES (?, ?, 0)`,
				fmt.Sprintf("B%d", i), fmt.Sprintf("batch %d", i))
		})
		// Each queues before the next is asked for: the writer takes
		// waiting writes first come, first served, so the batch holds
		// them in this order.
		waitQueued(t, i+1)
	}
	release()
	wg.Wait()

	for i, err := range errs {
		if failing[i] != errors.Is(err, refused) || !failing[i] && err != nil {
			t.Errorf("write %d: %v", i, err)
		}
	}
	var codes []string
	rows, err := storetest.DB(t, s).Query(`SELECT code FROM merchants WHERE code LIKE 'B%' ORDER BY code`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			t.Fatal(err)
		}
		codes = append(codes, c)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(codes) != "[B1 B2 B5]" {
		t.Errorf("kept %v, want the writes that did not fail: [B1 B2 B5]", codes)
	}
	seen.mu.Lock()
	defer seen.mu.Unlock()
	if want := []int{1, writes - len(failing)}; fmt.Sprint(seen.batches) != fmt.Sprint(want) {
		t.Errorf("batches committed %v, want %v: the held write, then the queued ones together", seen.batches, want)
	}
}

// waitQueued waits until n writes wait for the writer.
func waitQueued(t *testing.T, n int) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); store.QueuedWrites() < n; {
		if time.Now().After(deadline) {
			t.Fatalf("%d writes queued after 30 s, want %d", store.QueuedWrites(), n)
		}
		time.Sleep(time.Millisecond)
	}
}
