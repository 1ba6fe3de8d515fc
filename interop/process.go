package interop

import (
	"bytes"
	"errors"
	"io"
	"os/exec"
	"sync"
	"time"
)

// proc is one Node.js process started in its own process group so that it
// and anything it spawns can be stopped together.
type proc struct {
	cmd    *exec.Cmd
	done   chan struct{} // closed when the process has exited and its output is drained
	err    error         // result of Wait; read only after done is closed
	stderr *tailBuffer
}

// startProc starts node with args in dir; stdout receives the process's
// standard output.
func startProc(node, dir string, args []string, stdout io.Writer) (*proc, error) {
	cmd := exec.Command(node, args...)
	cmd.Dir = dir
	cmd.Stdout = stdout
	stderr := &tailBuffer{max: 16 << 10}
	cmd.Stderr = stderr
	cmd.SysProcAttr = sysProcAttr()
	// Output copying must not outlive the process group for long.
	cmd.WaitDelay = 2 * time.Second
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &proc{cmd: cmd, done: make(chan struct{}), stderr: stderr}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// exited reports whether the process has exited.
func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// stop terminates the process group: SIGTERM first when grace > 0, SIGKILL
// after grace (or at once). It returns when the process has been reaped.
func (p *proc) stop(grace time.Duration) {
	if p.exited() {
		return
	}
	if grace > 0 {
		terminateGroup(p.cmd)
		t := time.NewTimer(grace)
		defer t.Stop()
		select {
		case <-p.done:
			return
		case <-t.C:
		}
	}
	killGroup(p.cmd)
	<-p.done
}

// errExited reports an unexpected exit, with the tail of stderr.
func (p *proc) errExited() error {
	msg := "process exited"
	if p.err != nil {
		msg += ": " + p.err.Error()
	}
	if tail := p.stderr.String(); tail != "" {
		msg += "; stderr: " + tail
	}
	return errors.New(msg)
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	buf []byte
}

// Write implements io.Writer.
func (b *tailBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	if len(b.buf) > b.max {
		b.buf = append([]byte(nil), b.buf[len(b.buf)-b.max:]...)
	}
	return len(p), nil
}

// String returns the retained output, trimmed.
func (b *tailBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(bytes.TrimSpace(b.buf))
}

// lineWriter calls fn with every complete line written to it (without the
// newline). fn runs on the goroutine copying the process output.
type lineWriter struct {
	mu      sync.Mutex
	partial []byte
	fn      func(line []byte)
}

// Write implements io.Writer.
func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.partial = append(w.partial, p...)
	for {
		i := bytes.IndexByte(w.partial, '\n')
		if i < 0 {
			break
		}
		line := bytes.TrimSpace(w.partial[:i])
		w.partial = w.partial[i+1:]
		if len(line) > 0 {
			w.fn(line)
		}
	}
	return len(p), nil
}
