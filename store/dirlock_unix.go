//go:build unix

package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// lockDir takes dir's lock (an flock on dir/.lock) for one backup or prune
// at a time: a second one is refused at once, not queued. The kernel
// releases the lock when its process ends, however it ends.
func lockDir(dir string) (unlock func() error, err error) {
	f, err := os.OpenFile(filepath.Join(dir, ".lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		_ = f.Close() // the lock was not taken
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("backup: another backup is being written to %s", dir)
		}
		return nil, fmt.Errorf("backup: locking %s: %w", dir, err)
	}
	return f.Close, nil
}
