package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
)

// Copy moves a deployment from SQLite to PostgreSQL: every row of every
// table, with its id, and the photo files, into a new, empty database.
//
// The source is brought up to date (Open) and then held alone, with
// SQLite's exclusive lock, for the whole copy: a server still running on it
// is found, and the copy refuses, since what it wrote afterwards would be
// lost. The destination's schema is made by Open; the copy then runs in one
// transaction on it, so that a copy that fails leaves it empty:
//
//   - the tables are PostgreSQL's (its catalogue, not a list here), in
//     the order of their foreign keys, each with the columns both sides
//     have, through COPY; a column or a table of SQLite's that PostgreSQL
//     lacks is an error, not data left behind;
//   - the figures' triggers are off while the rows go in, and the
//     indexes no constraint stands on are built after them (bulkLoad);
//     the figures are counted afresh afterwards, as Open counts them for
//     a new zone (figures.go), once for all the rows;
//   - each identity column's sequence is moved past the ids copied;
//   - the photo files the evidence refers to are read from the photo
//     directory, hashed against their names, and written as rows of
//     photo_files (photos.go);
//   - the search index is built from the rows copied, all at once;
//   - the figures are left to be counted (figures_zone.built = 0);
//   - the rows are counted on both sides before it commits.
//
// After the commit the destination is opened as a server would open it,
// which counts the figures. Then both sides are counted once more, with
// the sums of money, for the report; CopyReport.Problems lists what does
// not match.
//
// cfg is the source's (its PhotoDir the photos' directory, default photos
// beside it); the destination is opened with its clock, zone and version.
func Copy(ctx context.Context, from, to string, cfg Config, opts CopyOptions) (CopyReport, error) {
	start := time.Now()
	rep := CopyReport{From: from}
	switch {
	case isPostgres(from):
		return rep, fmt.Errorf("store: copy: the source %s is a PostgreSQL URL; it must be an SQLite file", redactDSN(from))
	case !isPostgres(to):
		// Not named: a connection string of another form may hold a password.
		return rep, errors.New("store: copy: the destination is not a PostgreSQL URL (postgres://user:password@host/database)")
	}
	rep.To = redactDSN(to)
	if fi, err := os.Stat(from); errors.Is(err, os.ErrNotExist) {
		return rep, fmt.Errorf("store: copy: there is no database at %s", from)
	} else if err != nil {
		return rep, fmt.Errorf("store: copy: %w", err)
	} else if fi.IsDir() {
		return rep, fmt.Errorf("store: copy: %s is a directory, not an SQLite database", from)
	}
	if err := checkHeader(from); err != nil {
		return rep, err
	}
	cfg = cfg.withDefaults(from)
	rep.PhotoDir = cfg.PhotoDir

	// The source's schema up to date, then the source held alone, then
	// the destination's schema made.
	src, err := Open(ctx, from, cfg)
	if err != nil {
		return rep, err
	}
	if err := src.Close(); err != nil {
		return rep, err
	}
	held, lock, err := holdAlone(ctx, from)
	if err != nil {
		return rep, err
	}
	defer func() { _ = held.Close() }() // releases the lock, at the end
	defer func() { _ = lock.Close() }()
	dcfg := cfg
	dcfg.PhotoDir, dcfg.PreMigrateBackupDir = "", ""
	dst, err := Open(ctx, to, dcfg)
	if err != nil {
		return rep, err
	}
	if err := dst.Close(); err != nil {
		return rep, err
	}
	pcfg, err := pgx.ParseConfig(to)
	if err != nil {
		return rep, fmt.Errorf("store: copy: %s: %w", rep.To, err)
	}
	if _, set := pcfg.RuntimeParams["application_name"]; !set {
		pcfg.RuntimeParams["application_name"] = "anxin copy"
	}
	conn, err := pgx.ConnectConfig(ctx, pcfg)
	if err != nil {
		return rep, fmt.Errorf("store: copy: %s: %w", rep.To, err)
	}
	defer func() { _ = conn.Close(context.WithoutCancel(ctx)) }()

	c := &copier{src: lock, dst: conn, opts: opts, photoDir: cfg.PhotoDir, rep: &rep, took: map[string]time.Duration{}}
	if err := c.run(ctx); err != nil {
		return rep, err
	}
	rep.CopyTook = time.Since(start)

	// Opened as a server opens it: the figures are counted.
	figuresStart := time.Now()
	dst, err = Open(ctx, to, dcfg)
	if err == nil {
		err = dst.Close()
	}
	if err != nil {
		return rep, fmt.Errorf("store: copy: the rows are copied, but counting the figures failed "+
			"(the next start counts them): %w", err)
	}
	rep.FiguresTook = time.Since(figuresStart)

	if err := c.verify(ctx); err != nil {
		return rep, err
	}
	rep.Took = time.Since(start)
	return rep, nil
}

// CopyOptions are the choices of a copy.
type CopyOptions struct {
	// SkipMissingPhotos copies on past a photo file that is missing or
	// whose bytes do not hash to its name, listing it in the report;
	// otherwise such a file stops the copy.
	SkipMissingPhotos bool
	// Progress, when set, is told of each step as it ends: each table
	// copied (photo_files for the photos, ticket_search and message_search
	// for the search index), then the steps that are no table, named in
	// parentheses: the indexes built, the statistics made.
	Progress func(CopiedTable)
}

// CopyReport is what a copy did, and what it found on both sides after it.
type CopyReport struct {
	From     string // the SQLite file
	To       string // the PostgreSQL URL, without its password
	PhotoDir string // where the photo files were read

	Tables  []CopiedTable // in the order copied
	Cleared []string      // rows the destination held in tables the copy fills, removed: "rule_limits: 1"

	// Source and Dest are the counts and sums of money of each side, read
	// after the copy.
	Source, Dest Counts

	PhotoFiles    int      // photo files copied into photo_files
	PhotoBytes    int64    // ... their bytes
	DestPhotos    int      // rows of photo_files, read after the copy
	DestPhotoSize int64    // ... their bytes
	MissingPhotos []string // files not copied (SkipMissingPhotos), each with why

	// SearchTickets and SearchMessages are the rows of the search index
	// built by the copy; Indexed* what the destination's index holds after.
	SearchTickets, SearchMessages   int64
	IndexedTickets, IndexedMessages int64

	// SourceFigures and DestFigures total the figures tables of each side
	// (the destination's counted afresh); FiguresCompared is false when
	// the source's were kept for another zone's days and are not compared.
	SourceFigures, DestFigures FigureTotals
	FiguresCompared            bool

	CopyTook    time.Duration // the rows, photos and search index, to the commit
	FiguresTook time.Duration // counting the figures, after it
	Took        time.Duration // everything, with the checks
}

// CopiedTable is one table of a copy: its rows on each side.
type CopiedTable struct {
	Name         string
	Source, Dest int64         // rows, read after the copy (Dest: in its transaction, in Progress)
	Took         time.Duration // its COPY (with its foreign keys' checks), or the step's
}

// FigureTotals are the figures tables' sums over every day, merchant,
// service and person.
type FigureTotals struct {
	Refunded, RefundFen, ArbitrationsOpen, Decided, Missed int64 // figures_daily
	FirstActions                                           int64 // figures_daily, fa0 + fa1 + ...
	Decisions, ClocksEnded                                 int64 // figures_people
	DecisionsAll                                           int64 // figures_people_all
}

// Problems lists each thing the two sides disagree on; none for a good copy.
func (r CopyReport) Problems() []string {
	var out []string
	for _, t := range r.Tables {
		if t.Source != t.Dest {
			out = append(out, fmt.Sprintf("%s: %d rows in the source, %d in the destination", t.Name, t.Source, t.Dest))
		}
	}
	if r.Source != r.Dest {
		out = append(out, fmt.Sprintf("counts and sums differ: source %+v, destination %+v", r.Source, r.Dest))
	}
	if r.DestPhotos != r.PhotoFiles || r.DestPhotoSize != r.PhotoBytes {
		out = append(out, fmt.Sprintf("photos: %d files (%d bytes) copied, %d (%d bytes) in photo_files",
			r.PhotoFiles, r.PhotoBytes, r.DestPhotos, r.DestPhotoSize))
	}
	if r.IndexedTickets != r.Source.Tickets {
		out = append(out, fmt.Sprintf("search index: %d tickets indexed of %d", r.IndexedTickets, r.Source.Tickets))
	}
	if msgs := r.table("messages"); r.IndexedMessages != msgs.Source {
		out = append(out, fmt.Sprintf("search index: %d messages indexed of %d", r.IndexedMessages, msgs.Source))
	}
	if r.FiguresCompared && r.SourceFigures != r.DestFigures {
		out = append(out, fmt.Sprintf("figures differ: source %+v, destination %+v", r.SourceFigures, r.DestFigures))
	}
	return out
}

func (r CopyReport) table(name string) CopiedTable {
	for _, t := range r.Tables {
		if t.Name == name {
			return t
		}
	}
	return CopiedTable{Name: name}
}

// copyNeverEmpty are the tables a destination holding any row of is not
// new: a copy into it is refused.
var copyNeverEmpty = []string{"merchants", "users", "tickets", "api_keys", "webhooks"}

// copyDerived are the destination's tables the copy does not copy: its
// schema's record, what is counted or indexed from the rows copied
// (rebuilt after), and the photos, which come from their files.
var copyDerived = map[string]bool{
	"schema_migrations": true,
	"ticket_search":     true, "message_search": true, "search_backfill": true,
	"figures_zone": true, "figures_daily": true, "figures_people": true, "figures_people_all": true,
	"photo_files": true,
}

// sqliteOwn tells SQLite's tables that are no data of Anxin's: its own
// (sqlite_stat1...) and the shadow tables of the FTS5 search index.
func sqliteOwn(name string) bool {
	return strings.HasPrefix(name, "sqlite_") || strings.HasPrefix(name, "ticket_search_") ||
		strings.HasPrefix(name, "message_search_")
}

// copier is one copy at work: the source's held connection, the
// destination's connection, and the transaction on it.
type copier struct {
	src      *sql.Conn
	dst      *pgx.Conn
	tx       pgx.Tx
	opts     CopyOptions
	photoDir string
	rep      *CopyReport
	tables   []copyTable // in the order of their foreign keys
	took     map[string]time.Duration
}

// copyTable is a table to copy, with the columns both sides have.
type copyTable struct {
	name     string
	cols     []string
	convs    []func(any) (any, error)
	identity string // its identity column, "" when none
}

func (c *copier) run(ctx context.Context) error {
	tx, err := c.dst.Begin(ctx)
	if err != nil {
		return fmt.Errorf("store: copy: %s: %w", c.rep.To, err)
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }() // after Commit, a no-op
	c.tx = tx
	// A server started on the destination meanwhile waits for the copy
	// before it writes (engine.go).
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, writerLock); err != nil {
		return fmt.Errorf("store: copy: %w", err)
	}
	if err := c.refuseFilled(ctx); err != nil {
		return err
	}
	if err := c.plan(ctx); err != nil {
		return err
	}
	if err := c.clear(ctx); err != nil {
		return err
	}
	bulk, err := c.unload(ctx)
	if err != nil {
		return err
	}
	for _, t := range c.tables {
		if err := c.copyTable(ctx, t); err != nil {
			return err
		}
	}
	if err := c.copyPhotos(ctx); err != nil {
		return err
	}
	if err := c.index(ctx); err != nil {
		return err
	}
	if err := c.reload(ctx, bulk); err != nil {
		return err
	}
	if err := c.finish(ctx); err != nil {
		return err
	}
	if err := c.countInTx(ctx); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("store: copy: commit: %w", err)
	}
	return nil
}

// refuseFilled refuses a destination that holds a merchant, user, ticket,
// API key or webhook: the copy makes a new database, it merges into none.
func (c *copier) refuseFilled(ctx context.Context) error {
	var found []string
	for _, t := range copyNeverEmpty {
		var n int64
		if err := c.tx.QueryRow(ctx, `SELECT count(*) FROM `+pgx.Identifier{t}.Sanitize()).Scan(&n); err != nil {
			return fmt.Errorf("store: copy: %s: %w", t, err)
		}
		if n > 0 {
			found = append(found, fmt.Sprintf("%d %s", n, t))
		}
	}
	if len(found) > 0 {
		return fmt.Errorf("store: copy: %s is not empty (it holds %s): copy only into a new, empty database",
			c.rep.To, strings.Join(found, ", "))
	}
	return nil
}

// plan reads both catalogues: the tables to copy, in the order of their
// foreign keys, and the columns of each that both sides have.
func (c *copier) plan(ctx context.Context) error {
	// citext (users.email) is an extension's type, which pgx's COPY must
	// be told of: text, as far as the wire is concerned.
	var citext uint32
	err := c.tx.QueryRow(ctx, `SELECT coalesce(to_regtype('citext')::oid, 0)`).Scan(&citext)
	if err != nil {
		return fmt.Errorf("store: copy: %w", err)
	}
	if citext != 0 {
		c.dst.TypeMap().RegisterType(&pgtype.Type{Name: "citext", OID: citext, Codec: pgtype.TextCodec{}})
	}

	srcTables := map[string]bool{}
	rows, err := c.src.QueryContext(ctx, `SELECT name FROM sqlite_schema WHERE type = 'table'`)
	if err := eachRow(rows, err, func(rows *sql.Rows) error {
		var name string
		if err := rows.Scan(&name); err != nil {
			return err
		}
		if !sqliteOwn(name) {
			srcTables[name] = true
		}
		return nil
	}); err != nil {
		return fmt.Errorf("store: copy: the source's tables: %w", err)
	}

	type column struct{ table, name, typ, identity string }
	var cols []column
	pgRows, err := c.tx.Query(ctx, `SELECT c.table_name, c.column_name, c.udt_name, c.is_identity
		FROM information_schema.columns c JOIN information_schema.tables t
			ON t.table_schema = c.table_schema AND t.table_name = c.table_name
		WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
		ORDER BY c.table_name, c.ordinal_position`)
	if err != nil {
		return fmt.Errorf("store: copy: the destination's tables: %w", err)
	}
	for pgRows.Next() {
		var col column
		if err := pgRows.Scan(&col.table, &col.name, &col.typ, &col.identity); err != nil {
			pgRows.Close()
			return fmt.Errorf("store: copy: the destination's tables: %w", err)
		}
		cols = append(cols, col)
	}
	if err := pgRows.Err(); err != nil {
		return fmt.Errorf("store: copy: the destination's tables: %w", err)
	}

	byName := map[string]*copyTable{}
	var names []string
	for _, col := range cols {
		if copyDerived[col.table] {
			continue
		}
		t := byName[col.table]
		if t == nil {
			if !srcTables[col.table] {
				return fmt.Errorf("store: copy: the destination has a table %s that the source lacks", col.table)
			}
			t = &copyTable{name: col.table}
			byName[col.table] = t
			names = append(names, col.table)
		}
		conv, err := converter(col.typ)
		if err != nil {
			return fmt.Errorf("store: copy: %s.%s: %w", col.table, col.name, err)
		}
		t.cols, t.convs = append(t.cols, col.name), append(t.convs, conv)
		if col.identity == "YES" {
			t.identity = col.name
		}
	}
	for name := range srcTables {
		if byName[name] == nil && !copyDerived[name] {
			return fmt.Errorf("store: copy: the source has a table %s that the destination lacks", name)
		}
	}
	// Every column of the source must have somewhere to go: a column only
	// the destination has keeps its default.
	for _, name := range names {
		t := byName[name]
		rows, err := c.src.QueryContext(ctx, `SELECT name FROM pragma_table_info(?)`, name)
		if err := eachRow(rows, err, func(rows *sql.Rows) error {
			var col string
			if err := rows.Scan(&col); err != nil {
				return err
			}
			if !slices.Contains(t.cols, col) {
				return fmt.Errorf("the source has a column %s.%s that the destination lacks", name, col)
			}
			return nil
		}); err != nil {
			return fmt.Errorf("store: copy: %w", err)
		}
	}

	order, err := c.foreignKeyOrder(ctx, names)
	if err != nil {
		return err
	}
	for _, name := range order {
		c.tables = append(c.tables, *byName[name])
	}
	return nil
}

// foreignKeyOrder orders the tables so that each comes after the tables
// its foreign keys refer to (a table referring to itself, as messages
// do, is checked at the end of its COPY statement).
func (c *copier) foreignKeyOrder(ctx context.Context, names []string) ([]string, error) {
	refers := map[string][]string{}
	rows, err := c.tx.Query(ctx, `SELECT DISTINCT t.relname, r.relname
		FROM pg_constraint k JOIN pg_class t ON t.oid = k.conrelid JOIN pg_class r ON r.oid = k.confrelid
			JOIN pg_namespace n ON n.oid = t.relnamespace
		WHERE k.contype = 'f' AND n.nspname = current_schema()`)
	if err != nil {
		return nil, fmt.Errorf("store: copy: foreign keys: %w", err)
	}
	for rows.Next() {
		var t, r string
		if err := rows.Scan(&t, &r); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: copy: foreign keys: %w", err)
		}
		if t != r {
			refers[t] = append(refers[t], r)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: copy: foreign keys: %w", err)
	}
	slices.Sort(names)
	var order []string
	state := map[string]int{} // 1: being placed, 2: placed
	var place func(string, []string) error
	place = func(t string, path []string) error {
		switch state[t] {
		case 2:
			return nil
		case 1:
			return fmt.Errorf("store: copy: the foreign keys go round: %s", strings.Join(append(path, t), " -> "))
		}
		state[t] = 1
		deps := slices.Clone(refers[t])
		slices.Sort(deps)
		for _, r := range deps {
			if err := place(r, append(path, t)); err != nil {
				return err
			}
		}
		state[t] = 2
		if slices.Contains(names, t) {
			order = append(order, t)
		}
		return nil
	}
	for _, t := range names {
		if err := place(t, nil); err != nil {
			return nil, err
		}
	}
	return order, nil
}

// index builds the search index of the rows copied, all at once: the
// terms of each ticket and message made from the source's rows as the
// store makes them when it indexes one (search.go), and turned into
// tsvectors by PostgreSQL. (BackfillSearch would index the same, a row at
// a time: some minutes at a million tickets.)
func (c *copier) index(ctx context.Context) error {
	start := time.Now()
	if _, err := c.tx.Exec(ctx, `CREATE TEMPORARY TABLE anxin_copy_terms (id bigint NOT NULL, terms text NOT NULL)
		ON COMMIT DROP`); err != nil {
		return fmt.Errorf("store: copy: the search index: %w", err)
	}
	for _, ix := range []struct {
		index, query string
		terms        func(*sql.Rows) (int64, string, error)
	}{
		{"ticket_search", `SELECT id, order_id, buyer_name, buyer_phone, product, reason, merchant_id FROM tickets`,
			func(rows *sql.Rows) (int64, string, error) {
				var id, merchant int64
				var order, name, phone, product, reason string
				err := rows.Scan(&id, &order, &name, &phone, &product, &reason, &merchant)
				return id, ticketTerms(order, name, phone, product, reason, merchant), err
			}},
		{"message_search", `SELECT m.id, m.body, t.merchant_id FROM messages m JOIN tickets t ON t.id = m.ticket_id`,
			func(rows *sql.Rows) (int64, string, error) {
				var id, merchant int64
				var body string
				err := rows.Scan(&id, &body, &merchant)
				return id, messageTerms(body, merchant), err
			}},
	} {
		rows, err := c.src.QueryContext(ctx, ix.query)
		if err != nil {
			return fmt.Errorf("store: copy: the search index: %w", err)
		}
		in := &termSource{rows: rows, terms: ix.terms}
		_, err = c.tx.CopyFrom(ctx, pgx.Identifier{"anxin_copy_terms"}, []string{"id", "terms"}, in)
		if err = errors.Join(err, rows.Close()); err != nil {
			return fmt.Errorf("store: copy: %s: %w", ix.index, err)
		}
		tag, err := c.tx.Exec(ctx, `INSERT INTO `+pgx.Identifier{ix.index}.Sanitize()+` (id, terms)
			SELECT id, to_tsvector('simple', terms) FROM anxin_copy_terms`)
		if err != nil {
			return fmt.Errorf("store: copy: %s: %w", ix.index, err)
		}
		if _, err := c.tx.Exec(ctx, `TRUNCATE anxin_copy_terms`); err != nil {
			return fmt.Errorf("store: copy: %s: %w", ix.index, err)
		}
		if ix.index == "ticket_search" {
			c.rep.SearchTickets = tag.RowsAffected()
		} else {
			c.rep.SearchMessages = tag.RowsAffected()
		}
		if c.opts.Progress != nil {
			c.opts.Progress(CopiedTable{Name: ix.index, Dest: tag.RowsAffected(), Took: time.Since(start)})
		}
		start = time.Now()
	}
	return nil
}

// termSource hands the search terms of the source's rows to COPY.
type termSource struct {
	rows  *sql.Rows
	terms func(*sql.Rows) (int64, string, error)
	vals  []any
	err   error
}

func (t *termSource) Next() bool {
	if t.err != nil || !t.rows.Next() {
		return false
	}
	id, terms, err := t.terms(t.rows)
	if err != nil {
		t.err = err
		return false
	}
	t.vals = []any{id, terms}
	return true
}

func (t *termSource) Values() ([]any, error) { return t.vals, t.err }

func (t *termSource) Err() error {
	if t.err != nil {
		return t.err
	}
	return t.rows.Err()
}

// bulkLoad is what the copy takes off the tables it fills while their
// rows go in, and puts back after: the user triggers (the figures', which
// are counted afresh after the copy anyway) and the indexes no constraint
// stands on, each built once from all the rows at the end (as pg_restore
// does) instead of kept up row by row.
type bulkLoad struct {
	triggers []string // the tables whose user triggers are off
	indexes  []string // the indexes dropped, as pg_get_indexdef makes them again
}

// unload takes the triggers and indexes off (bulkLoad). Only the tables'
// owner may: on a destination whose tables belong to another role they
// stay, which is slower and comes to the same rows and figures.
func (c *copier) unload(ctx context.Context) (bulkLoad, error) {
	var b bulkLoad
	filled := []string{"ticket_search", "message_search", "photo_files"}
	for _, t := range c.tables {
		filled = append(filled, t.name)
	}
	var owner bool
	if err := c.tx.QueryRow(ctx, `SELECT coalesce(bool_and(pg_has_role(t.relowner, 'USAGE')), false)
		FROM pg_class t JOIN pg_namespace n ON n.oid = t.relnamespace
		WHERE n.nspname = current_schema() AND t.relname = ANY($1)`, filled).Scan(&owner); err != nil {
		return b, fmt.Errorf("store: copy: the tables' owner: %w", err)
	}
	if !owner {
		return b, nil
	}
	rows, err := c.tx.Query(ctx, `SELECT DISTINCT t.relname FROM pg_trigger g
			JOIN pg_class t ON t.oid = g.tgrelid JOIN pg_namespace n ON n.oid = t.relnamespace
		WHERE NOT g.tgisinternal AND n.nspname = current_schema() AND t.relname = ANY($1)
		ORDER BY 1`, filled)
	if err != nil {
		return b, fmt.Errorf("store: copy: triggers: %w", err)
	}
	if b.triggers, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
		return b, fmt.Errorf("store: copy: triggers: %w", err)
	}
	type index struct{ Name, Def string } // exported for RowToStructByPos
	rows, err = c.tx.Query(ctx, `SELECT i.relname, pg_get_indexdef(i.oid)
		FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
			JOIN pg_namespace n ON n.oid = t.relnamespace
		WHERE n.nspname = current_schema() AND t.relname = ANY($1)
			AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid)
		ORDER BY 1`, filled)
	if err != nil {
		return b, fmt.Errorf("store: copy: indexes: %w", err)
	}
	indexes, err := pgx.CollectRows(rows, pgx.RowToStructByPos[index])
	if err != nil {
		return b, fmt.Errorf("store: copy: indexes: %w", err)
	}
	for _, t := range b.triggers {
		if _, err := c.tx.Exec(ctx, `ALTER TABLE `+pgx.Identifier{t}.Sanitize()+` DISABLE TRIGGER USER`); err != nil {
			return b, fmt.Errorf("store: copy: triggers of %s: %w", t, err)
		}
	}
	for _, ix := range indexes {
		if _, err := c.tx.Exec(ctx, `DROP INDEX `+pgx.Identifier{ix.Name}.Sanitize()); err != nil {
			return b, fmt.Errorf("store: copy: index %s: %w", ix.Name, err)
		}
		b.indexes = append(b.indexes, ix.Def)
	}
	return b, nil
}

// reload builds the indexes again and turns the triggers back on.
func (c *copier) reload(ctx context.Context, b bulkLoad) error {
	start := time.Now()
	for _, def := range b.indexes {
		if _, err := c.tx.Exec(ctx, def); err != nil {
			return fmt.Errorf("store: copy: %s: %w", def, err)
		}
	}
	for _, t := range b.triggers {
		if _, err := c.tx.Exec(ctx, `ALTER TABLE `+pgx.Identifier{t}.Sanitize()+` ENABLE TRIGGER USER`); err != nil {
			return fmt.Errorf("store: copy: triggers of %s: %w", t, err)
		}
	}
	if c.opts.Progress != nil && len(b.indexes) > 0 {
		c.opts.Progress(CopiedTable{Name: fmt.Sprintf("(%d indexes built)", len(b.indexes)), Took: time.Since(start)})
	}
	return nil
}

// clear removes what a new database's tables hold already: rows its
// schema put there (the platform's rule limits, the index's and figures'
// bookkeeping), which the source's rows replace.
func (c *copier) clear(ctx context.Context) error {
	names := []string{"photo_files", "ticket_search", "message_search", "figures_daily", "figures_people", "figures_people_all"}
	for i := len(c.tables) - 1; i >= 0; i-- {
		names = append(names, c.tables[i].name)
	}
	for _, t := range names {
		tag, err := c.tx.Exec(ctx, `DELETE FROM `+pgx.Identifier{t}.Sanitize())
		if err != nil {
			return fmt.Errorf("store: copy: clearing %s: %w", t, err)
		}
		if n := tag.RowsAffected(); n > 0 && !copyDerived[t] {
			c.rep.Cleared = append(c.rep.Cleared, fmt.Sprintf("%s: %d", t, n))
		}
	}
	return nil
}

// copyTable copies one table's rows through COPY, as SQLite reads them
// out.
func (c *copier) copyTable(ctx context.Context, t copyTable) error {
	start := time.Now()
	quoted := make([]string, len(t.cols))
	for i, col := range t.cols {
		quoted[i] = sqliteName(col)
	}
	rows, err := c.src.QueryContext(ctx, `SELECT `+strings.Join(quoted, ", ")+` FROM `+sqliteName(t.name))
	if err != nil {
		return fmt.Errorf("store: copy: reading %s: %w", t.name, err)
	}
	defer rows.Close()
	in := newRowSource(t, rows)
	n, err := c.tx.CopyFrom(ctx, pgx.Identifier{t.name}, t.cols, in)
	if err != nil {
		return fmt.Errorf("store: copy: %s (after %d rows): %w", t.name, in.n, err)
	}
	if t.identity != "" {
		// The next id the destination makes comes after the copied ones.
		q := fmt.Sprintf(`SELECT setval(pg_get_serial_sequence($1, $2), coalesce(max(%[1]s), 1), max(%[1]s) IS NOT NULL) FROM %[2]s`,
			pgx.Identifier{t.identity}.Sanitize(), pgx.Identifier{t.name}.Sanitize())
		if _, err := c.tx.Exec(ctx, q, pgx.Identifier{t.name}.Sanitize(), t.identity); err != nil {
			return fmt.Errorf("store: copy: the ids of %s: %w", t.name, err)
		}
	}
	ct := CopiedTable{Name: t.name, Dest: n, Took: time.Since(start)}
	c.took[t.name] = ct.Took
	if c.opts.Progress != nil {
		c.opts.Progress(ct)
	}
	return nil
}

// sqliteName quotes a table's or a column's name for SQLite.
func sqliteName(name string) string { return `"` + strings.ReplaceAll(name, `"`, `""`) + `"` }

// rowSource hands SQLite's rows to pgx's COPY, each value converted to what
// its destination column takes.
type rowSource struct {
	t    copyTable
	rows *sql.Rows
	raw  []any
	dest []any
	vals []any
	n    int64
	err  error
}

func newRowSource(t copyTable, rows *sql.Rows) *rowSource {
	r := &rowSource{t: t, rows: rows, raw: make([]any, len(t.cols)), dest: make([]any, len(t.cols)), vals: make([]any, len(t.cols))}
	for i := range r.raw {
		r.dest[i] = &r.raw[i]
	}
	return r
}

func (r *rowSource) Next() bool {
	if r.err != nil || !r.rows.Next() {
		return false
	}
	if err := r.rows.Scan(r.dest...); err != nil {
		r.err = err
		return false
	}
	for i, v := range r.raw {
		var err error
		if r.vals[i], err = r.t.convs[i](v); err != nil {
			r.err = fmt.Errorf("row %d, %s: %w", r.n+1, r.t.cols[i], err)
			return false
		}
	}
	r.n++
	return true
}

func (r *rowSource) Values() ([]any, error) { return r.vals, r.err }

func (r *rowSource) Err() error {
	if r.err != nil {
		return r.err
	}
	return r.rows.Err()
}

// converter turns what SQLite hands out (int64, float64, string, []byte or
// nil) into what a PostgreSQL column of the type takes: bigint an int64,
// text a string, bytea a []byte (pgx refuses a string for it). SQLite keeps
// a value as it was written whatever the column says, so each is converted
// by the destination's type; NULL stays NULL.
func converter(udt string) (func(any) (any, error), error) {
	switch udt {
	case "int8", "int4", "int2":
		return func(v any) (any, error) {
			switch v := v.(type) {
			case nil, int64:
				return v, nil
			case float64:
				if v == float64(int64(v)) {
					return int64(v), nil
				}
			case string:
				return strconv.ParseInt(v, 10, 64)
			case []byte:
				return strconv.ParseInt(string(v), 10, 64)
			}
			return nil, fmt.Errorf("%v (%T) is not an integer", v, v)
		}, nil
	case "text", "citext", "varchar":
		return func(v any) (any, error) {
			switch v := v.(type) {
			case nil, string:
				return v, nil
			case []byte:
				return string(v), nil
			case int64:
				return strconv.FormatInt(v, 10), nil
			case float64:
				return strconv.FormatFloat(v, 'g', -1, 64), nil
			}
			return nil, fmt.Errorf("%v (%T) is not text", v, v)
		}, nil
	case "bytea":
		return func(v any) (any, error) {
			switch v := v.(type) {
			case nil:
				return nil, nil
			case []byte:
				if v == nil {
					return []byte{}, nil // an empty blob, which pgx would send as NULL
				}
				return v, nil
			case string:
				return []byte(v), nil
			}
			return nil, fmt.Errorf("%v (%T) is not bytes", v, v)
		}, nil
	}
	return nil, fmt.Errorf("a column of type %s, which the copy does not know", udt)
}

// copyPhotos writes every photo file a kept photo refers to (both sizes)
// into photo_files, each hashed against its name on the way.
func (c *copier) copyPhotos(ctx context.Context) error {
	start := time.Now()
	var sums []string
	rows, err := c.src.QueryContext(ctx, `SELECT sha256 FROM evidence WHERE erased_at IS NULL
		UNION SELECT thumb_sha256 FROM evidence WHERE thumb_sha256 != '' AND erased_at IS NULL ORDER BY 1`)
	if err := eachRow(rows, err, func(rows *sql.Rows) error {
		var sum string
		if err := rows.Scan(&sum); err != nil {
			return err
		}
		sums = append(sums, sum)
		return nil
	}); err != nil {
		return fmt.Errorf("store: copy: the photos: %w", err)
	}
	in := &photoSource{dir: c.photoDir, sums: sums, skip: c.opts.SkipMissingPhotos}
	if _, err := c.tx.CopyFrom(ctx, pgx.Identifier{"photo_files"}, []string{"sha256", "jpeg"}, in); err != nil {
		return fmt.Errorf("store: copy: photos: %w", err)
	}
	c.rep.PhotoFiles, c.rep.PhotoBytes, c.rep.MissingPhotos = in.files, in.bytes, in.missing
	if c.opts.Progress != nil {
		c.opts.Progress(CopiedTable{Name: "photo_files", Dest: int64(in.files), Took: time.Since(start)})
	}
	return nil
}

// photoSource reads the photo files, one at a time, for COPY.
type photoSource struct {
	dir     string
	sums    []string
	skip    bool
	i       int
	vals    []any
	files   int
	bytes   int64
	missing []string
	err     error
}

func (p *photoSource) Next() bool {
	for p.err == nil && p.i < len(p.sums) {
		sum := p.sums[p.i]
		p.i++
		b, err := p.read(sum)
		if err != nil {
			if p.skip {
				p.missing = append(p.missing, err.Error())
				continue
			}
			p.err = fmt.Errorf("%w (--skip-missing-photos copies on without it)", err)
			return false
		}
		p.vals = []any{sum, b}
		p.files++
		p.bytes += int64(len(b))
		return true
	}
	return false
}

// read reads the file of the photo whose hash is sum, and checks it.
func (p *photoSource) read(sum string) ([]byte, error) {
	if len(sum) != 64 || strings.Trim(sum, "0123456789abcdef") != "" {
		return nil, fmt.Errorf("photo %q: not a SHA-256", sum)
	}
	path := filepath.Join(p.dir, sum[:2], sum+".jpg")
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("photo file %s is missing", path)
	}
	if err != nil {
		return nil, fmt.Errorf("photo file %s: %w", path, err)
	}
	if got := sha256.Sum256(b); hex.EncodeToString(got[:]) != sum {
		return nil, fmt.Errorf("photo file %s is damaged: its bytes hash to %s", path, hex.EncodeToString(got[:]))
	}
	return b, nil
}

func (p *photoSource) Values() ([]any, error) { return p.vals, nil }
func (p *photoSource) Err() error             { return p.err }

// finish leaves the figures to be counted, and has the planner's
// statistics of the tables filled made now, as after a pg_restore: the
// figures are counted, and the first pages served, on plans that know the
// tables' sizes (autovacuum would come to it only later).
func (c *copier) finish(ctx context.Context) error {
	stmts := []string{
		// The search index is whole (index): nothing to backfill.
		`DELETE FROM search_backfill`,
		// Open counts the figures when they are not built (figures.go).
		`UPDATE figures_zone SET built = 0`,
	}
	analyze := []string{"ticket_search", "message_search", "photo_files"}
	for _, t := range c.tables {
		analyze = append(analyze, pgx.Identifier{t.name}.Sanitize())
	}
	stmts = append(stmts, `ANALYZE `+strings.Join(analyze, ", "))
	start := time.Now()
	for _, q := range stmts {
		if _, err := c.tx.Exec(ctx, q); err != nil {
			return fmt.Errorf("store: copy: %w", err)
		}
	}
	if c.opts.Progress != nil {
		c.opts.Progress(CopiedTable{Name: "(statistics)", Took: time.Since(start)})
	}
	return nil
}

// countInTx counts every table on both sides before the commit: a copy
// that lost a row is rolled back.
func (c *copier) countInTx(ctx context.Context) error {
	for _, t := range c.tables {
		var src, dst int64
		if err := c.src.QueryRowContext(ctx, `SELECT count(*) FROM `+sqliteName(t.name)).Scan(&src); err != nil {
			return fmt.Errorf("store: copy: counting %s: %w", t.name, err)
		}
		if err := c.tx.QueryRow(ctx, `SELECT count(*) FROM `+pgx.Identifier{t.name}.Sanitize()).Scan(&dst); err != nil {
			return fmt.Errorf("store: copy: counting %s: %w", t.name, err)
		}
		if src != dst {
			return fmt.Errorf("store: copy: %s has %d rows in the source and %d in the copy: rolled back", t.name, src, dst)
		}
	}
	return nil
}

// verify counts both sides again, after the commit and the rebuilding of
// what is derived, for the report.
func (c *copier) verify(ctx context.Context) error {
	conn, rep := c.dst, c.rep
	rep.Tables = rep.Tables[:0]
	for _, t := range c.tables {
		ct := CopiedTable{Name: t.name, Took: c.took[t.name]}
		if err := c.src.QueryRowContext(ctx, `SELECT count(*) FROM `+sqliteName(t.name)).Scan(&ct.Source); err != nil {
			return fmt.Errorf("store: copy: counting %s: %w", t.name, err)
		}
		if err := conn.QueryRow(ctx, `SELECT count(*) FROM `+pgx.Identifier{t.name}.Sanitize()).Scan(&ct.Dest); err != nil {
			return fmt.Errorf("store: copy: counting %s: %w", t.name, err)
		}
		rep.Tables = append(rep.Tables, ct)
	}
	const sums = `SELECT
		(SELECT count(*) FROM tickets), (SELECT coalesce(sum(paid_fen), 0) FROM tickets),
		(SELECT coalesce(sum(refunded_fen), 0) FROM tickets), (SELECT count(*) FROM ticket_events),
		(SELECT count(*) FROM refunds), (SELECT coalesce(sum(amount_fen), 0) FROM refunds),
		(SELECT coalesce(sum(amount_fen), 0) FROM refunds WHERE status = 'succeeded'),
		(SELECT count(*) FROM evidence)`
	s, d := &rep.Source, &rep.Dest
	if err := c.src.QueryRowContext(ctx, sums).Scan(&s.Tickets, &s.PaidFen, &s.RefundedFen, &s.Events,
		&s.Refunds, &s.RefundsFen, &s.RefundsSucceededFen, &s.Photos); err != nil {
		return fmt.Errorf("store: copy: the source's sums: %w", err)
	}
	// PostgreSQL's sum of bigints is a numeric.
	if err := conn.QueryRow(ctx, strings.ReplaceAll(sums, "), 0)", ")::bigint, 0)")).Scan(&d.Tickets, &d.PaidFen, &d.RefundedFen, &d.Events,
		&d.Refunds, &d.RefundsFen, &d.RefundsSucceededFen, &d.Photos); err != nil {
		return fmt.Errorf("store: copy: the destination's sums: %w", err)
	}
	if err := conn.QueryRow(ctx, `SELECT count(*), coalesce(sum(length(jpeg)), 0)::bigint FROM photo_files`).Scan(
		&rep.DestPhotos, &rep.DestPhotoSize); err != nil {
		return fmt.Errorf("store: copy: the destination's photos: %w", err)
	}
	if err := conn.QueryRow(ctx, `SELECT (SELECT count(*) FROM ticket_search), (SELECT count(*) FROM message_search)`).Scan(
		&rep.IndexedTickets, &rep.IndexedMessages); err != nil {
		return fmt.Errorf("store: copy: the destination's search index: %w", err)
	}
	var srcZone, dstZone string
	var built int64
	if err := c.src.QueryRowContext(ctx, `SELECT modifier, built FROM figures_zone`).Scan(&srcZone, &built); err != nil {
		return fmt.Errorf("store: copy: the source's figures: %w", err)
	}
	if err := conn.QueryRow(ctx, `SELECT modifier FROM figures_zone`).Scan(&dstZone); err != nil {
		return fmt.Errorf("store: copy: the destination's figures: %w", err)
	}
	rep.FiguresCompared = srcZone == dstZone && built == 1
	q := figureTotalsQuery()
	if err := c.src.QueryRowContext(ctx, q).Scan(rep.SourceFigures.dest()...); err != nil {
		return fmt.Errorf("store: copy: the source's figures: %w", err)
	}
	if err := conn.QueryRow(ctx, strings.ReplaceAll(q, "), 0)", ")::bigint, 0)")).Scan(rep.DestFigures.dest()...); err != nil {
		return fmt.Errorf("store: copy: the destination's figures: %w", err)
	}
	return nil
}

func figureTotalsQuery() string {
	return `SELECT
		(SELECT coalesce(sum(refunded), 0) FROM figures_daily), (SELECT coalesce(sum(refund_fen), 0) FROM figures_daily),
		(SELECT coalesce(sum(arbitrations_open), 0) FROM figures_daily), (SELECT coalesce(sum(decided), 0) FROM figures_daily),
		(SELECT coalesce(sum(missed), 0) FROM figures_daily),
		(SELECT coalesce(sum(` + strings.ReplaceAll(histogramColumns("", ""), ", ", " + ") + `), 0) FROM figures_daily),
		(SELECT coalesce(sum(decisions), 0) FROM figures_people), (SELECT coalesce(sum(clocks_ended), 0) FROM figures_people),
		(SELECT coalesce(sum(decisions), 0) FROM figures_people_all)`
}

func (f *FigureTotals) dest() []any {
	return []any{&f.Refunded, &f.RefundFen, &f.ArbitrationsOpen, &f.Decided, &f.Missed, &f.FirstActions,
		&f.Decisions, &f.ClocksEnded, &f.DecisionsAll}
}
