// Command quickstart is the tour of omni: it starts the contact-center
// simulator in-process (unless OMNI_BASE_URL names a real GWS), sends a
// Facebook post, a Tweet and one Messenger message of each type, reads back
// the delivery report of the first message, answers one customer's comment
// (with the simulator playing the customer), and prints every notification
// as it arrives.
//
//	go run ./examples/quickstart
package main

import (
	"context"
	"fmt"
	"os"
	"sync/atomic"
	"time"

	"github.com/omnisdk/omni"
	"github.com/omnisdk/omni/examples/internal/setup"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

func run() error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	env, err := setup.New()
	if err != nil {
		return err
	}
	defer env.Close()
	c := env.Client
	fmt.Println("omni quickstart against", env.Where())

	// Print every notification as it arrives, and note the highest
	// referenceId printed: notifications come in order, so once the last
	// operation's has been printed, every earlier one has been too.
	var printed atomic.Int64
	poke := make(chan struct{}, 1)
	sub, err := c.Subscribe(ctx, omni.OnNotification(func(n omni.Notification) {
		h := n.Header()
		fmt.Printf("  <- notification %s %s referenceId=%d%s\n", h.MessageType, h.NotificationType, h.ReferenceID, describe(n))
		if h.ReferenceID > printed.Load() {
			printed.Store(h.ReferenceID)
		}
		select {
		case poke <- struct{}{}:
		default:
		}
	}))
	if err != nil {
		return err
	}
	defer sub.Close()

	// A Facebook post and a Tweet, each waiting for the notification with its referenceId.
	fb, err := c.Facebook.SendAndWait(ctx, "01QQQG2MU214P06D", omni.FacebookSend{
		QueuePath: env.QueuePath, From: "vitaliy_onv", Message: "Hello Facebook!"})
	if err != nil {
		return fmt.Errorf("facebook: %w", err)
	}
	fmt.Printf("facebook post sent: referenceId=%d state=%s\n", fb.ReferenceID, fb.Facebook.State)

	tw, err := c.Twitter.SendAndWait(ctx, "010QQG2MU214P06D", omni.TwitterSend{
		QueuePath: env.QueuePath, From: "vitaliy_onv", Message: "Hello Twitter!"})
	if err != nil {
		return fmt.Errorf("twitter: %w", err)
	}
	fmt.Printf("tweet sent: referenceId=%d state=%s\n", tw.ReferenceID, tw.Tweet.State)

	// One Messenger message of each type.
	messages := []omni.Message{
		omni.TextMessage("Hello, World!"),
		omni.ImageMessage("https://example.com/img/shirt.png"),
		omni.VideoMessage("https://example.com/video/intro.mp4"),
		omni.AudioMessage("https://example.com/audio/hello.mp3"),
		omni.FileMessage("https://example.com/docs/terms.pdf"),
		omni.ButtonTemplate("Did this help?", omni.PostbackButton("Yes", "HELPED_YES"), omni.URLButton("Read more", "https://example.com/help")),
		omni.SenderActionMessage(omni.TypingOn),
	}
	var firstID string
	for _, m := range messages {
		out, err := c.Messenger.SendSingle(ctx, omni.SingleMessage{From: env.AppKey, To: env.UserKey, Message: m})
		if err != nil {
			return fmt.Errorf("messenger %s: %w", m.Type(), err)
		}
		fmt.Printf("messenger %-13s sent: messageId=%s status=%s/%s\n", m.Type(), out.MessageID, out.Status.GroupID, out.Status.Name)
		if firstID == "" {
			firstID = out.MessageID
		}
	}

	// Read back what became of the first message.
	if err := printDeliveryReport(ctx, c, firstID); err != nil {
		return fmt.Errorf("delivery report: %w", err)
	}

	// Bad input never leaves the process.
	_, err = c.Messenger.SendSingle(ctx, omni.SingleMessage{From: env.AppKey, To: env.UserKey,
		Message: omni.ButtonTemplate("Too many buttons", omni.PostbackButton("1", "1"), omni.PostbackButton("2", "2"),
			omni.PostbackButton("3", "3"), omni.PostbackButton("4", "4"))})
	fmt.Println("rejected before sending:", err)

	// A customer writes and the agent answers: with the simulator, which
	// plays the customer (a real GWS needs a real customer: see
	// examples/autoreply).
	last := tw.ReferenceID
	if env.Simulator != nil {
		if last, err = answerCustomer(ctx, env); err != nil {
			return fmt.Errorf("answering a customer: %w", err)
		}
	}

	// The listener above gets every notification too, on its own
	// subscription: wait until it has printed the last one.
	for printed.Load() < last {
		select {
		case <-poke:
		case <-ctx.Done():
			return fmt.Errorf("waiting for notifications: %w", ctx.Err())
		}
	}
	fmt.Println("done")
	return nil
}

// printDeliveryReport reads the delivery report of messageID until the
// message leaves the PENDING group, waiting a little between reads, and
// prints it. After 10s it says the message is still pending.
func printDeliveryReport(ctx context.Context, c *omni.Client, messageID string) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		reports, err := c.Messenger.DeliveryReports(ctx, &omni.ReportsOptions{MessageID: messageID})
		if err != nil && ctx.Err() == nil {
			return err
		}
		for _, r := range reports {
			if r.MessageID == messageID && r.Status.GroupID != omni.GroupPending {
				fmt.Printf("delivery report: messageId=%s status=%s/%s\n", r.MessageID, r.Status.GroupID, r.Status.Name)
				return nil
			}
		}
		select {
		case <-tick.C:
		case <-ctx.Done():
			fmt.Printf("delivery report: messageId=%s still pending\n", messageID)
			return nil
		}
	}
}

// describe adds the interesting part of a notification to its line.
func describe(n omni.Notification) string {
	switch e := n.(type) {
	case *omni.FacebookStateChange:
		return fmt.Sprintf(" facebook %s %s %q", e.Facebook.ID, e.Facebook.State, e.Facebook.Message)
	case *omni.TwitterStateChange:
		return fmt.Sprintf(" tweet %s %s %q", e.Tweet.ID, e.Tweet.State, e.Tweet.Message)
	case *omni.ChannelStateChange:
		out := ""
		for _, ch := range e.Channels {
			out += fmt.Sprintf(" channel %s %s", ch.Channel, ch.UserState.State)
		}
		return out
	case *omni.MessageLogUpdated:
		return fmt.Sprintf(" %d message(s)", len(e.Messages))
	}
	return ""
}

// answerCustomer signs the agent in on Facebook, makes a customer comment
// arrive, and answers it: Reply creates a draft, Send sends it, Complete
// ends the comment. It returns the referenceId of the last operation.
func answerCustomer(ctx context.Context, env *setup.Env) (int64, error) {
	c := env.Client
	items := make(chan *omni.FacebookStateChange, 64)
	sub, err := c.Subscribe(ctx, omni.OnFacebook(func(e *omni.FacebookStateChange) { items <- e }))
	if err != nil {
		return 0, err
	}
	defer sub.Close()
	next := func(match func(*omni.FacebookStateChange) bool) (*omni.FacebookStateChange, error) {
		for {
			select {
			case e := <-items:
				if match(e) {
					return e, nil
				}
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
	}
	if err := c.Agent.StartContactCenterSession(ctx, omni.SessionStart{Channels: []string{"facebook"}}); err != nil {
		return 0, err
	}
	defer c.Agent.EndContactCenterSession(context.WithoutCancel(ctx))
	if err := c.Agent.Ready(ctx, "facebook"); err != nil {
		return 0, err
	}
	id := env.Simulator.CustomerComment("Labuprofen", "Can you help me?")
	in, err := next(func(e *omni.FacebookStateChange) bool { return e.Facebook.ID == id })
	if err != nil {
		return 0, err
	}
	fmt.Printf("customer comment arrived: id=%s from=%s %q state=%s can reply=%t\n",
		id, in.Facebook.From, in.Facebook.Message, in.Facebook.State, in.Facebook.Can(omni.OpReply))
	// Await runs an operation and returns the notification it caused, the
	// new draft's for a Reply (matched by the referenceId the reply carries).
	onFacebook := omni.Expect{Channel: omni.ChannelFacebook}
	n, err := c.Await(ctx, onFacebook, func(ctx context.Context) (omni.Accepted, error) {
		return c.Facebook.Reply(ctx, id, omni.FacebookReply{QueuePath: env.QueuePath})
	})
	if err != nil {
		return 0, err
	}
	draft := n.(*omni.FacebookStateChange)
	fmt.Printf("reply draft: id=%s parentId=%s state=%s\n", draft.Facebook.ID, draft.Facebook.ParentID, draft.Facebook.State)
	sent, err := c.Facebook.SendAndWait(ctx, draft.Facebook.ID, omni.FacebookSend{
		QueuePath: env.QueuePath, From: "Cloud App Community", Message: "Of course, what do you need?"})
	if err != nil {
		return 0, err
	}
	fmt.Printf("reply sent: state=%s\n", sent.Facebook.State)
	n, err = c.Await(ctx, onFacebook, func(ctx context.Context) (omni.Accepted, error) {
		return c.Facebook.Complete(ctx, id, omni.Complete{})
	})
	if err != nil {
		return 0, err
	}
	end := n.(*omni.FacebookStateChange)
	fmt.Printf("customer comment answered: state=%s capabilities=%d\n", end.Facebook.State, len(end.Facebook.Capabilities))
	return end.ReferenceID, nil
}
