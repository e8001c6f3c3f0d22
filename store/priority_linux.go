package store

import (
	"runtime"
	"syscall"
)

// yieldCPU lowers the priority of the calling goroutine's thread (nice +10)
// for the rest of the goroutine, which must then end without unlocking it:
// Go discards a thread whose goroutine ends locked to it, so the lowered
// priority goes with it. The backup's long checks of its copy then give way
// to the server's work whenever both want the CPU. (On Linux a thread's nice
// value is its own; elsewhere setpriority would lower the whole process.)
func yieldCPU() {
	runtime.LockOSThread()
	_ = syscall.Setpriority(syscall.PRIO_PROCESS, 0, 10) // best effort: at worst the check keeps its priority
}
