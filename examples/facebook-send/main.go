// Command facebook-send posts one Facebook message through GWS and waits for
// the notification that reports its outcome.
//
//	go run ./examples/facebook-send -message "Hello Facebook!"
//
// Without OMNI_BASE_URL it runs against the in-process simulator.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/omnisdk/omni"
	"github.com/omnisdk/omni/examples/internal/setup"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "facebook-send:", err)
		os.Exit(1)
	}
}

// run does the work; errors return through it, so deferred cleanup (the
// simulator, the client) always runs.
func run() error {
	id := flag.String("id", "01QQQG2MU214P06D", "interaction id")
	from := flag.String("from", "vitaliy_onv", "Facebook user name")
	message := flag.String("message", "Hello Facebook!", "text to post")
	wait := flag.Duration("wait", 10*time.Second, "how long to wait for the notification")
	flag.Parse()

	env, err := setup.New()
	if err != nil {
		return err
	}
	defer env.Close()
	ctx, cancel := context.WithTimeout(context.Background(), *wait)
	defer cancel()
	ev, err := env.Client.Facebook.SendAndWait(ctx, *id, omni.FacebookSend{QueuePath: env.QueuePath, From: *from, Message: *message})
	if err != nil {
		return err
	}
	fmt.Printf("sent: referenceId=%d state=%s id=%s\n", ev.ReferenceID, ev.Facebook.State, ev.Facebook.ID)
	return nil
}
