package store_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store/storetest"
	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
)

// The PostgreSQL schema (migrations/postgres/0025_schema.sql) against
// SQLite's after its migrations: the same tables with the same columns,
// the same indexes, views and triggers, the same seeded rows, and the same
// figures kept by the triggers. It needs a server: ANXIN_TEST_POSTGRES is
// its URL (a role that may create databases), and each run makes a
// database of its own and drops it.

const pgSchemaFile = "migrations/postgres/0025_schema.sql"

func TestPGSchema(t *testing.T) {
	if storetest.OnPostgres() {
		t.Skip("compares PostgreSQL's schema with SQLite's: runs with the tests on SQLite")
	}
	pg := openPGSchema(t)
	s := storetest.MustOpenWith(t, filepath.Join(t.TempDir(), "anxin.db"),
		storetest.Config(anxin.NewManualClock(storetest.Epoch)))
	lite := storetest.DB(t, s)
	tables := liteTables(t, lite)

	t.Run("tables", func(t *testing.T) { pgCompareTables(t, lite, pg, tables) })
	t.Run("indexes", func(t *testing.T) { pgCompareIndexes(t, lite, pg) })
	t.Run("views", func(t *testing.T) { pgCompareViews(t, lite, pg) })
	t.Run("triggers", func(t *testing.T) { pgCompareTriggers(t, lite, pg) })
	t.Run("seeded rows", func(t *testing.T) { pgCompareRows(t, lite, pg, tables) })
	t.Run("day", func(t *testing.T) { pgCheckDay(t, lite, pg) })
	t.Run("append-only events", func(t *testing.T) { pgCheckAppendOnly(t, pg) })
	t.Run("emails ignore case", func(t *testing.T) { pgCheckEmail(t, pg) })
	t.Run("search tables", func(t *testing.T) { pgCheckSearch(t, pg) })
	// Last: it writes figures that the rows compared above do not have.
	t.Run("figures triggers", func(t *testing.T) { pgCompareFigures(t, pg) })
}

// openPGSchema makes a new database on the server ANXIN_TEST_POSTGRES
// names, applies the schema to it in one transaction, as the store will,
// and drops it when the test ends. Without the variable the test skips.
func openPGSchema(t *testing.T) *sql.DB {
	t.Helper()
	server := os.Getenv("ANXIN_TEST_POSTGRES")
	if server == "" {
		t.Skip("ANXIN_TEST_POSTGRES is not set: no PostgreSQL server to check the schema on " +
			"(e.g. ANXIN_TEST_POSTGRES=postgres://anxin:anxin@127.0.0.1:5432/postgres)")
	}
	admin, err := sql.Open("pgx", server)
	if err != nil {
		t.Fatal(err)
	}
	random := make([]byte, 8)
	if _, err := rand.Read(random); err != nil {
		t.Fatal(err)
	}
	name := "anxin_test_" + hex.EncodeToString(random)
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		_ = admin.Close()
		t.Fatalf("create a database on ANXIN_TEST_POSTGRES: %v", err)
	}
	t.Cleanup(func() {
		if _, err := admin.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
		if err := admin.Close(); err != nil {
			t.Error(err)
		}
	})
	db, err := sql.Open("pgx", withDatabase(t, server, name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { // before the drop: cleanups run last first
		if err := db.Close(); err != nil {
			t.Error(err)
		}
	})
	body, err := os.ReadFile(pgSchemaFile)
	if err != nil {
		t.Fatal(err)
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback() }() // after Commit, a no-op
	if _, err := tx.ExecContext(ctx, string(body)); err != nil {
		t.Fatalf("%s: %v", pgSchemaFile, err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	return db
}

// withDatabase is the connection string of the server with another
// database: a URL's path, or a keyword/value string's dbname.
func withDatabase(t *testing.T, server, name string) string {
	if strings.HasPrefix(server, "postgres://") || strings.HasPrefix(server, "postgresql://") {
		u, err := url.Parse(server)
		if err != nil {
			t.Fatalf("ANXIN_TEST_POSTGRES: %v", err)
		}
		u.Path = "/" + name
		return u.String()
	}
	return server + " dbname=" + name
}

// liteTables are SQLite's tables that PostgreSQL has too, in the order
// they were made: not SQLite's own, not schema_migrations (the store makes
// it on either engine), not the FTS5 tables and their shadows
// (ticket_search and message_search are tables of another shape there).
func liteTables(t *testing.T, lite *sql.DB) []string {
	t.Helper()
	var virtual, names []string
	eachLiteRow(t, lite, `SELECT name, sql FROM sqlite_schema WHERE type = 'table' ORDER BY rowid`, nil,
		func(r []any) {
			name, def := r[0].(string), r[1].(string)
			if strings.HasPrefix(def, "CREATE VIRTUAL TABLE") {
				virtual = append(virtual, name)
				return
			}
			names = append(names, name)
		})
	shadow := func(name string) bool {
		for _, v := range virtual {
			for _, suffix := range []string{"_data", "_idx", "_config", "_docsize", "_content"} {
				if name == v+suffix {
					return true
				}
			}
		}
		return false
	}
	return slices.DeleteFunc(names, func(n string) bool {
		return strings.HasPrefix(n, "sqlite_") || n == "schema_migrations" || shadow(n)
	})
}

// pgCompareTables checks each table's columns: names, order, types
// (INTEGER is bigint, TEXT text, BLOB bytea; users.email is citext) and
// NOT NULL. A primary key's columns count as NOT NULL on SQLite: every
// such key here is a rowid, in a WITHOUT ROWID table or declared NOT NULL.
func pgCompareTables(t *testing.T, lite, pg *sql.DB, tables []string) {
	types := map[string]string{"INTEGER": "int8", "TEXT": "text", "BLOB": "bytea", "REAL": "float8"}
	for _, table := range tables {
		var want []string
		eachLiteRow(t, lite, `SELECT name, type, "notnull", pk FROM pragma_table_info(?) ORDER BY cid`, []any{table},
			func(r []any) {
				name, typ := r[0].(string), strings.ToUpper(r[1].(string))
				pgType, ok := types[typ]
				if !ok {
					t.Errorf("%s.%s: SQLite type %q has no PostgreSQL type here", table, name, typ)
				}
				if table == "users" && name == "email" {
					pgType = "citext" // COLLATE NOCASE
				}
				notNull := r[2].(int64) != 0 || r[3].(int64) != 0
				want = append(want, fmt.Sprintf("%s %s notnull=%v", name, pgType, notNull))
			})
		got := pgColumns(t, pg, table, true)
		if len(got) == 0 {
			t.Errorf("table %s: not in PostgreSQL", table)
			continue
		}
		if !slices.Equal(got, want) {
			t.Errorf("table %s:\nPostgreSQL %q\nSQLite     %q", table, got, want)
		}
	}
	var pgTables []string
	eachRow(t, pg, `SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`, nil,
		func(r []any) { pgTables = append(pgTables, r[0].(string)) })
	// The search index, and the photos' files (on SQLite, files beside the database).
	wantTables := append(slices.Clone(tables), "ticket_search", "message_search", "photo_files")
	slices.Sort(wantTables)
	if !slices.Equal(pgTables, wantTables) {
		t.Errorf("PostgreSQL's tables: %q, want %q", pgTables, wantTables)
	}
}

// pgColumns lists a table's (or view's) columns as "name type notnull=…",
// or their names alone.
func pgColumns(t *testing.T, pg *sql.DB, table string, typed bool) []string {
	t.Helper()
	var out []string
	eachRow(t, pg, `SELECT column_name, udt_name, is_nullable = 'NO' FROM information_schema.columns
		WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position`, []any{table},
		func(r []any) {
			if typed {
				out = append(out, fmt.Sprintf("%s %s notnull=%v", r[0], r[1], r[2]))
			} else {
				out = append(out, r[0].(string))
			}
		})
	return out
}

// pgCompareIndexes checks every SQLite index is in PostgreSQL by name, on
// the same table and columns, unique and partial alike.
func pgCompareIndexes(t *testing.T, lite, pg *sql.DB) {
	pgIndexes := map[string]string{}
	eachRow(t, pg, `SELECT c.relname, t.relname, i.indisunique, i.indpred IS NOT NULL,
			array_to_string(array(SELECT coalesce(a.attname, '<expr>')
				FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS k (attnum, n)
				LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum ORDER BY k.n), ',')
		FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid
		JOIN pg_namespace ns ON ns.oid = c.relnamespace WHERE ns.nspname = 'public'`, nil,
		func(r []any) {
			pgIndexes[r[0].(string)] = fmt.Sprintf("on %s (%s) unique=%v partial=%v", r[1], r[4], r[2], r[3])
		})
	n := 0
	eachLiteRow(t, lite, `SELECT name, tbl_name FROM sqlite_schema WHERE type = 'index' AND name NOT LIKE 'sqlite\_autoindex\_%' ESCAPE '\'`, nil,
		func(r []any) {
			n++
			name, table := r[0].(string), r[1].(string)
			var cols []string
			eachLiteRow(t, lite, `SELECT coalesce(name, '<expr>') FROM pragma_index_info(?) ORDER BY seqno`, []any{name},
				func(r []any) { cols = append(cols, r[0].(string)) })
			var unique, partial int64
			if err := lite.QueryRowContext(ctx, `SELECT "unique", partial FROM pragma_index_list(?) WHERE name = ?`,
				table, name).Scan(&unique, &partial); err != nil {
				t.Fatalf("index %s: %v", name, err)
			}
			want := fmt.Sprintf("on %s (%s) unique=%v partial=%v", table, strings.Join(cols, ","), unique != 0, partial != 0)
			if got, ok := pgIndexes[name]; !ok {
				t.Errorf("index %s: not in PostgreSQL", name)
			} else if got != want {
				t.Errorf("index %s: PostgreSQL's is %s, SQLite's %s", name, got, want)
			}
		})
	if n < 40 {
		t.Fatalf("SQLite has %d indexes: the query found too few", n)
	}
}

// pgCompareViews checks every SQLite view is in PostgreSQL, with the same
// columns in the same order.
func pgCompareViews(t *testing.T, lite, pg *sql.DB) {
	var views []string
	eachLiteRow(t, lite, `SELECT name FROM sqlite_schema WHERE type = 'view' ORDER BY name`, nil,
		func(r []any) { views = append(views, r[0].(string)) })
	var pgViews []string
	eachRow(t, pg, `SELECT viewname FROM pg_views WHERE schemaname = 'public' ORDER BY viewname`, nil,
		func(r []any) { pgViews = append(pgViews, r[0].(string)) })
	if !slices.Equal(pgViews, views) || len(views) == 0 {
		t.Errorf("PostgreSQL's views: %q, SQLite's %q", pgViews, views)
	}
	for _, v := range views {
		var want []string
		eachLiteRow(t, lite, `SELECT name FROM pragma_table_info(?) ORDER BY cid`, []any{v},
			func(r []any) { want = append(want, r[0].(string)) })
		if got := pgColumns(t, pg, v, false); !slices.Equal(got, want) {
			t.Errorf("view %s: PostgreSQL's columns %q, SQLite's %q", v, got, want)
		}
	}
}

// pgCompareTriggers checks PostgreSQL has SQLite's triggers, by name and
// table, and no others (its own for foreign keys aside).
func pgCompareTriggers(t *testing.T, lite, pg *sql.DB) {
	var want, got []string
	eachLiteRow(t, lite, `SELECT name, tbl_name FROM sqlite_schema WHERE type = 'trigger'`, nil,
		func(r []any) { want = append(want, fmt.Sprintf("%s on %s", r[0], r[1])) })
	eachRow(t, pg, `SELECT t.tgname, c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
		JOIN pg_namespace ns ON ns.oid = c.relnamespace WHERE ns.nspname = 'public' AND NOT t.tgisinternal`, nil,
		func(r []any) { got = append(got, fmt.Sprintf("%s on %s", r[0], r[1])) })
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(got, want) || len(want) == 0 {
		t.Errorf("PostgreSQL's triggers: %q\nSQLite's %q", got, want)
	}
}

// pgCompareRows checks every table holds the same rows on both: those the
// migrations seed (and none elsewhere). figures_zone.built is left out:
// both schemas leave it 0, and opening the store sets it to 1 once it has
// counted the figures (prepareFigures), which it will do on PostgreSQL too.
func pgCompareRows(t *testing.T, lite, pg *sql.DB, tables []string) {
	seeded := 0
	for _, table := range tables {
		cols := "*"
		if table == "figures_zone" {
			cols = "id, modifier"
			var built int64
			if err := pg.QueryRowContext(ctx, `SELECT built FROM figures_zone`).Scan(&built); err != nil || built != 0 {
				t.Errorf("figures_zone.built on PostgreSQL: %d, %v; want 0, as 0019 seeds it", built, err)
			}
		}
		q := "SELECT " + cols + " FROM " + table
		want, got := rowStrings(t, lite, q), rowStrings(t, pg, q)
		if !slices.Equal(got, want) {
			t.Errorf("%s's rows: PostgreSQL %q, SQLite %q", table, got, want)
		}
		if len(want) > 0 {
			seeded++
			t.Logf("%s: %q", table, want)
		}
	}
	if seeded == 0 {
		t.Error("SQLite seeds no table: the comparison compared nothing")
	}
}

// pgCheckDay checks anxin_day against SQLite's date(ms / 1000, 'unixepoch',
// modifier), and in the figures' zone as seeded.
func pgCheckDay(t *testing.T, lite, pg *sql.DB) {
	midnight := time.Date(2026, 11, 29, 16, 0, 0, 0, time.UTC).UnixMilli() // 2026-11-30 00:00 in Beijing
	for ms, want := range map[int64]string{midnight: "2026-11-30", midnight - 1: "2026-11-29"} {
		var got string
		if err := pg.QueryRowContext(ctx, `SELECT anxin_day($1)`, ms).Scan(&got); err != nil || got != want {
			t.Errorf("anxin_day(%d) = %q, %v; want %q", ms, got, err, want)
		}
	}
	for _, modifier := range []string{"+28800 seconds", "-18000 seconds", "+0 seconds", "+20700 seconds", "-34200 seconds"} {
		for _, ms := range []int64{midnight, midnight - 1, midnight + 1, 0, 999, -1, -1000, -1001, -86_400_001,
			time.Date(2199, 12, 31, 23, 59, 59, 0, time.UTC).UnixMilli(), storetest.Epoch.UnixMilli()} {
			var want, got sql.NullString
			if err := lite.QueryRowContext(ctx, `SELECT date(? / 1000, 'unixepoch', ?)`, ms, modifier).Scan(&want); err != nil {
				t.Fatal(err)
			}
			if err := pg.QueryRowContext(ctx, `SELECT anxin_day($1, $2)`, ms, modifier).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Errorf("anxin_day(%d, %q) = %v; SQLite's date() says %v", ms, modifier, got, want)
			}
		}
	}
}

// pgCheckAppendOnly checks ticket_events refuses an update and a delete
// with the message SQLite's triggers give.
func pgCheckAppendOnly(t *testing.T, pg *sql.DB) {
	pgExec(t, pg, `INSERT INTO merchants (id, code, name, created_at) VALUES (9001, 'append-only', 'm', 1)`)
	pgExec(t, pg, `INSERT INTO tickets (id, merchant_id, service, state, state_since, order_id, product, paid_fen,
		ordered_at, buyer_phone, requested_fen, payable_fen, created_at, updated_at)
		VALUES (9001, 9001, 'quality_return', 'pending_merchant', 1, 'DD1', 'p', 100, 1, '13800138000', 100, 100, 1, 1)`)
	pgExec(t, pg, `INSERT INTO ticket_events (id, ticket_id, at, actor_role, actor_name, action)
		VALUES (9001, 9001, 1, 'buyer', 'buyer', 'comment')`)
	for _, q := range []string{
		`UPDATE ticket_events SET detail = 'changed' WHERE ticket_id = 9001`,
		`DELETE FROM ticket_events WHERE ticket_id = 9001`,
	} {
		_, err := pg.ExecContext(ctx, q)
		if err == nil || !strings.Contains(err.Error(), "ticket events are append-only") {
			t.Errorf("%s: %v, want the append-only refusal", q, err)
		}
	}
	var n int
	if err := pg.QueryRowContext(ctx, `SELECT count(*) FROM ticket_events WHERE ticket_id = 9001 AND detail = ''`).Scan(&n); err != nil || n != 1 {
		t.Errorf("the event after the refusals: %d rows, %v", n, err)
	}
}

// pgCheckEmail checks users.email compares and is unique ignoring case,
// as SQLite's COLLATE NOCASE.
func pgCheckEmail(t *testing.T, pg *sql.DB) {
	insert := `INSERT INTO users (id, email, name, role, password_hash, created_at) VALUES ($1, $2, 'Li Na', 'agent', 'x', 1)`
	pgExec(t, pg, insert, 9001, "Li.Na@Example.com")
	_, err := pg.ExecContext(ctx, insert, 9002, "li.na@example.COM")
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "23505" {
		t.Errorf("a second user with the email in other case: %v, want a unique violation", err)
	}
	var n int
	if err := pg.QueryRowContext(ctx, `SELECT count(*) FROM users WHERE email = $1`, "LI.NA@EXAMPLE.COM").Scan(&n); err != nil || n != 1 {
		t.Errorf("users with the email in other case: %d, %v; want 1", n, err)
	}
}

// pgCheckSearch checks the search tables hold the store's tokens as they
// are and match them as the comment in the schema says: a Latin word, a
// phrase of Chinese pairs, a one-character prefix, the merchant.
func pgCheckSearch(t *testing.T, pg *sql.DB) {
	// What store.terms makes of DD20261126001, 李女士, 13800138000, 玫瑰花瓣发黑, merchant 7.
	terms := "dd20261126001 李女 女士 士 13800138000 138 8000 玫瑰 瑰花 花瓣 瓣发 发黑 黑 m7"
	pgExec(t, pg, `INSERT INTO ticket_search (id, terms) VALUES ($1, to_tsvector('simple', $2))`, 42, terms)
	pgExec(t, pg, `INSERT INTO message_search (id, terms) VALUES ($1, to_tsvector('simple', $2))`, 43, "谢谢 谢 m7")
	for query, want := range map[string]bool{
		`'dd20261126001'`:               true,
		`'李女' <-> '女士'`:                 true,
		`'瑰花' <-> '花瓣' <-> '瓣发' & 'm7'`: true,
		`'女':*`:         true,
		`'8000' & 'm7'`: true,
		`'女士' <-> '李女'`: false, // 士李: not a substring
		`'李女' & 'm8'`:   false, // another merchant's
		`'dd2026'`:      false,
	} {
		var got bool
		if err := pg.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM ticket_search
			WHERE terms @@ to_tsquery('simple', $1) AND id = 42)`, query).Scan(&got); err != nil || got != want {
			t.Errorf("ticket_search matches %s: %v, %v; want %v", query, got, err, want)
		}
	}
	pgExec(t, pg, `DELETE FROM ticket_search WHERE id = $1`, 42)
	pgExec(t, pg, `DELETE FROM message_search WHERE id = $1`, 43)
}

// pgCompareFigures runs the same writes on PostgreSQL and on an SQLite
// database made by the migrations on disk, and compares the figures the
// triggers kept, and the facts views, row for row.
func pgCompareFigures(t *testing.T, pg *sql.DB) {
	lite := migratedSQLite(t)
	base := time.Date(2026, 11, 29, 15, 0, 0, 0, time.UTC).UnixMilli() // 23:00 in Beijing
	const hour = int64(time.Hour / time.Millisecond)
	ticket := `INSERT INTO tickets (id, merchant_id, service, state, state_since, order_id, product, paid_fen,
		ordered_at, buyer_phone, requested_fen, payable_fen, created_at, updated_at, assignee_id, first_action_at)
		VALUES (?, ?, ?, 'pending_merchant', ?, ?, 'p', 10000, ?, '13800138000', 10000, 10000, ?, ?, ?, ?)`
	event := `INSERT INTO ticket_events (id, ticket_id, at, actor_role, actor_id, actor_name, action, from_state, to_state)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`
	refund := `INSERT INTO refunds (id, number, ticket_id, amount_fen, status, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`
	steps := []struct {
		q    string
		args []any
	}{
		{`INSERT INTO merchants (id, code, name, created_at) VALUES (1, 'm1', '花店', 1), (2, 'm2', 'Shop', 1)`, nil},
		{`INSERT INTO users (id, email, name, role, merchant_id, password_hash, created_at) VALUES
			(1, 'agent@example.com', 'Wang', 'agent', NULL, 'x', 1),
			(2, 'admin@example.com', 'Boss', 'admin', NULL, 'x', 1),
			(3, 'shop@example.com', '店长', 'merchant', 1, 'x', 1)`, nil},
		// Tickets: decided later (1, 3), decided with the ticket (2), never (4).
		{ticket, []any{1, 1, "quality_return", base, "DD1", base, base, base, 1, nil}},
		{ticket, []any{2, 1, "quality_return", base, "DD2", base, base, base, nil, base + 90_000}},
		{ticket, []any{3, 2, "price_protect", base + 2*hour, "DD3", base, base + 2*hour, base + 2*hour, 3, nil}},
		{ticket, []any{4, 2, "price_protect", base, "DD4", base, base, base, 2, nil}},
		{`UPDATE tickets SET first_action_at = created_at + 5 * 3600000 WHERE id = 1`, nil},
		{`UPDATE tickets SET first_action_at = created_at + ? WHERE id = 3`, []any{400 * 24 * hour}},
		{`UPDATE tickets SET first_action_at = first_action_at + 1 WHERE id = 1`, nil}, // not a first any more
		{`UPDATE tickets SET state = 'closed' WHERE id = 4`, nil},
		// Events: a decision by the ticket's own assignee (two rows of one
		// person), arbitration, a timeout, a merchant's offer, an appeal
		// without states, an action no figure counts.
		{event, []any{1, 1, base + hour, "agent", 1, "Wang (desk)", "approve", "pending_merchant", "awaiting_return"}},
		{event, []any{2, 1, base + hour, "agent", 1, "Wang", "escalate", "awaiting_return", "arbitration"}},
		{event, []any{3, 1, base + 2*hour, "admin", 2, "Boss", "rule_buyer", "arbitration", "refunded"}},
		{event, []any{4, 3, base + 3*hour, "system", nil, "system", "timeout", "pending_merchant", "approved"}},
		{event, []any{5, 2, base - hour, "merchant", 3, "店长", "offer", "pending_merchant", "offered"}},
		{event, []any{6, 2, base - hour, "buyer", nil, "李女士", "appeal", nil, nil}},
		{event, []any{7, 2, base, "buyer", nil, "李女士", "comment", nil, nil}},
		{event, []any{8, 4, base + hour, "merchant", 3, "店长", "reject", "pending_merchant", "rejected"}},
		{event, []any{9, 4, base + hour, "admin", 2, "Boss", "rule_merchant", "arbitration", "closed"}},
		// Acting in another role than the user's now: the new row of the
		// person takes the decision's role, the first of the two.
		{event, []any{11, 4, base + 30*hour, "agent", 2, "Boss", "request_evidence", "pending_merchant", "needs_evidence"}},
		// Refunds: paid at once; paid later; moved to another day; another
		// amount; undone; a change of no counted column; never paid.
		{refund, []any{1, "RF1", 1, 5000, "succeeded", base, base + hour}},
		{refund, []any{2, "RF2", 2, 3000, "pending", base, base}},
		{`UPDATE refunds SET status = 'succeeded', updated_at = ? WHERE id = 2`, []any{base + hour/2}},
		{`UPDATE refunds SET updated_at = ? WHERE id = 1`, []any{base - 10*hour}},
		{`UPDATE refunds SET amount_fen = 4000 WHERE id = 2`, nil},
		{refund, []any{3, "RF3", 3, 2000, "succeeded", base, base + 3*hour}},
		{`UPDATE refunds SET status = 'failed' WHERE id = 3`, nil},
		{`UPDATE refunds SET proof = 'p' WHERE id = 1`, nil},
		{refund, []any{4, "RF4", 4, 1000, "failed", base, base}},
		// Another zone: the days after are its days.
		{`UPDATE figures_zone SET modifier = '-18000 seconds'`, nil},
		{event, []any{10, 1, base + 9*hour, "agent", 1, "Wang", "refund", "pending_merchant", "refunded"}},
		{`UPDATE refunds SET status = 'succeeded', updated_at = ? WHERE id = 4`, []any{base + 9*hour}},
	}
	for _, st := range steps {
		if _, err := lite.ExecContext(ctx, st.q, st.args...); err != nil {
			t.Fatalf("SQLite: %s: %v", st.q, err)
		}
		if _, err := pg.ExecContext(ctx, pgPlaceholders(st.q), st.args...); err != nil {
			t.Fatalf("PostgreSQL: %s: %v", st.q, err)
		}
	}
	for _, table := range []string{"figures_daily", "figures_people", "figures_people_all",
		"figures_refund_facts", "figures_first_action_facts", "figures_event_facts", "figures_people_facts"} {
		q := "SELECT * FROM " + table
		if strings.HasPrefix(table, "figures_people") && !strings.HasSuffix(table, "_facts") {
			t.Logf("%s: %q", table, rowStrings(t, lite, q))
		}
		want, got := rowStrings(t, lite, q), rowStrings(t, pg, q)
		if len(want) == 0 {
			t.Errorf("%s: no rows on SQLite: the writes tested nothing", table)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s:\nPostgreSQL %q\nSQLite     %q", table, got, want)
		}
	}
}

// migratedSQLite is a new SQLite database with the migrations on disk
// applied in order, as the store applies them, and nothing else.
func migratedSQLite(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "migrated.db")+"?_pragma=foreign_keys(1)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Error(err)
		}
	})
	db.SetMaxOpenConns(1)
	files, err := filepath.Glob("migrations/*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("migrations: %v, %v", files, err)
	}
	slices.Sort(files)
	for _, f := range files {
		body, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, string(body)); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
	}
	return db
}

// pgPlaceholders numbers a query's ? as PostgreSQL's $1, $2, ...
func pgPlaceholders(q string) string {
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func pgExec(t *testing.T, pg *sql.DB, q string, args ...any) {
	t.Helper()
	if _, err := pg.ExecContext(ctx, q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// rowStrings is every row of a query, each written out, sorted: the same
// rows on either engine give the same strings (numbers as digits, blobs
// and text as text, NULL as NULL).
func rowStrings(t *testing.T, db *sql.DB, q string) []string {
	t.Helper()
	var out []string
	eachRow(t, db, q, nil, func(r []any) {
		fields := make([]string, len(r))
		for i, v := range r {
			switch v := v.(type) {
			case nil:
				fields[i] = "NULL"
			case []byte:
				fields[i] = strconv.Quote(string(v))
			case string:
				fields[i] = strconv.Quote(v)
			default:
				fields[i] = fmt.Sprint(v)
			}
		}
		out = append(out, strings.Join(fields, "|"))
	})
	slices.Sort(out)
	return out
}

// eachRow calls fn with each row's values, as the driver gives them.
func eachRow(t *testing.T, db *sql.DB, q string, args []any, fn func([]any)) {
	t.Helper()
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var all [][]any
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		all = append(all, vals)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	rows.Close() // before fn, which may query the same database
	for _, vals := range all {
		fn(vals)
	}
}

// eachLiteRow is eachRow on SQLite, with text that comes as bytes made a string.
func eachLiteRow(t *testing.T, db *sql.DB, q string, args []any, fn func([]any)) {
	t.Helper()
	eachRow(t, db, q, args, func(r []any) {
		for i, v := range r {
			if b, ok := v.([]byte); ok {
				r[i] = string(b)
			}
		}
		fn(r)
	})
}
