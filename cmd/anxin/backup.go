package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/anxin-helpdesk/anxin/store"
)

// storeConfig is how the commands open the database: stamped with this
// binary's version, and writing a backup beside the database (backups/)
// before migrations change its schema.
func storeConfig(dbPath string) store.Config {
	if store.IsPostgres(dbPath) {
		// PostgreSQL's own tools back it up (pg_dump, replication): the
		// README says how.
		return store.Config{Version: version}
	}
	return store.Config{Version: version, PreMigrateBackupDir: filepath.Join(filepath.Dir(dbPath), "backups")}
}

// backup writes a backup of a database a server may be using.
func backup(ctx context.Context, args []string, stdout io.Writer) error {
	f := newFlags("backup")
	dbPath := f.str("db", "./data/anxin.db", "database file")
	to := f.String("to", "", "directory the backup is written into, as anxin-YYYYMMDD-HHMMSS/ (required)")
	if err := f.parse(args); err != nil {
		return err
	}
	if *to == "" {
		return usageError{"backup: --to DIR is required"}
	}
	b, err := store.BackupDatabase(ctx, *dbPath, storeConfig(*dbPath), *to)
	if err != nil {
		return err
	}
	m := b.Manifest
	fmt.Fprintf(stdout, "backup of %s written and verified: %s\n", *dbPath, b.Path)
	fmt.Fprintf(stdout, "  database  %s (schema %s)\n", size(b.DBBytes), newest(m.Migrations))
	printCounts(stdout, m.Counts)
	fmt.Fprintf(stdout, "  photos    %s files, %s", thousands(int64(m.PhotoFiles)), size(m.PhotoBytes))
	if b.Linked > 0 {
		fmt.Fprintf(stdout, " (%s hard-linked from the previous backup)", thousands(int64(b.Linked)))
	}
	fmt.Fprintf(stdout, "\n  took      %s (the database was read in %s)\n", b.Took.Round(time.Millisecond), b.Snapshot.Round(time.Millisecond))
	return nil
}

func printCounts(w io.Writer, c store.Counts) {
	fmt.Fprintf(w, "  tickets   %s (%s events), refunds %s of %s, photos %s\n", thousands(c.Tickets), thousands(c.Events),
		thousands(c.Refunds), yuan(c.RefundsFen), thousands(c.Photos))
}

// restore puts a backup back, into a stopped deployment.
func restore(ctx context.Context, args []string, stdout io.Writer) error {
	f := newFlags("restore")
	dbPath := f.str("db", "./data/anxin.db", "database file to restore into")
	from := f.String("from", "", "the backup's directory, DIR/anxin-YYYYMMDD-HHMMSS (required)")
	force := f.Bool("force", false, "replace the database there (it is kept beside it as .replaced-…)")
	if err := f.parse(args); err != nil {
		return err
	}
	if *from == "" {
		return usageError{"restore: --from DIR is required"}
	}
	r, err := store.Restore(ctx, *from, *dbPath, storeConfig(*dbPath), *force)
	if err != nil {
		return err
	}
	m := r.Report.Manifest
	fmt.Fprintf(stdout, "restored %s (taken %s by Anxin %s) into %s\n", *from, m.CreatedAt.Format(time.RFC3339), m.Version, r.Path)
	printCounts(stdout, r.Report.Counts)
	fmt.Fprintf(stdout, "  photos    %s copied, %s there already\n", thousands(int64(r.PhotosCopied)), thousands(int64(r.PhotosKept)))
	if r.Replaced != "" {
		fmt.Fprintf(stdout, "the database it replaced is kept as %s: remove it once you are satisfied\n", r.Replaced)
	}
	if len(r.Report.Pending) > 0 {
		fmt.Fprintf(stdout, "its schema is older than this version's: the next start applies %s\n", strings.Join(r.Report.Pending, ", "))
	}
	return nil
}

// check runs the integrity checks on a database or a backup.
func check(ctx context.Context, args []string, stdout io.Writer) error {
	f := newFlags("check")
	dbPath := f.str("db", "./data/anxin.db", "database file")
	dir := f.String("backup", "", "check this backup directory instead of the database")
	if err := f.parse(args); err != nil {
		return err
	}
	var r store.Report
	var err error
	if *dir != "" {
		r, err = store.VerifyBackup(ctx, *dir, storeConfig(*dbPath))
	} else {
		r, err = store.Check(ctx, *dbPath, storeConfig(*dbPath))
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s\n", r.Path)
	fmt.Fprintf(stdout, "  schema    %s (%d migrations)\n", newest(r.Migrations), len(r.Migrations))
	printCounts(stdout, r.Counts)
	fmt.Fprintf(stdout, "  photos    %s files referred to\n", thousands(int64(r.PhotoFiles)))
	for _, p := range r.Problems {
		fmt.Fprintf(stdout, "  PROBLEM   %s\n", p)
	}
	if len(r.Problems) > 0 {
		return fmt.Errorf("check found %d problem(s) in %s", len(r.Problems), r.Path)
	}
	fmt.Fprintln(stdout, "  ok: integrity_check, foreign keys and every photo's hash")
	return nil
}

func newest(migrations []string) string {
	if len(migrations) == 0 {
		return "none"
	}
	return migrations[len(migrations)-1]
}

// size is a byte count as people read it.
func size(n int64) string {
	const unit = 1000
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	f, suffix := float64(n), "kMGT"
	i := -1
	for f >= unit && i < len(suffix)-1 {
		f /= unit
		i++
	}
	return fmt.Sprintf("%.1f %cB", f, suffix[i])
}

// thousands writes n with commas: 1,000,000.
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

func yuan(fen int64) string { return fmt.Sprintf("¥%s.%02d", thousands(fen/100), fen%100) }
