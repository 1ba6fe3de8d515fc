//go:build !linux

package interop

import "time"

// serverCPU is not measured on this platform: its columns read –.
func serverCPU(*Peer) time.Duration { return -1 }

// tcpDataSegments is not measured on this platform: its columns read –.
func tcpDataSegments() int64 { return -1 }

// machineSoftirq is not measured on this platform: its columns read –.
func machineSoftirq() time.Duration { return -1 }
