// Command listen prints every GWS notification until Ctrl-C.
//
//	go run ./examples/listen
//
// Against the in-process simulator (no OMNI_BASE_URL) it also posts a demo
// Facebook message every -every so there is something to see. -count N
// exits after N notifications.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"flag"

	"github.com/omnisdk/omni"
	"github.com/omnisdk/omni/examples/internal/setup"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "listen:", err)
		os.Exit(1)
	}
}

// run does the work; errors return through it, so deferred cleanup (the
// simulator, the client) always runs.
func run() error {
	count := flag.Int("count", 0, "exit after this many notifications (0: until Ctrl-C)")
	every := flag.Duration("every", 2*time.Second, "simulator only: how often to post a demo message")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	env, err := setup.New()
	if err != nil {
		return err
	}
	defer env.Close()

	got := make(chan struct{}, 1024)
	sub, err := env.Client.Subscribe(ctx, omni.OnNotification(func(n omni.Notification) {
		h := n.Header()
		fmt.Printf("%s %s %s referenceId=%d %s\n", time.Now().Format(time.TimeOnly), h.Channel, h.MessageType, h.ReferenceID, h.Raw)
		got <- struct{}{}
	}))
	if err != nil {
		return err
	}
	defer sub.Close()
	fmt.Println("listening on", env.Where(), "(Ctrl-C to stop)")

	var tick <-chan time.Time
	if env.Simulator != nil {
		t := time.NewTicker(*every)
		defer t.Stop()
		tick = t.C
		go demoPost(ctx, env) // one right away
	}
	for n := 0; *count == 0 || n < *count; {
		select {
		case <-ctx.Done():
			return nil
		case <-sub.Done():
			return fmt.Errorf("subscription ended: %w", sub.Err())
		case <-got:
			n++
		case <-tick:
			go demoPost(ctx, env)
		}
	}
	return nil
}

func demoPost(ctx context.Context, env *setup.Env) {
	_, err := env.Client.Facebook.Send(ctx, "DEMO0001", omni.FacebookSend{QueuePath: env.QueuePath, From: "demo", Message: "demo post"})
	if err != nil && ctx.Err() == nil {
		fmt.Fprintln(os.Stderr, "demo post:", err)
	}
}
