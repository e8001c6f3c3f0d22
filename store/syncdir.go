package store

import (
	"errors"
	"os"
	"runtime"
)

// syncDirs makes the entries of each directory (files made or renamed in it)
// durable. Windows cannot sync a directory, and needs not: NTFS journals its
// metadata.
func syncDirs(dirs ...string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	for _, d := range dirs {
		f, err := os.Open(d)
		if err != nil {
			return err
		}
		if err := errors.Join(f.Sync(), f.Close()); err != nil {
			return err
		}
	}
	return nil
}
