package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/omnisdk/omni/cometd"
)

// idleSettle is how long the sessions are left without events before their
// memory is measured.
const idleSettle = 3 * time.Second

// run measures n sessions over transport.
func run(n int, transport string, warm, steady time.Duration, memProfile string) (result, error) {
	res := result{Sessions: n, Transport: transport, ExpectedPerSec: float64(n)}
	if memProfile != "" {
		runtime.MemProfileRate = 64 // fine-grained: the profile is for reading, not for the figures
	}
	self, err := os.Executable()
	if err != nil {
		return res, err
	}
	child := exec.Command(self, "-serve", strconv.Itoa(n))
	child.Stderr = os.Stderr
	stdin, err := child.StdinPipe()
	if err != nil {
		return res, err
	}
	stdout, err := child.StdoutPipe()
	if err != nil {
		return res, err
	}
	if err := child.Start(); err != nil {
		return res, err
	}
	defer func() {
		stdin.Close()
		_ = child.Wait()
	}()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		return res, fmt.Errorf("simulator did not start: %w", err)
	}
	url := strings.TrimSpace(line)

	base := take()
	// One transport for all sessions, keeping one idle connection per
	// session: what a program running many sessions configures.
	shared := &http.Transport{MaxIdleConns: n + 16, MaxIdleConnsPerHost: n + 16, IdleConnTimeout: time.Minute}
	defer shared.CloseIdleConnections()
	var delivered atomic.Int64
	clients := make([]*cometd.Client, n)
	start := time.Now()
	if err := forEach(n, func(i int) error {
		jar, _ := cookiejar.New(nil)
		c, err := cometd.NewClient(url, cometd.WithTransports(transport),
			cometd.WithHTTPClient(&http.Client{Jar: jar, Transport: shared}))
		if err != nil {
			return err
		}
		clients[i] = c
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		_, err = c.Subscribe(ctx, "/scale/"+strconv.Itoa(i), func(*cometd.Message) { delivered.Add(1) })
		return err
	}); err != nil {
		return res, err
	}
	defer forEach(n, func(i int) error { return clients[i].Close() })
	res.SetupSeconds = time.Since(start).Seconds()

	time.Sleep(warm)
	cpu0, srv0, d0, t0 := selfCPU(), procCPU(child.Process.Pid), delivered.Load(), time.Now()
	time.Sleep(steady)
	cpu1, srv1, d1, t1 := selfCPU(), procCPU(child.Process.Pid), delivered.Load(), time.Now()
	// Memory and goroutines are those of idle sessions: stop the events and
	// let the last ones and their connects settle first.
	if _, err := io.WriteString(stdin, "pause\n"); err != nil {
		return res, err
	}
	time.Sleep(idleSettle)
	// Connections left idle in the shared pool by the busy phase belong to
	// the transport, not to a session: every session's own connection is
	// busy with its held /meta/connect and stays open.
	shared.CloseIdleConnections()
	s := take()
	if memProfile != "" {
		if err := writeHeapProfile(memProfile); err != nil {
			return res, err
		}
	}
	el := t1.Sub(t0)
	res.SteadySeconds = el.Seconds()
	res.HeapPerSession = float64(int64(s.heap)-int64(base.heap)) / float64(n)
	res.StackPerSession = float64(int64(s.stack)-int64(base.stack)) / float64(n)
	res.RSSPerSession = float64(int64(s.rss)-int64(base.rss)) / float64(n)
	res.GoroutinesPerSess = float64(s.goroutines-base.goroutines) / float64(n)
	res.ClientCPUPercent = 100 * float64(cpu1-cpu0) / float64(el)
	res.ServerCPUPercent = 100 * float64(srv1-srv0) / float64(el)
	res.EventsPerSec = float64(d1-d0) / el.Seconds()
	if d1 > d0 {
		res.ClientCPUPerEvent = float64((cpu1-cpu0)/time.Microsecond) / float64(d1-d0)
	}
	return res, nil
}

// forEach runs fn(0) … fn(n-1) on a few workers and returns the first error.
func forEach(n int, fn func(i int) error) error {
	var (
		wg    sync.WaitGroup
		next  atomic.Int64
		mu    sync.Mutex
		first error
	)
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if err := fn(i); err != nil {
					mu.Lock()
					if first == nil {
						first = fmt.Errorf("session %d: %w", i, err)
					}
					mu.Unlock()
					return
				}
			}
		}()
	}
	wg.Wait()
	return first
}
