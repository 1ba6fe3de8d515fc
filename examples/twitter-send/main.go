// Command twitter-send posts one Tweet through GWS and waits for the
// notification that reports its outcome.
//
//	go run ./examples/twitter-send -message "Hello Twitter!"
//
// Without OMNI_BASE_URL it runs against the in-process simulator. Servers
// from 2015 want -path me/twitter.
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
		fmt.Fprintln(os.Stderr, "twitter-send:", err)
		os.Exit(1)
	}
}

// run does the work; errors return through it, so deferred cleanup (the
// simulator, the client) always runs.
func run() error {
	id := flag.String("id", "010QQG2MU214P06D", "interaction id")
	from := flag.String("from", "vitaliy_onv", "Twitter user name")
	message := flag.String("message", "Hello Twitter!", "text to tweet")
	path := flag.String("path", "me/tweets", "path prefix of Tweet operations")
	wait := flag.Duration("wait", 10*time.Second, "how long to wait for the notification")
	flag.Parse()

	env, err := setup.New(omni.WithTwitterPath(*path))
	if err != nil {
		return err
	}
	defer env.Close()
	ctx, cancel := context.WithTimeout(context.Background(), *wait)
	defer cancel()
	ev, err := env.Client.Twitter.SendAndWait(ctx, *id, omni.TwitterSend{QueuePath: env.QueuePath, From: *from, Message: *message})
	if err != nil {
		return err
	}
	fmt.Printf("sent: referenceId=%d state=%s id=%s\n", ev.ReferenceID, ev.Tweet.State, ev.Tweet.ID)
	return nil
}
