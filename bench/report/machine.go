package main

import (
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// machine describes the computer the figures were measured on.
func machine() string {
	cpu := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				cpu = strings.TrimSpace(v)
				break
			}
		}
	}
	mem := ""
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if rest, ok := strings.CutPrefix(line, "MemTotal:"); ok {
				kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
				mem = ", " + strconv.FormatFloat(kb/1024/1024, 'f', 1, 64) + " GiB RAM"
			}
		}
	}
	kernel := ""
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		kernel = " " + strings.TrimSpace(string(b))
	}
	node := "not installed"
	if out, err := exec.Command("node", "--version").Output(); err == nil {
		node = strings.TrimSpace(string(out))
	}
	return "| | |\n|---|---|\n" +
		"| CPU | " + cpu + " × " + strconv.Itoa(runtime.NumCPU()) + " logical cores" + mem + " |\n" +
		"| OS | " + runtime.GOOS + "/" + runtime.GOARCH + kernel + " |\n" +
		"| Go | " + runtime.Version() + " |\n" +
		"| Node.js | " + node + " |\n" +
		"| measured | " + time.Now().UTC().Format("2006-01-02 15:04 MST") + " |\n"
}
