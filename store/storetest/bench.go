package storetest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store"
)

// BenchDatabase returns dir/anxin-<n>.db, a database of n tickets for
// benchmarks, building it on first use (a million tickets take a minute or
// so). About 30% of the tickets are open, with deadlines from three days
// overdue to five days ahead; the rest are refunded or closed. They belong
// to 50 merchants, over the nine services, and an agent (user 1) exists.
func BenchDatabase(ctx context.Context, dir string, n int) (string, error) {
	// v2: buyers, products and reasons vary, and the search index is built.
	// v3: the decided tickets have their decisions (by 20 agents), refunds
	// and first actions, for the reports.
	path := filepath.Join(dir, fmt.Sprintf("anxin-v3-%d.db", n))
	return buildOnce(ctx, path, "bench", func(tmp string, merchants []int64) error {
		return fillBench(ctx, tmp, merchants, n)
	})
}

// buildOnce returns path, first building it if it is not there: a database
// with 50 merchants (codes prefix-00…) and the benchmark agent, which fill
// then fills. It is built beside path and renamed into place, so a build
// that stops half-way is never taken for a finished one.
func buildOnce(ctx context.Context, path, prefix string, fill func(tmp string, merchants []int64) error) (string, error) {
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return "", err
	}
	tmp := path + ".building"
	for _, suffix := range []string{"", "-wal", "-shm"} {
		_ = os.Remove(tmp + suffix) // what a build that stopped half-way left

	}
	s, err := store.Open(ctx, tmp, Config(anxin.NewManualClock(Epoch)))
	if err != nil {
		return "", err
	}
	merchants, err := benchPeople(ctx, s, prefix)
	if err = errors.Join(err, s.Close()); err != nil {
		return "", err
	}
	if err := fill(tmp, merchants); err != nil {
		return "", err
	}
	// Filled behind the store's back: its search index is built as a
	// database from before the index has it built, and its planner's
	// statistics gathered as the store gathers them when it opens.
	if s, err = store.Open(ctx, tmp, Config(anxin.NewManualClock(Epoch))); err != nil {
		return "", err
	}
	_, _, err = s.BackfillSearch(ctx)
	if err = errors.Join(err, s.Close()); err != nil {
		return "", err
	}
	return path, os.Rename(tmp, path)
}

// benchPeople makes the 50 merchants and the agent of a benchmark database.
func benchPeople(ctx context.Context, s *store.Store, prefix string) ([]int64, error) {
	var merchants []int64
	for i := range 50 {
		m, err := s.CreateMerchant(ctx, anxin.Merchant{Code: fmt.Sprintf("%s-%02d", prefix, i), Name: fmt.Sprintf("压测商家 %02d", i)})
		if err != nil {
			return nil, err
		}
		merchants = append(merchants, m.ID)
	}
	_, err := s.CreateUser(ctx, anxin.User{Email: "bench-agent@anxin.test", Name: "bench agent", Role: anxin.RoleAgent}, Password)
	for i := range 19 {
		if err != nil {
			break
		}
		_, err = s.CreateUser(ctx, anxin.User{Email: fmt.Sprintf("bench-agent-%02d@anxin.test", i), Name: fmt.Sprintf("客服 %02d", i),
			Role: anxin.RoleAgent}, Password)
	}
	return merchants, err
}

func fillBench(ctx context.Context, path string, merchants []int64, n int) (err error) {
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
		buyer_phone, reason, requested_fen, payable_fen, refunded_fen, created_at, updated_at, first_action_at,
		assignee_id)
		VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	event, err := tx.PrepareContext(ctx, `INSERT INTO ticket_events (ticket_id, at, actor_role, actor_id, actor_name,
		action, from_state, to_state) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer event.Close()
	refund, err := tx.PrepareContext(ctx, `INSERT INTO refunds (number, ticket_id, amount_fen, status, created_at, updated_at)
		VALUES (?, ?, ?, 'succeeded', ?, ?)`)
	if err != nil {
		return err
	}
	defer refund.Close()
	var agents []anxin.Actor
	rows, err := tx.QueryContext(ctx, `SELECT id, name FROM users WHERE role = 'agent' ORDER BY id`)
	if err := eachRow(rows, err, func() error {
		a := anxin.Actor{Role: anxin.RoleAgent}
		if err := rows.Scan(&a.UserID, &a.Name); err != nil {
			return err
		}
		agents = append(agents, a)
		return nil
	}); err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(1, 2))
	now := Epoch.UnixMilli()
	open := []anxin.State{anxin.PendingMerchant, anxin.PendingMerchant, anxin.PendingMerchant, anxin.AwaitingReturn,
		anxin.AwaitingReceipt, anxin.NeedsEvidence, anxin.Rejected, anxin.Arbitration}
	const hour = int64(time.Hour / time.Millisecond)
	services := anxin.Services()
	for i := range n {
		svc := services[rng.IntN(len(services))].Key
		created := now - rng.Int64N(90*24*hour)
		state, deadline, due, refunded := anxin.Closed, any(nil), any(nil), int64(0)
		paid := 1000 + rng.Int64N(200000)
		switch r := rng.IntN(10); {
		case r < 3:
			state = open[rng.IntN(len(open))]
			d := now - 72*hour + rng.Int64N(8*24*hour)
			deadline, due = d, d
			created = d - 48*hour
		case r < 7:
			state, refunded = anxin.Refunded, paid
		}
		var auto any
		if state == anxin.PendingMerchant || state == anxin.AwaitingReceipt {
			auto = deadline
		}
		received := created - rng.Int64N(5*24*hour)
		// A decided ticket was decided by an agent (its assignee, most
		// often) some minutes to a day after it came, or ran out at 24 h.
		var first, assignee any
		agent := agents[rng.IntN(len(agents))]
		if rng.IntN(2) == 0 {
			assignee = agent.UserID
		}
		decided := state == anxin.Closed || state == anxin.Refunded
		at := created + int64(rng.ExpFloat64()*float64(40*time.Minute/time.Millisecond))
		timedOut := decided && (rng.IntN(10) == 0 || at > created+24*hour)
		if timedOut {
			at = created + 24*hour
		}
		if decided {
			first = at
		}
		res, err := stmt.ExecContext(ctx, merchants[rng.IntN(len(merchants))], string(svc), string(state), created,
			deadline, due, auto, fmt.Sprintf("DY%012d", i), BenchProduct(rng), paid, received-72*hour, received-48*hour,
			received, BenchBuyer(rng), fmt.Sprintf("139%08d", rng.IntN(1e8)), benchReasons[rng.IntN(len(benchReasons))],
			paid, paid, refunded, created, created, first, assignee)
		if err != nil {
			return err
		}
		if !decided {
			continue
		}
		id, err := res.LastInsertId()
		if err != nil {
			return err
		}
		action, by := anxin.Approve, agent
		if state == anxin.Closed {
			action = anxin.Reject
		}
		if timedOut {
			action, by = anxin.Timeout, anxin.System()
		}
		if _, err := event.ExecContext(ctx, id, at, string(by.Role), nullable(by.UserID), by.Name, string(action),
			string(anxin.PendingMerchant), string(state)); err != nil {
			return err
		}
		if refunded > 0 {
			if _, err := refund.ExecContext(ctx, anxin.RefundNumber(id), id, refunded, at, at+60_000); err != nil {
				return err
			}
		}
	}
	// Written behind the store's back: its search index is to be built
	// for every ticket, as for a database from before the index.
	if _, err := tx.ExecContext(ctx, `DELETE FROM search_backfill`); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO search_backfill SELECT max(id) + 1, 1 FROM tickets`); err != nil {
		return err
	}
	// The planner's statistics are gathered as for any database: when
	// buildOnce opens the store again.
	return tx.Commit()
}

// nullable is an id or NULL for none.
func nullable(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// eachRow calls fn for each row of a query and closes it.
func eachRow(rows *sql.Rows, err error, fn func() error) error {
	if err != nil {
		return err
	}
	defer func() { _ = rows.Close() }() // read only
	for rows.Next() {
		if err := fn(); err != nil {
			return err
		}
	}
	return rows.Err()
}

// CopyDatabase copies the database at src (without its -wal: a built
// benchmark database has none) into a temporary directory of the test, for
// a benchmark that writes: the kept one stays as built.
func CopyDatabase(tb testing.TB, src string) string {
	tb.Helper()
	dst := filepath.Join(tb.TempDir(), "anxin.db")
	in, err := os.Open(src)
	if err != nil {
		tb.Fatal(err)
	}
	defer func() { _ = in.Close() }() // read only
	out, err := os.Create(dst)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		tb.Fatal(err)
	}
	if err := out.Close(); err != nil {
		tb.Fatal(err)
	}
	return dst
}

// PendingTickets lists up to limit tickets pending the merchant whose
// deadline is after the given time (so that no timeout takes them first),
// by id, with the version to decide them at.
func PendingTickets(tb testing.TB, s *store.Store, after time.Time, limit int) []anxin.Ticket {
	tb.Helper()
	rows, err := DB(tb, s).Query(`SELECT id, version FROM tickets WHERE state = 'pending_merchant' AND deadline > ?
		ORDER BY id LIMIT ?`, after.UnixMilli(), limit)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	var out []anxin.Ticket
	for rows.Next() {
		var t anxin.Ticket
		if err := rows.Scan(&t.ID, &t.Version); err != nil {
			tb.Fatal(err)
		}
		t.Number = anxin.TicketNumber(t.ID)
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}

// BenchDir is where benchmark databases are kept: $ANXIN_BENCH_DIR (make
// bench sets data/bench). Without it the benchmark skips, so that a plain
// go test -bench writes no large file.
func BenchDir(b *testing.B) string {
	b.Helper()
	dir := os.Getenv("ANXIN_BENCH_DIR")
	if dir == "" {
		b.Skip("set ANXIN_BENCH_DIR (make bench does) to build and use the benchmark databases")
	}
	return dir
}

// MustBenchDatabase is BenchDatabase in BenchDir, for a benchmark.
func MustBenchDatabase(b *testing.B, n int) string {
	b.Helper()
	path, err := BenchDatabase(context.Background(), BenchDir(b), n)
	if err != nil {
		b.Fatal(err)
	}
	return path
}

// The words benchmark tickets are made of: realistic enough that a search
// term matches a realistic share (a product word some thousands of tickets,
// a buyer's full name a few).
var (
	benchSurnames = []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高")
	benchGiven    = []rune("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红")
	benchKinds    = []string{"鲜切玫瑰", "绣球鲜花", "向日葵花束", "高腰牛仔裤", "纯棉T恤", "羊绒大衣", "保湿面霜",
		"玻尿酸精华", "防晒喷雾", "陶瓷餐具", "保温杯", "收纳箱", "五粮液", "茅台酒", "蓝牙耳机", "充电宝"}
	benchAdjectives = []string{"云南", "进口", "加厚", "轻薄", "经典", "限量", "礼盒装", "家用", "大号", "迷你"}
	benchReasons    = []string{"花瓣发黑", "开线了", "洗一次就起球", "用后脸部红肿", "防伪码查不到", "瓶盖松动",
		"包装破损", "尺码不合适", "颜色和图片不一样", "降价了"}
)

// BenchProduct is a product name of the benchmark's vocabulary.
func BenchProduct(rng *rand.Rand) string {
	return benchAdjectives[rng.IntN(len(benchAdjectives))] + benchKinds[rng.IntN(len(benchKinds))] +
		fmt.Sprintf(" %d件", 1+rng.IntN(20))
}

// BenchBuyer is a buyer's name of the benchmark's vocabulary.
func BenchBuyer(rng *rand.Rand) string {
	name := []rune{benchSurnames[rng.IntN(len(benchSurnames))], benchGiven[rng.IntN(len(benchGiven))]}
	if rng.IntN(2) == 0 {
		name = append(name, benchGiven[rng.IntN(len(benchGiven))])
	}
	return string(name)
}

// GiveReturnAddresses gives every merchant of a benchmark database that has
// none a return address, as a merchant that takes returns has (the
// databases of v3 were built before approving a return needed one).
func GiveReturnAddresses(tb testing.TB, s *store.Store) {
	tb.Helper()
	merchants, err := s.Merchants(context.Background(), anxin.AllMerchants())
	if err != nil {
		tb.Fatal(err)
	}
	for _, m := range merchants {
		MustAddress(tb, s, m.ID, m.Name+" 售后")
	}
}
