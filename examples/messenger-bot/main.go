// Command messenger-bot is a Messenger bot on Infobip's current Messages
// API: it receives users' messages on its webhook (omni.InboundHandler),
// marks each seen, answers text with a greeting and a button template, and
// a POSTBACK of "Track my order" with a follow-up and quick replies.
//
// By default it runs against the in-process simulator, registers its
// webhooks there, drives a few customers through a conversation, prints
// the conversation and a summary, and exits:
//
//	go run ./examples/messenger-bot
//
// With OMNI_MESSENGER_URL (and OMNI_MESSENGER_KEY) set it talks to Infobip
// and serves its webhooks on -listen until interrupted; point the account's
// inbound and seen webhooks at http://<host>/inbound and /seen.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sort"
	"time"

	"github.com/omnisdk/omni"
	"github.com/omnisdk/omni/examples/internal/setup"
	"github.com/omnisdk/omni/omnitest"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address of the webhook server")
	sender := flag.String("sender", envOr("OMNI_MESSENGER_SENDER", "page-1"), "the page the bot writes as")
	customers := flag.Int("customers", 3, "customers the simulator drives through a conversation")
	flag.Parse()
	if err := run(*listen, *sender, *customers); err != nil {
		fmt.Fprintln(os.Stderr, "messenger-bot:", err)
		os.Exit(1)
	}
}

func run(listen, sender string, customers int) error {
	env, err := setup.New()
	if err != nil {
		return err
	}
	defer env.Close()
	b := newBot(env.Client, sender)

	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: b.mux(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	defer hs.Close()
	base := "http://" + ln.Addr().String()
	fmt.Println("messenger-bot webhooks on", base+"/inbound", "and", base+"/seen")

	if env.Simulator == nil {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
		defer stop()
		<-ctx.Done()
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := converse(ctx, env.Simulator, base, sender, customers); err != nil {
		return err
	}
	b.printSummary(env.Simulator)
	return nil
}

// mux serves the bot's two webhooks.
func (b *bot) mux() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/inbound", omni.InboundHandler(b.handle))
	mux.Handle("/seen", omni.SeenReportHandler(b.handleSeen))
	return mux
}

// converse drives customers through the bot on the simulator: each says
// hello, presses "Track my order", taps "Thanks!" and sees the answers.
func converse(ctx context.Context, srv *omnitest.Server, base, page string, n int) error {
	srv.SetWebhooks(omnitest.Webhooks{Inbound: base + "/inbound", Seen: base + "/seen"})
	var cs []*omnitest.Customer
	for i := range n {
		cs = append(cs, srv.Customer(fmt.Sprintf("user-%d", i+1), page))
	}
	steps := []func(c *omnitest.Customer){
		func(c *omnitest.Customer) { c.SendText("Hi there") },
		func(c *omnitest.Customer) { c.SendPostback("Track my order", payloadOrderStatus) },
		func(c *omnitest.Customer) { c.SendQuickReply("Thanks!", payloadThanks) },
		func(c *omnitest.Customer) { c.SeeAll() },
	}
	for _, step := range steps {
		for _, c := range cs {
			step(c)
		}
		// The webhook answers once the bot replied, so when every push is
		// answered the replies are in.
		if err := srv.WaitPushes(ctx); err != nil {
			return err
		}
	}
	for _, a := range srv.PushAttempts() {
		if a.Status != http.StatusOK {
			return errors.New("the bot's webhook failed a push: " + a.URL)
		}
	}
	return nil
}

func (b *bot) printSummary(srv *omnitest.Server) {
	b.mu.Lock()
	defer b.mu.Unlock()
	users := make([]string, 0, len(b.transcript))
	for u := range b.transcript {
		users = append(users, u)
	}
	sort.Strings(users)
	for _, u := range users {
		fmt.Println("conversation with", u+":")
		for _, line := range b.transcript[u] {
			fmt.Println("  " + line)
		}
	}
	fmt.Printf("summary: %d customers, %d messages received, %d replies sent (%d accepted by the API), %d seen reports\n",
		len(users), b.inbound, b.replies, len(srv.OutboundMessages()), b.seen)
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}
