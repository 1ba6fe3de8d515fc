//go:build linux

package interop

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"time"
)

// The server's side of a run, from the kernel's accounting: what serving a
// reader cost the server process, and how many TCP segments carrying data
// the machine sent. Both explain the rows where the server is the
// bottleneck (BENCHMARKS.md).

// userHZ is the unit of the CPU times in /proc/<pid>/stat (USER_HZ, 100 on
// every Linux architecture Go supports).
const userHZ = 100

// serverCPU returns the CPU time (user + system) the server process of p
// has used so far, or -1 if it cannot be read. Its resolution is 10 ms.
func serverCPU(p *Peer) time.Duration {
	p.mu.Lock()
	pr := p.proc
	p.mu.Unlock()
	if pr == nil || pr.cmd.Process == nil {
		return -1
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pr.cmd.Process.Pid))
	if err != nil {
		return -1
	}
	// The command name (field 2) is in parentheses and may hold spaces.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return -1
	}
	f := strings.Fields(string(b[i+1:]))
	// f[0] is field 3 (state); utime and stime are fields 14 and 15.
	if len(f) < 13 {
		return -1
	}
	var utime, stime int64
	if _, err := fmt.Sscan(f[11], &utime); err != nil {
		return -1
	}
	if _, err := fmt.Sscan(f[12], &stime); err != nil {
		return -1
	}
	return time.Duration(utime+stime) * time.Second / userHZ
}

// machineSoftirq returns the time all CPUs of the machine have spent in
// soft interrupts (the softirq column of /proc/stat's cpu line), or -1. The
// kernel charges it to no process: on loopback, the TCP receive processing
// of a segment and the wake-up of its reader are mostly done there, on the
// sender's CPU.
func machineSoftirq() time.Duration {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return -1
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	// cpu user nice system idle iowait irq softirq ...
	if len(f) < 8 || f[0] != "cpu" {
		return -1
	}
	var v int64
	if _, err := fmt.Sscan(f[7], &v); err != nil {
		return -1
	}
	return time.Duration(v) * time.Second / userHZ
}

// tcpDataSegments returns how many TCP segments carrying data this machine
// has sent (TcpExt TCPOrigDataSent: retransmissions excluded), or -1 if it
// cannot be read. During a burst nearly all of them are the server's.
func tcpDataSegments() int64 {
	b, err := os.ReadFile("/proc/net/netstat")
	if err != nil {
		return -1
	}
	lines := strings.Split(string(b), "\n")
	for i := 0; i+1 < len(lines); i += 2 {
		names, values := strings.Fields(lines[i]), strings.Fields(lines[i+1])
		if len(names) == 0 || names[0] != "TcpExt:" || len(names) != len(values) {
			continue
		}
		for j, n := range names {
			if n == "TCPOrigDataSent" {
				var v int64
				if _, err := fmt.Sscan(values[j], &v); err != nil {
					return -1
				}
				return v
			}
		}
	}
	return -1
}
