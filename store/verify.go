package store

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// Checks of a database (anxin check) and of a backup (restore runs them
// first): SQLite's integrity_check and foreign_key_check, every photo the
// database refers to present with the bytes its name promises, and for a
// backup every file its manifest lists, with its hash, and the counts it
// promised.

// Report is what a check found.
type Report struct {
	Path       string
	Migrations []string // applied, by name (0016_backups)
	Pending    []string // this binary's, not applied yet: the next start applies them
	Counts     Counts
	PhotoFiles int
	Manifest   *Manifest // a backup's
	Problems   []string  // empty when all is well

	photos []string // a backup's photo files, as SHA256SUMS lists them (photos/ab/….jpg)
}

// Err is nil when the check found nothing wrong, else one line naming the
// problems (the report lists them all).
func (r Report) Err() error {
	if len(r.Problems) == 0 {
		return nil
	}
	return fmt.Errorf("%s: %s", r.Path, summarize(r.Problems))
}

// summarize says how many problems there are, and the first few.
func summarize(problems []string) string {
	const shown = 3
	s := fmt.Sprintf("%d problem", len(problems))
	if len(problems) != 1 {
		s += "s"
	}
	s += ": " + strings.Join(problems[:min(len(problems), shown)], "; ")
	if len(problems) > shown {
		s += "; …"
	}
	return s
}

// maxProblems bounds what a check lists of one kind: a database broken
// everywhere would otherwise list every row.
const maxProblems = 100

// Check checks the database at dbPath, which a running server may be using
// (it reads, in one transaction, and changes nothing), and the photo files
// in cfg.PhotoDir (default: beside it). A database from a newer version is
// refused; problems found are in the report.
func Check(ctx context.Context, dbPath string, cfg Config) (Report, error) {
	if isPostgres(dbPath) {
		return Report{}, ErrPostgresBackup
	}
	cfg = cfg.withDefaults(dbPath)
	r := Report{Path: dbPath}
	db, err := openExisting(dbPath, true)
	if err != nil {
		return r, err
	}
	defer func() { _ = db.Close() }() // read only
	facts, problems, err := readFacts(ctx, db)
	if err != nil {
		return r, fmt.Errorf("store: %s: %w", dbPath, err)
	}
	if err := facts.schema.refuseNewer(dbPath, cfg.Version); err != nil {
		return r, err
	}
	r.fill(facts)
	checked, err := checkDatabase(ctx, db)
	if err != nil {
		return r, fmt.Errorf("store: %s: %w", dbPath, err)
	}
	r.Problems = append(problems, checked...)
	for _, sum := range facts.photos {
		if err := ctx.Err(); err != nil {
			return r, err
		}
		p := filepath.Join(cfg.PhotoDir, filepath.FromSlash(photoRel(sum)))
		got, _, err := hashFile(p)
		switch {
		case errors.Is(err, os.ErrNotExist):
			r.problem("photo %s is missing from %s", sum, cfg.PhotoDir)
		case err != nil:
			r.problem("photo %s: %v", sum, err)
		case got != sum:
			r.problem("photo file %s is damaged: its bytes hash to %s", p, got)
		}
	}
	return r, nil
}

func (r *Report) fill(f facts) {
	r.Migrations, r.Pending = migrationNames(f.schema.applied), migrationNames(f.schema.pending)
	r.Counts, r.PhotoFiles = f.counts, len(f.photos)
}

func (r *Report) problem(format string, args ...any) {
	r.Problems = append(r.Problems, fmt.Sprintf(format, args...))
}

// VerifyBackup checks the backup in dir as restore does before it copies
// anything: a finished backup's manifest, every file it lists with its
// hash, the database's integrity and the counts the manifest promised, every
// photo the database refers to in the backup. A backup from a newer version
// is refused; problems found are in the report.
func VerifyBackup(ctx context.Context, dir string, cfg Config) (Report, error) {
	r := Report{Path: dir}
	if strings.HasSuffix(filepath.Base(dir), partialSuffix) {
		return r, fmt.Errorf("store: %s is a backup that was never finished (stopped or failed while it was written), not a backup", dir)
	}
	m, err := readManifest(dir)
	if err != nil {
		return r, err
	}
	r.Manifest = &m
	for _, f := range m.Files {
		r.checkFile(dir, f.Path, f.SHA256)
	}
	listed, err := r.checkSums(ctx, dir, m.file(backupDBName).SHA256)
	if err != nil {
		return r, err
	}
	db, err := openCopy(filepath.Join(dir, backupDBName))
	if err != nil {
		return r, err
	}
	defer func() { _ = db.Close() }() // read only
	facts, problems, err := readFacts(ctx, db)
	if err != nil {
		return r, fmt.Errorf("store: the database of %s: %w", dir, err)
	}
	if err := facts.schema.refuseNewer(dir, cfg.version()); err != nil {
		return r, err
	}
	r.fill(facts)
	r.Problems = append(r.Problems, problems...)
	checked, err := checkDatabase(ctx, db)
	if err != nil {
		return r, fmt.Errorf("store: the database of %s: %w", dir, err)
	}
	r.Problems = append(r.Problems, checked...)
	if facts.counts != m.Counts {
		r.problem("the database holds %+v, the manifest promised %+v", facts.counts, m.Counts)
	}
	if !slices.Equal(migrationNames(facts.schema.applied), m.Migrations) {
		r.problem("the database's migrations are not the ones the manifest lists")
	}
	for _, sum := range facts.photos {
		if !listed["photos/"+photoRel(sum)] {
			r.problem("photo %s, which the database refers to, is not in the backup", sum)
		}
	}
	return r, nil
}

// checkFile checks that the backup's file rel has the given hash.
func (r *Report) checkFile(dir, rel, sum string) {
	got, _, err := hashFile(filepath.Join(dir, filepath.FromSlash(rel)))
	switch {
	case errors.Is(err, os.ErrNotExist):
		r.problem("%s is missing", rel)
	case err != nil:
		r.problem("%s: %v", rel, err)
	case got != sum:
		r.problem("%s is damaged: its bytes hash to %s, not %s", rel, got, sum)
	}
}

// checkSums checks every file SHA256SUMS lists, and returns them. The
// database, hashed already for the manifest, is not read again.
func (r *Report) checkSums(ctx context.Context, dir, dbSum string) (map[string]bool, error) {
	f, err := os.Open(filepath.Join(dir, sumsName))
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", dir, err)
	}
	defer func() { _ = f.Close() }() // read only
	listed := map[string]bool{}
	lines := bufio.NewScanner(f)
	for lines.Scan() {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		sum, rel, ok := strings.Cut(lines.Text(), "  ")
		if !ok || !validSum(sum) || !safeRel(rel) {
			r.problem("%s has a line that is not a file's hash: %q", sumsName, lines.Text())
			continue
		}
		listed[rel] = true
		if rel == backupDBName {
			if sum != dbSum {
				r.problem("%s and %s disagree about the database's hash", sumsName, manifestName)
			}
			continue
		}
		r.checkFile(dir, rel, sum)
		r.photos = append(r.photos, rel)
	}
	if err := lines.Err(); err != nil {
		return nil, fmt.Errorf("store: %s: %w", filepath.Join(dir, sumsName), err)
	}
	if !listed[backupDBName] {
		r.problem("%s does not list the database", sumsName)
	}
	return listed, nil
}

// safeRel is a path inside a backup: the database, or a photo below photos/.
func safeRel(rel string) bool {
	if rel == backupDBName {
		return true
	}
	return path.Clean(rel) == rel && strings.HasPrefix(rel, "photos/") && !strings.Contains(rel, "..")
}

// validSum is a SHA-256 as the store writes it: 64 lowercase hex digits.
func validSum(s string) bool {
	if len(s) != 64 || strings.ToLower(s) != s {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

// readManifest reads a backup's manifest and checks it describes the
// directory: the format this binary writes, and the files it lists present
// with their sizes. It hashes nothing (VerifyBackup does), so listing
// backups stays cheap.
func readManifest(dir string) (Manifest, error) {
	var m Manifest
	body, err := os.ReadFile(filepath.Join(dir, manifestName))
	if errors.Is(err, os.ErrNotExist) {
		return m, fmt.Errorf("store: %s is not a backup: it has no %s", dir, manifestName)
	}
	if err != nil {
		return m, fmt.Errorf("store: %w", err)
	}
	if err := json.Unmarshal(body, &m); err != nil {
		return m, fmt.Errorf("store: %s: its %s is not valid: %w", dir, manifestName, err)
	}
	if m.Format != manifestFormat {
		return m, fmt.Errorf("store: %s is a backup in format %d, which this version (format %d) does not read", dir, m.Format, manifestFormat)
	}
	var hasDB, hasSums bool
	for _, f := range m.Files {
		hasDB = hasDB || f.Path == backupDBName
		hasSums = hasSums || f.Path == sumsName
		fi, err := os.Stat(filepath.Join(dir, f.Path))
		if err != nil || fi.Size() != f.Bytes || (f.Path != backupDBName && f.Path != sumsName) {
			return m, fmt.Errorf("store: %s: its %s lists %s, which is not there as listed", dir, manifestName, f.Path)
		}
	}
	if !hasDB || !hasSums {
		return m, fmt.Errorf("store: %s: its %s does not list %s and %s", dir, manifestName, backupDBName, sumsName)
	}
	return m, nil
}

// facts are what one read transaction finds in a database.
type facts struct {
	schema schema
	counts Counts
	photos []string // the photo files it refers to, by SHA-256, sorted
}

// readFacts reads a database's migrations, counts and photo files in one
// read transaction. A photo reference that is not a SHA-256 is a problem
// (it would name a path outside the photo directory).
func readFacts(ctx context.Context, db *sql.DB) (facts, []string, error) {
	var f facts
	tx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return f, nil, err
	}
	defer func() { _ = tx.Rollback() }() // read only
	if f.schema, err = readSchema(ctx, tx, knownMigrations()); err != nil {
		return f, nil, err
	}
	c := &f.counts
	if err := tx.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM tickets), (SELECT coalesce(sum(paid_fen), 0) FROM tickets),
		(SELECT coalesce(sum(refunded_fen), 0) FROM tickets), (SELECT count(*) FROM ticket_events),
		(SELECT count(*) FROM refunds), (SELECT coalesce(sum(amount_fen), 0) FROM refunds),
		(SELECT coalesce(sum(amount_fen), 0) FROM refunds WHERE status = 'succeeded'),
		(SELECT count(*) FROM evidence)`).Scan(&c.Tickets, &c.PaidFen, &c.RefundedFen, &c.Events,
		&c.Refunds, &c.RefundsFen, &c.RefundsSucceededFen, &c.Photos); err != nil {
		return f, nil, fmt.Errorf("counts: %w", err)
	}
	// Thumbnails came with 0002_evidence and deleted photos with
	// 0022_photo_retention; a database from before has neither (and is
	// backed up before those migrations run). A deleted photo's files are
	// gone: only kept photos refer to files.
	q := `SELECT sha256 FROM evidence ORDER BY 1`
	var thumbs, erased int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FILTER (WHERE name = 'thumb_sha256'), count(*) FILTER (WHERE name = 'erased_at')
		FROM pragma_table_info('evidence')`).Scan(&thumbs, &erased); err != nil {
		return f, nil, err
	}
	switch {
	case erased > 0:
		q = `SELECT sha256 FROM evidence WHERE erased_at IS NULL
			UNION SELECT thumb_sha256 FROM evidence WHERE thumb_sha256 != '' AND erased_at IS NULL ORDER BY 1`
	case thumbs > 0:
		q = `SELECT sha256 FROM evidence UNION SELECT thumb_sha256 FROM evidence WHERE thumb_sha256 != '' ORDER BY 1`
	}
	rows, err := tx.QueryContext(ctx, q)
	if err != nil {
		return f, nil, fmt.Errorf("photos: %w", err)
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var sum string
		if err := rows.Scan(&sum); err != nil {
			return f, nil, err
		}
		if !validSum(sum) {
			if len(problems) < maxProblems {
				problems = append(problems, fmt.Sprintf("a photo is named %q, which is not a SHA-256", sum))
			}
			continue
		}
		f.photos = append(f.photos, sum)
	}
	return f, problems, rows.Err()
}

// checkDatabase runs SQLite's integrity_check and foreign_key_check, and
// returns what they found.
func checkDatabase(ctx context.Context, db *sql.DB) ([]string, error) {
	var problems []string
	rows, err := db.QueryContext(ctx, fmt.Sprintf(`PRAGMA integrity_check(%d)`, maxProblems))
	if err != nil {
		return nil, fmt.Errorf("integrity_check: %w", err)
	}
	for rows.Next() {
		var msg string
		if err := rows.Scan(&msg); err != nil {
			rows.Close()
			return nil, err
		}
		if msg != "ok" {
			problems = append(problems, "integrity: "+msg)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("integrity_check: %w", err)
	}
	rows, err = db.QueryContext(ctx, `PRAGMA foreign_key_check`)
	if err != nil {
		return nil, fmt.Errorf("foreign_key_check: %w", err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var table, parent string
		var rowid sql.NullInt64
		var fk int
		if err := rows.Scan(&table, &rowid, &parent, &fk); err != nil {
			return nil, err
		}
		if n++; n <= maxProblems {
			problems = append(problems, fmt.Sprintf("foreign key: %s row %d refers to a %s row that is not there", table, rowid.Int64, parent))
		}
	}
	if n > maxProblems {
		problems = append(problems, fmt.Sprintf("foreign key: %d more rows refer to rows that are not there", n-maxProblems))
	}
	return problems, rows.Err()
}
