package store_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store"
	"github.com/anxin-helpdesk/anxin/store/storetest"
)

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
		// Queued in this order, most likely: the writer takes waiting
		// writes first come, first served. What is checked holds in any
		// order.
		time.Sleep(20 * time.Millisecond)
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
