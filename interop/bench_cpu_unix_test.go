//go:build unix

package interop

import (
	"syscall"
	"time"
)

// processCPU returns the CPU time (user + system) this process has used so
// far, from the kernel's own accounting.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
