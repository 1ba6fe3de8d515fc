// Command autoreply is a bot that answers customers: it starts a
// contact-center session, goes Ready on the social channels, and answers
// every Facebook post and comment and every Tweet and direct message (Reply,
// Send, Complete) and every private message (Accept, SendMessage, Complete),
// logging what it did.
//
// Against the in-process simulator (the default) customers arrive at random
// until -n (at least 1; a smaller value is a usage error, exit status 2) of
// each kind have been answered; then it prints a summary and exits. Against a real GWS (OMNI_BASE_URL and the other OMNI_* variables)
// it answers until interrupted. Interrupting it (Ctrl-C) ends the
// contact-center session cleanly either way.
//
//	go run ./examples/autoreply -n 20
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/signal"
	"strings"
	"sync"
	"time"

	"github.com/omnisdk/omni"
	"github.com/omnisdk/omni/examples/internal/setup"
	"github.com/omnisdk/omni/omnitest"
)

// The kinds of inbound items the bot answers.
const (
	kindPost    = "facebook post"
	kindComment = "facebook comment"
	kindTweet   = "tweet"
	kindDM      = "direct message"
	kindPrivate = "private message"
)

var kinds = []string{kindPost, kindComment, kindTweet, kindDM, kindPrivate}

// Agent channels; with a real GWS they are the contact center's names
// (OMNI_CHANNELS, comma-separated, overrides them).
var channels = []string{omnitest.AgentChannelFacebook, omnitest.AgentChannelTwitter, omnitest.AgentChannelFacebookSession}

func main() {
	n := flag.Int("n", 20, "with the simulator: customers of each kind to answer before exiting (at least 1)")
	flag.Parse()
	if *n < 1 || flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "autoreply: -n must be at least 1 (got %d) and no arguments follow the flags\n", *n)
		flag.Usage()
		os.Exit(2)
	}
	if err := start(*n); err != nil {
		fmt.Fprintln(os.Stderr, "autoreply:", err)
		os.Exit(1)
	}
}

// start sets up the environment and runs the bot until it is interrupted
// (or, with the simulator, has answered n customers of each kind); its
// deferred cleanup runs before main exits.
func start(n int) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	env, err := setup.New()
	if err != nil {
		return err
	}
	defer env.Close()
	if v := os.Getenv("OMNI_CHANNELS"); v != "" {
		channels = strings.Split(v, ",")
	}
	return run(ctx, env, n, os.Stdout)
}

// bot answers inbound items and counts what it did.
type bot struct {
	c         *omni.Client
	queuePath string
	out       io.Writer

	mu       sync.Mutex
	kindOf   map[string]string // inbound id -> kind
	answered map[string]int    // kind -> items completed
	greeted  map[string]bool   // private sessions answered
	failed   int
	done     chan struct{} // closed when every kind reached want (simulator)
	want     int
}

// run is the program: session, Ready, answer, end. With the simulator it
// also plays the customers. It returns when ctx ends or, with the
// simulator, when want items of each kind are answered.
func run(ctx context.Context, env *setup.Env, want int, out io.Writer) error {
	if env.Simulator != nil && want < 1 {
		return fmt.Errorf("customers of each kind to answer: %d, want at least 1", want)
	}
	c := env.Client
	b := &bot{c: c, queuePath: env.QueuePath, out: out, kindOf: map[string]string{}, answered: map[string]int{}, greeted: map[string]bool{},
		done: make(chan struct{}), want: want}
	fmt.Fprintln(out, "autoreply against", env.Where())

	// Subscribe (and read the snapshot) before the session, as GWS asks.
	view, err := c.Watch(ctx, omni.InteractionHandlers{OnNew: b.onNew, OnChange: b.onChange, OnEnd: b.onEnd,
		OnResyncError: func(err error) { b.logf("re-sync failed: %v", err) }})
	if err != nil {
		return err
	}
	defer view.Close()
	if err := c.Agent.StartContactCenterSession(ctx, omni.SessionStart{Channels: channels}); err != nil {
		return fmt.Errorf("starting the session: %w", err)
	}
	b.logf("session started on %s", strings.Join(channels, ", "))
	defer b.end()
	for _, ch := range channels {
		if err := c.Agent.Ready(ctx, ch); err != nil {
			return fmt.Errorf("ready on %s: %w", ch, err)
		}
	}
	b.logf("ready on every channel")

	if env.Simulator != nil {
		cctx, stopCustomers := context.WithCancel(ctx)
		var wg sync.WaitGroup
		wg.Add(1)
		go func() { defer wg.Done(); customers(cctx, env.Simulator, b, want) }()
		select {
		case <-b.done:
		case <-ctx.Done():
		}
		stopCustomers()
		wg.Wait()
	} else {
		<-ctx.Done()
	}
	b.summary()
	return nil
}

// end signs out with a context of its own: ctx may already be cancelled.
func (b *bot) end() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := b.c.Agent.EndContactCenterSession(ctx); err != nil {
		b.logf("EndContactCenterSession failed: %v", err)
		return
	}
	b.logf("EndContactCenterSession sent")
}

func (b *bot) logf(format string, args ...any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	fmt.Fprintf(b.out, format+"\n", args...)
}

// customers makes want customers of each kind arrive, in random order, with
// random short pauses. Tagging each item with its kind lets the summary
// count per kind.
func customers(ctx context.Context, srv *omnitest.Server, b *bot, want int) {
	var queue []string
	for _, k := range kinds {
		for range want {
			queue = append(queue, k)
		}
	}
	rand.Shuffle(len(queue), func(i, j int) { queue[i], queue[j] = queue[j], queue[i] })
	for i, k := range queue {
		name := fmt.Sprintf("customer%03d", i+1)
		b.mu.Lock() // the id is tagged before the bot can see the item
		var id string
		switch k {
		case kindPost:
			id = srv.CustomerPost(name, "Is the shop open on Sunday?")
		case kindComment:
			id = srv.CustomerComment(name, "Can you help me?")
		case kindTweet:
			id = srv.CustomerTweet(name, "@support my order is late")
		case kindDM:
			id = srv.CustomerDirectMessage(name, "please call me back")
		case kindPrivate:
			id = srv.CustomerPrivateMessage(name, "Hello, is anyone there?")
		}
		b.kindOf[id] = k
		b.mu.Unlock()
		select {
		case <-time.After(time.Duration(rand.IntN(3)) * time.Millisecond):
		case <-ctx.Done():
			return
		}
	}
}

// kind names an inbound interaction for the log.
func (b *bot) kind(in omni.Interaction) string {
	b.mu.Lock()
	k, ok := b.kindOf[in.ID]
	b.mu.Unlock()
	if ok {
		return k
	}
	switch {
	case in.Kind == omni.KindFacebookSession:
		return kindPrivate
	case in.Kind == omni.KindTweet && in.Tweet.IsDirectMessage():
		return kindDM
	case in.Kind == omni.KindTweet:
		return kindTweet
	}
	return kindPost
}

// Answer texts, by kind.
func answer(kind, from string) string {
	switch kind {
	case kindPrivate:
		return "Hello " + from + ", thanks for writing. An agent will follow up shortly."
	case kindDM:
		return "Thanks " + from + ", we will call you back today."
	case kindTweet:
		return "@" + from + " sorry about that, we are on it."
	}
	return "Thank you " + from + ", we will get back to you shortly."
}

// onNew: an inbound post or Tweet gets a Reply draft; a private session is
// accepted; a draft of ours (Inbound false) is filled and sent.
func (b *bot) onNew(ev *omni.InteractionEvent) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var err error
	switch {
	case ev.Kind == omni.KindFacebookSession && ev.Can(omni.OpAccept):
		_, err = b.c.FacebookSessions.Accept(ctx, ev.ID, "autoreply")
	case ev.Inbound && ev.Kind == omni.KindFacebook && ev.Can(omni.OpReply):
		_, err = b.c.Facebook.Reply(ctx, ev.ID, omni.FacebookReply{QueuePath: b.queuePath})
	case ev.Inbound && ev.Kind == omni.KindTweet && ev.Can(omni.OpReply):
		_, err = b.c.Twitter.Reply(ctx, ev.ID, omni.TwitterReply{QueuePath: b.queuePath})
	case !ev.Inbound && ev.Can(omni.OpSend):
		err = b.sendDraft(ctx, ev)
	default:
		return
	}
	b.check(ev, err)
}

// sendDraft sends the reply draft ev, answering its parent.
func (b *bot) sendDraft(ctx context.Context, ev *omni.InteractionEvent) error {
	parent, from := "", ""
	switch ev.Kind {
	case omni.KindFacebook:
		parent = ev.Facebook.ParentID
	case omni.KindTweet:
		parent = ev.Tweet.ParentID
		from, _ = ev.Tweet.UserData["To"].(string)
	}
	if parent == "" {
		return nil // a draft we did not make
	}
	b.mu.Lock()
	kind := b.kindOf[parent]
	b.kindOf[ev.ID] = "draft:" + parent
	b.mu.Unlock()
	if from == "" {
		from = "there"
	}
	text := answer(kind, from)
	var err error
	if ev.Kind == omni.KindFacebook {
		_, err = b.c.Facebook.Send(ctx, ev.ID, omni.FacebookSend{QueuePath: b.queuePath, From: "support", Message: text})
	} else {
		_, err = b.c.Twitter.Send(ctx, ev.ID, omni.TwitterSend{QueuePath: b.queuePath, From: "support", Message: text})
	}
	return err
}

// onChange: a private session we accepted is chatting and names its
// customer: answer once, and complete. Accept's StatusChange lists no
// participants yet (as the documents' sample shows); the ParticipantsUpdated
// after it does.
func (b *bot) onChange(ev *omni.InteractionEvent) {
	if ev.Kind != omni.KindFacebookSession || ev.State != omni.StateChatting || !ev.Can(omni.OpSendMessage) {
		return
	}
	from := ""
	for _, p := range ev.Session.Participants {
		if p.Type == omni.ParticipantCustomer {
			from = p.Nickname
		}
	}
	if from == "" {
		return // the participants come in the next notification
	}
	b.mu.Lock()
	again := b.greeted[ev.ID]
	b.greeted[ev.ID] = true
	b.mu.Unlock()
	if again {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := b.c.FacebookSessions.SendMessage(ctx, ev.ID, answer(kindPrivate, from))
	if err == nil {
		_, err = b.c.FacebookSessions.Complete(ctx, ev.ID)
	}
	b.check(ev, err)
}

// onEnd: a sent draft completes its parent; a completed inbound item is
// counted.
func (b *bot) onEnd(ev *omni.InteractionEvent) {
	b.mu.Lock()
	tag := b.kindOf[ev.ID]
	delete(b.greeted, ev.ID)
	b.mu.Unlock()
	if parent, ok := strings.CutPrefix(tag, "draft:"); ok {
		if ev.State != omni.StateSent {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		var err error
		if ev.Kind == omni.KindFacebook {
			_, err = b.c.Facebook.Complete(ctx, parent, omni.Complete{})
		} else {
			_, err = b.c.Twitter.Complete(ctx, parent, omni.Complete{})
		}
		b.check(ev, err)
		return
	}
	if !ev.Inbound || ev.State != omni.StateCompleted {
		return
	}
	kind := b.kind(ev.Interaction)
	b.mu.Lock()
	b.answered[kind]++
	total := 0
	complete := true
	for _, k := range kinds {
		total += b.answered[k]
		if b.answered[k] < b.want {
			complete = false
		}
	}
	b.mu.Unlock()
	b.logf("answered %s %s (%d so far)", kind, ev.ID, total)
	if complete && b.want > 0 {
		select {
		case <-b.done:
		default:
			close(b.done)
		}
	}
}

func (b *bot) check(ev *omni.InteractionEvent, err error) {
	if err == nil {
		return
	}
	b.mu.Lock()
	b.failed++
	b.mu.Unlock()
	b.logf("%s %s: %v", ev.Kind, ev.ID, err)
}

func (b *bot) summary() {
	b.mu.Lock()
	parts := make([]string, 0, len(kinds))
	total := 0
	for _, k := range kinds {
		parts = append(parts, fmt.Sprintf("%s %d", k, b.answered[k]))
		total += b.answered[k]
	}
	failed := b.failed
	b.mu.Unlock()
	b.logf("summary: answered %d (%s), %d failed", total, strings.Join(parts, ", "), failed)
}
