package main

import (
	"bufio"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/omnisdk/omni/omnitest"
)

// serve runs the simulator for the scale benchmark: it prints its
// notifications URL, then publishes one event per second on each of
// /scale/0 … /scale/n-1, spread evenly over the second, until a line
// "pause" on stdin, and exits when stdin closes or a signal arrives.
func serve(n int) error {
	srv, err := omnitest.Start("127.0.0.1:0", omnitest.WithCometDTimeout(30*time.Second))
	if err != nil {
		return err
	}
	defer srv.Close()
	fmt.Println(srv.NotificationsURL())
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, os.Interrupt)
	var paused atomic.Bool
	go func() {
		// The parent says "pause", then closes our stdin when it is done.
		sc := bufio.NewScanner(os.Stdin)
		for sc.Scan() {
			if sc.Text() == "pause" {
				paused.Store(true)
			}
		}
		stop <- syscall.SIGTERM
	}()
	const slots = 100 // publishing ticks per second
	tick := time.NewTicker(time.Second / slots)
	defer tick.Stop()
	next := 0
	for {
		select {
		case <-stop:
			return nil
		case <-tick.C:
		}
		if paused.Load() {
			continue
		}
		// Each tick publishes the next n/slots channels (at least one).
		for k := 0; k < max(1, n/slots); k++ {
			srv.Publish("/scale/"+strconv.Itoa(next), map[string]any{"ts": time.Now().UnixMicro()})
			next = (next + 1) % n
		}
	}
}
