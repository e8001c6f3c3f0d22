package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	sqlite3 "modernc.org/sqlite/lib"
)

// Restored is what a restore did.
type Restored struct {
	Report   Report // the backup's verification
	Path     string // the database written
	Replaced string // where the database it replaced is kept; "" when there was none
	// Photos copied into the photo directory, and those there already with
	// the right bytes.
	PhotosCopied, PhotosKept int
}

// Restore puts the backup in dir back as the database at dbPath, and its
// photos into cfg.PhotoDir (default: beside it), for a deployment that is
// stopped. An existing database is replaced only when force is set, and
// never while another process (a running server) has it open: its lock is
// taken first and held to the end, so no server starts on it meanwhile. The
// backup is then verified (VerifyBackup), and nothing is touched when that
// fails. The database replaced is kept beside it as
// PATH.replaced-YYYYMMDD-HHMMSS. Photos already in the photo directory stay:
// they are named by their content.
func Restore(ctx context.Context, dir, dbPath string, cfg Config, force bool) (Restored, error) {
	if isPostgres(dbPath) {
		return Restored{}, ErrPostgresBackup
	}
	cfg = cfg.withDefaults(dbPath)
	out := Restored{Path: dbPath}
	exists := false
	for _, suffix := range []string{"", "-wal"} {
		if _, err := os.Lstat(dbPath + suffix); err == nil {
			exists = true
		}
	}
	if exists && !force {
		return out, fmt.Errorf("store: %s exists: restore --force replaces it (the database there now is kept beside it)", dbPath)
	}
	var held *sql.Conn
	if exists {
		db, conn, err := holdAlone(ctx, dbPath)
		if err != nil {
			return out, err
		}
		defer func() { _ = db.Close() }()   // releases the lock, after the swap
		defer func() { _ = conn.Close() }() // the connection is the lock
		held = conn
	}
	rep, err := VerifyBackup(ctx, dir, cfg)
	out.Report = rep
	if err != nil {
		return out, err
	}
	if err := rep.Err(); err != nil {
		return out, fmt.Errorf("store: will not restore: the backup failed its checks: %w", err)
	}

	if err := os.MkdirAll(filepath.Dir(dbPath), 0o750); err != nil {
		return out, fmt.Errorf("store: %w", err)
	}
	tmp := dbPath + ".restoring"
	_ = os.Remove(tmp) // what a restore that was stopped left
	_, sum, err := copyFile(filepath.Join(dir, backupDBName), tmp)
	if err != nil {
		return out, fmt.Errorf("store: %w", errors.Join(err, os.Remove(tmp)))
	}
	defer func() { _ = os.Remove(tmp) }() // renamed away unless a step failed
	if want := rep.Manifest.file(backupDBName).SHA256; sum != want {
		return out, fmt.Errorf("store: the database copied from %s hashes to %s, not %s", dir, sum, want)
	}
	if out.PhotosCopied, out.PhotosKept, err = restorePhotos(ctx, dir, rep.photos, cfg.PhotoDir); err != nil {
		return out, err
	}

	if held != nil {
		// The file alone is then the whole database it replaces: its WAL
		// checkpointed into it and gone (the next Open puts WAL back).
		var mode string
		if err := held.QueryRowContext(ctx, `PRAGMA journal_mode = DELETE`).Scan(&mode); err != nil || !strings.EqualFold(mode, "delete") {
			return out, fmt.Errorf("store: cannot checkpoint %s (journal mode %q): %w", dbPath, mode, err)
		}
		out.Replaced = dbPath + ".replaced-" + cfg.Clock.Now().UTC().Format(stampLayout)
		if err := os.Rename(dbPath, out.Replaced); err != nil {
			return out, fmt.Errorf("store: %w", err)
		}
	}
	for _, suffix := range []string{"-wal", "-shm", "-journal"} {
		if err := os.Remove(dbPath + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			return out, fmt.Errorf("store: %w", err)
		}
	}
	if err := os.Rename(tmp, dbPath); err != nil {
		return out, fmt.Errorf("store: %w", err)
	}
	if err := syncDirs(filepath.Dir(dbPath)); err != nil {
		return out, fmt.Errorf("store: %w", err)
	}
	return out, nil
}

// holdAlone opens the database at path and takes SQLite's exclusive lock
// on it, which it holds until the connection closes: it fails at once when
// any other connection has the database open. In WAL mode every open
// connection holds a shared lock on the file for as long as it is open, idle
// or not, so a running server, however quiet, is found.
func holdAlone(ctx context.Context, path string) (*sql.DB, *sql.Conn, error) {
	if err := checkHeader(path); err != nil {
		return nil, nil, err
	}
	db, err := sql.Open("sqlite", "file:"+path+"?mode=rw&_pragma=busy_timeout(200)&_pragma=locking_mode(EXCLUSIVE)")
	if err != nil {
		return nil, nil, fmt.Errorf("store: %w", err)
	}
	conn, err := db.Conn(ctx)
	if err == nil {
		// In exclusive locking mode the lock outlives the transaction.
		if _, err = conn.ExecContext(ctx, `BEGIN EXCLUSIVE`); err == nil {
			_, err = conn.ExecContext(ctx, `COMMIT`)
		}
	}
	if err != nil {
		if conn != nil {
			_ = conn.Close()
		}
		_ = db.Close()
		if sqliteCode(err)&0xff == sqlite3.SQLITE_BUSY {
			return nil, nil, fmt.Errorf("store: %s is in use by another process (a running server?): stop it first", path)
		}
		return nil, nil, fmt.Errorf("store: cannot open %s: %w", path, err)
	}
	return db, conn, nil
}

// restorePhotos copies the backup's photo files into photoDir, each through
// a temporary file renamed into place; a file there already with the right
// bytes is kept.
func restorePhotos(ctx context.Context, dir string, rels []string, photoDir string) (copied, kept int, err error) {
	made := map[string]bool{}
	for _, rel := range rels {
		if err := ctx.Err(); err != nil {
			return copied, kept, err
		}
		sum := strings.TrimSuffix(filepath.Base(rel), ".jpg")
		to := filepath.Join(photoDir, filepath.FromSlash(photoRel(sum)))
		if got, _, err := hashFile(to); err == nil && got == sum {
			kept++
			continue
		}
		d := filepath.Dir(to)
		if !made[d] {
			if err := os.MkdirAll(d, 0o750); err != nil {
				return copied, kept, fmt.Errorf("store: %w", err)
			}
			made[d] = true
		}
		tmp := filepath.Join(d, ".restore-"+sum)
		_ = os.Remove(tmp) // what a restore that was stopped left
		_, got, err := copyFile(filepath.Join(dir, filepath.FromSlash(rel)), tmp)
		if err == nil && got != sum {
			err = fmt.Errorf("its bytes hash to %s", got)
		}
		if err != nil {
			return copied, kept, fmt.Errorf("store: restoring photo %s: %w", sum, errors.Join(err, os.Remove(tmp)))
		}
		if err := os.Rename(tmp, to); err != nil {
			return copied, kept, fmt.Errorf("store: %w", err)
		}
		copied++
	}
	dirs := make([]string, 0, len(made))
	for d := range made {
		dirs = append(dirs, d)
	}
	if err := syncDirs(dirs...); err != nil {
		return copied, kept, fmt.Errorf("store: %w", err)
	}
	return copied, kept, nil
}
