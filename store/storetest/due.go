package storetest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"time"

	"github.com/anxin-helpdesk/anxin"
)

// DueDatabase returns dir/anxin-due-<n>.db, a database of n open tickets
// whose deadlines all passed in the three days before now and whose states
// act by themselves, building it on first use: the scheduler's catch-up
// after an outage. Most are pending the merchant (auto-approve,
// auto-refund or escalate, by service), the rest await receipt (auto-receive)
// or the buyer (close).
func DueDatabase(ctx context.Context, dir string, n int) (string, error) {
	path := filepath.Join(dir, fmt.Sprintf("anxin-due-%d.db", n))
	return buildOnce(ctx, path, "due", func(tmp string, merchants []int64) error {
		return fillDue(ctx, tmp, merchants, n)
	})
}

func fillDue(ctx context.Context, path string, merchants []int64, n int) (err error) {
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=synchronous(OFF)")
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, db.Close()) }()
	db.SetMaxOpenConns(1)
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO tickets (merchant_id, service, state, version, state_since,
		deadline, due_at, auto_at, order_id, product, paid_fen, ordered_at, shipped_at, received_at, buyer_name,
		buyer_phone, reason, requested_fen, payable_fen, refunded_fen, created_at, updated_at)
		VALUES (?, ?, ?, 2, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '买家', ?, '', ?, ?, 0, ?, ?)`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	rng := rand.New(rand.NewPCG(3, 4))
	now := Epoch.UnixMilli()
	const hour = int64(time.Hour / time.Millisecond)
	// Services whose claims need no opt-in; the order is received.
	services := []anxin.ServiceKey{anxin.NoReason7d, anxin.QualityReturn, anxin.Damaged, anxin.FreshSpoiled,
		anxin.Authentic, anxin.PriceProtect}
	for i := range n {
		svc := services[rng.IntN(len(services))]
		state := anxin.PendingMerchant
		switch r := rng.IntN(20); {
		case r < 4:
			state = anxin.AwaitingReceipt
		case r < 6:
			state = anxin.AwaitingReturn
		case r == 6:
			state = anxin.NeedsEvidence
		case r == 7:
			state = anxin.Rejected
		}
		deadline := now - rng.Int64N(72*hour) - 1000
		since := deadline - 48*hour
		paid := 1000 + rng.Int64N(200000)
		svcDef, _ := anxin.LookupService(svc)
		requested := int64(0)
		if svc == anxin.PriceProtect {
			requested = paid / 10
		}
		payable, err := svcDef.Default.Payable(paid, requested)
		if err != nil {
			return err
		}
		if requested == 0 {
			requested = payable
		}
		received := since - 24*hour
		if _, err := stmt.ExecContext(ctx, merchants[rng.IntN(len(merchants))], string(svc), string(state), since,
			deadline, deadline, deadline, fmt.Sprintf("DUE%09d", i), "压测商品", paid, received-72*hour, received-48*hour,
			received, fmt.Sprintf("139%08d", rng.IntN(1e8)), requested, payable, since, since); err != nil {
			return err
		}
	}
	// The planner's statistics are gathered as for any database: when
	// buildOnce opens the store again.
	return tx.Commit()
}
