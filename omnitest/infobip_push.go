package omnitest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"
)

// The simulator pushes like Infobip: delivery reports for what the current
// API accepted, seen reports when a customer sees a message, and the
// messages customers send. A push that is not answered 2xx is tried again
// on Infobip's schedule, 1 min + 1 min × n² before retry n ("1 min" is
// WithPushMinute, so tests can compress it), and every attempt is
// recorded (PushAttempts). An attempt the receiver does not answer within
// the push timeout (WithPushTimeout) is a failed attempt, retried on the
// same schedule.

// PushKind says what a push carries.
type PushKind string

// The push kinds.
const (
	PushInbound  PushKind = "inbound"
	PushDelivery PushKind = "delivery"
	PushSeen     PushKind = "seen"
)

// Webhooks are the account's push URLs (what Infobip's account manager
// sets up). A message's own webhooks.delivery.url and webhooks.seen.url
// take precedence for its reports. An empty URL means no push of that kind.
type Webhooks struct {
	Inbound  string
	Delivery string
	Seen     string
}

// PushAttempt is the record of one attempt at one push.
type PushAttempt struct {
	Kind PushKind
	URL  string
	// IDs are the messageIds the push carries.
	IDs  []string
	Body []byte
	// Attempt is 1 for the first try, 2 for the first retry, ...
	Attempt int
	// Status is the receiver's HTTP status, 0 when no answer came (Err).
	Status int
	Err    string
	Time   time.Time
}

// DefaultPushAttempts is how many times a push is tried unless
// WithPushAttempts says otherwise.
const DefaultPushAttempts = 10

// DefaultPushTimeout is how long one push attempt waits for the
// receiver's answer unless WithPushTimeout says otherwise. Infobip's
// documents name no value; 30 s is what pushers commonly allow. It is not
// scaled by WithPushMinute: a compressed schedule must not make a busy
// receiver time out.
const DefaultPushTimeout = 30 * time.Second

// pushConfig is set by the push options.
type pushConfig struct {
	minute   time.Duration
	attempts int
	timeout  time.Duration
}

// WithPushMinute sets the unit of the push retry schedule: retry n waits
// d + d×n² (Infobip: d = 1 minute, the default). Tests use a few
// milliseconds.
func WithPushMinute(d time.Duration) Option {
	return func(c *config) {
		if d > 0 {
			c.push.minute = d
		}
	}
}

// WithPushTimeout sets how long one push attempt waits for the receiver
// to answer (default DefaultPushTimeout). An attempt that runs out of time
// is recorded with Status 0 and an Err saying so, and retried on the
// schedule, as Infobip does with a receiver that keeps it waiting.
func WithPushTimeout(d time.Duration) Option {
	return func(c *config) {
		if d > 0 {
			c.push.timeout = d
		}
	}
}

// WithPushAttempts sets how many times a push is tried before it is given
// up (default DefaultPushAttempts).
func WithPushAttempts(n int) Option {
	return func(c *config) {
		if n > 0 {
			c.push.attempts = n
		}
	}
}

// infobipState is the simulator's Infobip side beyond the legacy endpoint.
type infobipState struct {
	s    *Server
	book messagesBook

	mu       sync.Mutex
	hooks    Webhooks
	attempts []PushAttempt
	pending  int
	idle     chan struct{} // closed when pending drops to 0; nil while 0
	closed   bool
	ctx      context.Context
	cancel   context.CancelFunc
	wg       sync.WaitGroup
	hc       *http.Client
	minute   time.Duration
	tries    int
	timeout  time.Duration
}

// infobip returns the Infobip state, created on first use.
func (s *Server) infobip() *infobipState {
	s.ibOnce.Do(func() {
		ctx, cancel := context.WithCancel(context.Background())
		ib := &infobipState{s: s, ctx: ctx, cancel: cancel, minute: time.Minute, tries: DefaultPushAttempts,
			timeout: DefaultPushTimeout, hc: &http.Client{}}
		if s.cfg.push.minute > 0 {
			ib.minute = s.cfg.push.minute
		}
		if s.cfg.push.attempts > 0 {
			ib.tries = s.cfg.push.attempts
		}
		if s.cfg.push.timeout > 0 {
			ib.timeout = s.cfg.push.timeout
		}
		s.ib = ib
	})
	return s.ib
}

// closePushes stops every push in progress and waits for them. Every
// attempt runs under ib.ctx, so cancelling it ends an attempt whatever the
// receiver does (even a receiver that accepted the connection and never
// reads or answers): Close never waits for a stuck receiver.
func (ib *infobipState) closePushes() {
	ib.mu.Lock()
	ib.closed = true
	ib.mu.Unlock()
	ib.cancel()
	ib.wg.Wait()
	ib.hc.CloseIdleConnections()
}

// SetWebhooks sets the account's push URLs.
func (s *Server) SetWebhooks(h Webhooks) {
	ib := s.infobip()
	ib.mu.Lock()
	ib.hooks = h
	ib.mu.Unlock()
}

// PushAttempts returns a copy of every push attempt so far, in order.
func (s *Server) PushAttempts() []PushAttempt {
	ib := s.infobip()
	ib.mu.Lock()
	defer ib.mu.Unlock()
	out := make([]PushAttempt, len(ib.attempts))
	for i, a := range ib.attempts {
		a.IDs = slices.Clone(a.IDs)
		a.Body = slices.Clone(a.Body)
		out[i] = a
	}
	return out
}

// WaitPushes blocks until every push made so far has been answered 2xx or
// given up, or ctx ends.
func (s *Server) WaitPushes(ctx context.Context) error {
	ib := s.infobip()
	ib.mu.Lock()
	idle := ib.idle
	ib.mu.Unlock()
	if idle == nil {
		return nil
	}
	select {
	case <-idle:
		return s.WaitPushes(ctx) // pushes made meanwhile
	case <-ctx.Done():
		return ctx.Err()
	}
}

// push sends body to url in the background, retrying on the schedule.
func (ib *infobipState) push(kind PushKind, url string, ids []string, body []byte) {
	if url == "" {
		return
	}
	ib.mu.Lock()
	if ib.closed {
		ib.mu.Unlock()
		return
	}
	ib.pending++
	if ib.idle == nil {
		ib.idle = make(chan struct{})
	}
	ib.wg.Add(1)
	ib.mu.Unlock()
	go func() {
		defer ib.wg.Done()
		defer ib.pushDone()
		for n := 1; n <= ib.tries; n++ {
			if ib.attempt(kind, url, ids, body, n) {
				return
			}
			if n == ib.tries {
				return
			}
			t := time.NewTimer(ib.minute + ib.minute*time.Duration(n*n))
			select {
			case <-t.C:
			case <-ib.ctx.Done():
				t.Stop()
				return
			}
		}
	}()
}

func (ib *infobipState) pushDone() {
	ib.mu.Lock()
	defer ib.mu.Unlock()
	ib.pending--
	if ib.pending == 0 && ib.idle != nil {
		close(ib.idle)
		ib.idle = nil
	}
}

// attempt makes one try and records it; true when answered 2xx.
func (ib *infobipState) attempt(kind PushKind, url string, ids []string, body []byte, n int) bool {
	rec := PushAttempt{Kind: kind, URL: url, IDs: ids, Body: body, Attempt: n, Time: time.Now()}
	ctx, cancel := context.WithTimeout(ib.ctx, ib.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err == nil {
		req.Header.Set("Content-Type", "application/json")
		var resp *http.Response
		if resp, err = ib.hc.Do(req); err == nil {
			rec.Status = resp.StatusCode
			// The answer counts once it is read whole within the timeout.
			_, err = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
			_ = resp.Body.Close()
		}
	}
	if err != nil { // no whole answer: a failed attempt
		rec.Status, rec.Err = 0, err.Error()
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			rec.Err = "no answer within the push timeout (" + ib.timeout.String() + ")"
		}
	}
	ib.mu.Lock()
	ib.attempts = append(ib.attempts, rec)
	ib.mu.Unlock()
	return rec.Status >= 200 && rec.Status < 300
}

// pushDelivery pushes the delivery report of an accepted message.
func (ib *infobipState) pushDelivery(o *outbound) {
	if !o.notify {
		return
	}
	url := o.deliveryURL
	if url == "" {
		ib.mu.Lock()
		url = ib.hooks.Delivery
		ib.mu.Unlock()
	}
	body, _ := json.Marshal(map[string]any{"results": []any{deliveryReport(o)}})
	ib.push(PushDelivery, url, []string{o.MessageID}, body)
}

// Customer is a Messenger user the test controls: what it sends is pushed
// to the inbound webhook, what it sees to the seen webhook.
type Customer struct {
	s *Server
	// ID is the user's page-scoped id ("sender" of what it sends).
	ID string
	// Page is the page it writes to ("to").
	Page string
}

// Customer returns the user id writing to page.
func (s *Server) Customer(id, page string) *Customer { return &Customer{s: s, ID: id, Page: page} }

// SendText makes the customer write text; it returns the inbound messageId.
func (c *Customer) SendText(text string) string {
	return c.Send(map[string]any{"type": "TEXT", "mid": "mid." + c.nextID(), "text": text})
}

// SendQuickReply makes the customer tap a quick reply (text and its payload).
func (c *Customer) SendQuickReply(text, payload string) string {
	return c.Send(map[string]any{"type": "TEXT", "mid": "mid." + c.nextID(), "text": text,
		"quickReply": map[string]any{"payload": payload}})
}

// SendPostback makes the customer press a POSTBACK button.
func (c *Customer) SendPostback(title, payload string) string {
	return c.Send(map[string]any{"type": "POSTBACK", "title": title, "payload": payload})
}

// SendLocation makes the customer share a location.
func (c *Customer) SendLocation(lat, lon float64) string {
	return c.Send(map[string]any{"type": "LOCATION", "latitude": lat, "longitude": lon})
}

// Send pushes a message object of any type (it is marshalled as the
// "message" of the current-generation push) and returns its messageId.
func (c *Customer) Send(message any) string {
	id := "mo-" + c.nextID()
	ib := c.s.infobip()
	result := map[string]any{"sender": c.ID, "to": c.Page, "integrationType": "MESSENGER",
		"receivedAt": time.Now().Format(infobipTimeLayout), "messageId": id, "message": message,
		"price": map[string]any{"pricePerMessage": 0, "currency": "EUR"}}
	c.pushInbound(ib, id, result)
	return id
}

// SendLegacyText is SendText in the legacy (OMNI) push shape, which names
// the user "from" and carries no messageId; it returns "".
func (c *Customer) SendLegacyText(text string) string {
	c.pushInbound(c.s.infobip(), "", map[string]any{"from": c.ID, "to": c.Page,
		"receivedAt": time.Now().Format(infobipTimeLayout), "message": map[string]any{"type": "TEXT", "text": text},
		"price": map[string]any{"pricePerMessage": 0, "currency": "EUR"}})
	return ""
}

func (c *Customer) pushInbound(ib *infobipState, id string, result map[string]any) {
	body, _ := json.Marshal(map[string]any{"results": []any{result}, "messageCount": 1, "pendingMessageCount": 0})
	ib.mu.Lock()
	url := ib.hooks.Inbound
	ib.mu.Unlock()
	var ids []string
	if id != "" {
		ids = []string{id}
	}
	ib.push(PushInbound, url, ids, body)
}

// Received returns what the current API accepted for this customer, in order.
func (c *Customer) Received() []OutboundMessage {
	var out []OutboundMessage
	for _, m := range c.s.OutboundMessages() {
		if m.To == c.ID {
			out = append(out, m)
		}
	}
	return out
}

// SeeAll makes the customer see every message sent to it not seen yet
// (sender actions are not messages and are never seen): one seen report
// each, to the message's seen URL or the account's. It returns how many.
func (c *Customer) SeeAll() int {
	ib := c.s.infobip()
	ib.book.mu.Lock()
	var fresh []*outbound
	for _, o := range ib.book.sent {
		if o.To == c.ID && !o.seen && !isSenderAction(o.Content) {
			o.seen = true
			fresh = append(fresh, o)
		}
	}
	ib.book.mu.Unlock()
	now := time.Now()
	for _, o := range fresh {
		url := o.seenURL
		if url == "" {
			ib.mu.Lock()
			url = ib.hooks.Seen
			ib.mu.Unlock()
		}
		body, _ := json.Marshal(map[string]any{"results": []any{map[string]any{
			"messageId": o.MessageID, "from": c.ID, "to": o.Sender,
			"sentAt": o.Time.Format(infobipTimeLayout), "seenAt": now.Format(infobipTimeLayout)}}})
		ib.push(PushSeen, url, []string{o.MessageID}, body)
	}
	return len(fresh)
}

func (c *Customer) nextID() string {
	return strconv.FormatInt(c.s.nextID(), 10) + "-" + c.ID
}

func isSenderAction(content json.RawMessage) bool {
	var head struct {
		Type string `json:"type"`
	}
	return json.Unmarshal(content, &head) == nil && head.Type == "SENDER_ACTION"
}
