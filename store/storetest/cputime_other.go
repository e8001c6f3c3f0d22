//go:build !unix

package storetest

import "time"

// CPUTime is not measured here.
func CPUTime() time.Duration { return 0 }
