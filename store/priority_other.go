//go:build !linux

package store

// yieldCPU does nothing where threads have no priority of their own
// (see priority_linux.go).
func yieldCPU() {}
