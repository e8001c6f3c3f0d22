package store

import (
	"cmp"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// ListedBackup is a finished backup found in a directory.
type ListedBackup struct {
	Path     string
	Manifest Manifest
}

// ListBackups lists the finished backups in dir, oldest first: the
// directories named as backups are whose manifest is valid. Unfinished ones
// (hidden .partial directories) and directories without a valid manifest
// are not backups, and are left out.
func ListBackups(dir string) ([]ListedBackup, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	var out []ListedBackup
	for _, e := range entries {
		n := e.Name()
		if !e.IsDir() || !(strings.HasPrefix(n, BackupManual.prefix()) || strings.HasPrefix(n, BackupPreMigrate.prefix())) {
			continue
		}
		p := filepath.Join(dir, n)
		m, err := readManifest(p)
		if err != nil {
			continue
		}
		out = append(out, ListedBackup{Path: p, Manifest: m})
	}
	slices.SortFunc(out, func(a, b ListedBackup) int {
		return cmp.Or(a.Manifest.CreatedAt.Compare(b.Manifest.CreatedAt), cmp.Compare(a.Path, b.Path))
	})
	return out, nil
}

// previousBackup is the newest finished backup in dir, or "".
func previousBackup(dir string) string {
	list, err := ListBackups(dir)
	if err != nil || len(list) == 0 {
		return ""
	}
	return list[len(list)-1].Path
}

// PruneBackups removes the backups named anxin-* in dir but the newest keep,
// and returns what it removed. The backups taken before migrations are left
// for the operator. A backup is renamed out of sight before it is removed,
// so that one removed half-way is not taken for a backup.
func PruneBackups(dir string, keep int) (removed []string, err error) {
	if keep < 1 {
		return nil, fmt.Errorf("store: keep at least one backup, not %d", keep)
	}
	unlock, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	defer func() { err = errors.Join(err, unlock()) }()
	list, err := ListBackups(dir)
	if err != nil {
		return nil, err
	}
	var prunable []ListedBackup
	for _, b := range list {
		if strings.HasPrefix(filepath.Base(b.Path), BackupScheduled.prefix()) {
			prunable = append(prunable, b)
		}
	}
	for _, b := range prunable[:max(0, len(prunable)-keep)] {
		hidden := filepath.Join(dir, "."+filepath.Base(b.Path)+deletingSuffix)
		if err := os.Rename(b.Path, hidden); err != nil {
			return removed, fmt.Errorf("store: pruning %s: %w", b.Path, err)
		}
		if err := os.RemoveAll(hidden); err != nil {
			return removed, fmt.Errorf("store: pruning %s: %w", b.Path, err)
		}
		removed = append(removed, b.Path)
	}
	return removed, nil
}
