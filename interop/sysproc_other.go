//go:build !linux

package interop

import (
	"os/exec"
	"syscall"
)

// sysProcAttr returns no special attributes outside Linux.
func sysProcAttr() *syscall.SysProcAttr { return nil }

// terminateGroup kills the child (no process groups here).
func terminateGroup(cmd *exec.Cmd) { _ = cmd.Process.Kill() }

// killGroup kills the child (no process groups here).
func killGroup(cmd *exec.Cmd) { _ = cmd.Process.Kill() }
