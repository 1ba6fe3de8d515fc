package omni

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"
)

// SeenReport says a user saw a message the page sent: what Infobip pushes
// to the seen webhook (webhooks.seen.url or the account's).
type SeenReport struct {
	MessageID string
	// From is the user who saw the message, To the page.
	From string
	To   string
	// SentAt and SeenAt are the parsed times; zero when missing or in an
	// unknown layout (RawSentAt, RawSeenAt keep them as sent).
	SentAt              time.Time
	RawSentAt           string
	SeenAt              time.Time
	RawSeenAt           string
	ApplicationID       string
	EntityID            string
	CampaignReferenceID string
	// Raw is the report object as received.
	Raw json.RawMessage
}

// UnmarshalJSON decodes one seen report and keeps it in Raw. null leaves r
// unchanged.
func (r *SeenReport) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	if string(data) == "null" {
		return nil
	}
	if len(data) == 0 || data[0] != '{' {
		return fmt.Errorf("omni: seen report: %w", errNotObject)
	}
	var w struct {
		MessageID           string          `json:"messageId"`
		From                string          `json:"from"`
		To                  string          `json:"to"`
		SentAt              json.RawMessage `json:"sentAt"`
		SeenAt              json.RawMessage `json:"seenAt"`
		ApplicationID       string          `json:"applicationId"`
		EntityID            string          `json:"entityId"`
		CampaignReferenceID string          `json:"campaignReferenceId"`
	}
	if err := json.Unmarshal(data, &w); err != nil {
		return fmt.Errorf("omni: seen report: %w", err)
	}
	out := SeenReport{MessageID: w.MessageID, From: w.From, To: w.To, ApplicationID: w.ApplicationID,
		EntityID: w.EntityID, CampaignReferenceID: w.CampaignReferenceID, Raw: bytes.Clone(data)}
	out.SentAt, out.RawSentAt = parseReportTime(w.SentAt)
	out.SeenAt, out.RawSeenAt = parseReportTime(w.SeenAt)
	*r = out
	return nil
}

// DecodeSeenReports decodes a {"results":[...]} body of seen reports.
// Errors are *WebhookError with Status 400.
func DecodeSeenReports(body []byte) ([]SeenReport, error) {
	var w struct {
		Results []SeenReport `json:"results"`
	}
	if err := decodePushBody(body, pushSeen, &w); err != nil {
		return nil, err
	}
	if w.Results == nil {
		return nil, noResults(pushSeen)
	}
	return withoutNulls(w.Results, func(r *SeenReport) json.RawMessage { return r.Raw }), nil
}

// ParseSeenReports reads a seen-report push from r: a POST of at most
// MaxWebhookBody bytes, decoded with DecodeSeenReports. Errors are
// *WebhookError.
func ParseSeenReports(r *http.Request) ([]SeenReport, error) {
	body, err := readPush(r, pushSeen)
	if err != nil {
		return nil, err
	}
	return DecodeSeenReports(body)
}

// DefaultDedupWindow is how many message ids a webhook handler remembers to
// drop a push Infobip delivers again.
const DefaultDedupWindow = 10000

// WebhookOption configures InboundHandler and SeenReportHandler.
type WebhookOption func(*webhookConfig)

type webhookConfig struct {
	window int
}

// WithDedupWindow sets how many handled message ids the handler remembers
// (default DefaultDedupWindow); 0 turns de-duplication off, so every
// delivery of a push reaches the function.
func WithDedupWindow(n int) WebhookOption {
	return func(c *webhookConfig) { c.window = max(n, 0) }
}

// InboundHandler returns the http.Handler of an inbound-message webhook.
// Each push is parsed with ParseInbound and its messages are passed to fn
// one at a time, in order, with the request's context.
//
// Answers: 200 when fn returned nil for every message; 500 as soon as fn
// fails (the messages after it are not passed), so that Infobip delivers
// the push again; 503 when the push holds a message another delivery is
// still handling and this request's context ended before that delivery's
// outcome was known (see below); the WebhookError's status (400, 405, 413)
// for a push it cannot read. Answers are short and never repeat the body;
// the handler logs nothing.
//
// Infobip retries a push that was not answered 200 (including one whose
// answer it stopped waiting for), so a push can arrive more than once, and
// after a failure the messages fn already handled come again. The handler
// remembers the message ids fn handled (the last DefaultDedupWindow, see
// WithDedupWindow) and skips them, so fn sees each message once. A message
// without a messageId (the documents' own sample has none) cannot be
// recognised and is passed every time it comes. An id is remembered only
// once fn succeeded for it. A delivery that brings an id fn is still
// handling for an earlier delivery waits for that outcome: if fn
// succeeded, the id is skipped; if fn failed or panicked, this delivery
// passes the message to fn itself. So a 200 always means fn succeeded for
// every message of the push, in this request or an earlier one: a 200 is
// never given for a message whose handling then fails, even when Infobip
// dropped the first delivery's connection and will never read its 500.
func InboundHandler(fn func(ctx context.Context, m InboundMessage) error, opts ...WebhookOption) http.Handler {
	return newPushHandler(opts, func(r *http.Request) ([]InboundMessage, error) {
		p, err := ParseInbound(r)
		if err != nil {
			return nil, err
		}
		return p.Results, nil
	}, func(m InboundMessage) string { return m.MessageID }, fn)
}

// SeenReportHandler returns the http.Handler of a seen-report webhook. It
// answers and de-duplicates (by messageId: a message is seen once) exactly
// like InboundHandler, including the wait for a delivery still in flight.
func SeenReportHandler(fn func(ctx context.Context, r SeenReport) error, opts ...WebhookOption) http.Handler {
	return newPushHandler(opts, ParseSeenReports, func(r SeenReport) string { return r.MessageID }, fn)
}

// newPushHandler is the handler of every per-item push: parse, skip items
// already handled, pass the rest to fn, answer.
func newPushHandler[T any](opts []WebhookOption, parse func(*http.Request) ([]T, error),
	key func(T) string, fn func(context.Context, T) error) http.Handler {
	cfg := webhookConfig{window: DefaultDedupWindow}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	seen := newDedup(cfg.window)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		items, err := parse(r)
		if err != nil {
			writeWebhookError(w, err)
			return
		}
		for _, it := range items {
			id := key(it)
			claimed, err := seen.claim(r.Context(), id)
			if err != nil {
				// Another delivery still handles id and this request's
				// context ended first: its outcome is unknown, so the push
				// must not be acknowledged.
				http.Error(w, http.StatusText(http.StatusServiceUnavailable), http.StatusServiceUnavailable)
				return
			}
			if !claimed {
				continue
			}
			if err := handleOnce(r.Context(), seen, id, it, fn); err != nil {
				http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
				return
			}
		}
		w.WriteHeader(http.StatusOK)
	})
}

// handleOnce runs fn on a claimed item: the id is remembered when fn
// succeeds and released when it fails or panics (the panic goes on to
// net/http), so a redelivery is handled again.
func handleOnce[T any](ctx context.Context, seen *dedup, id string, it T, fn func(context.Context, T) error) (err error) {
	ok := false
	defer func() {
		if ok {
			seen.commit(id)
		} else {
			seen.release(id)
		}
	}()
	err = fn(ctx, it)
	ok = err == nil
	return err
}

// writeWebhookError answers a push that could not be read.
func writeWebhookError(w http.ResponseWriter, err error) {
	status := http.StatusBadRequest
	var we *WebhookError
	if errors.As(err, &we) {
		status = we.Status
	}
	if status == http.StatusMethodNotAllowed {
		w.Header().Set("Allow", http.MethodPost)
	}
	http.Error(w, http.StatusText(status), status)
}

// dedup remembers the last n ids handled and the ids being handled. It
// keeps a SHA-256 digest per id, never the id itself, so its memory is
// bounded by n whatever the ids' length. The empty id is never remembered.
type dedup struct {
	n        int
	mu       sync.Mutex
	inFlight map[dedupKey]chan struct{} // closed when the handling ends
	done     map[dedupKey]bool
	order    []dedupKey // ring of done ids, oldest at next
	next     int
}

// dedupKey is the digest of a message id.
type dedupKey [sha256.Size]byte

func newDedup(n int) *dedup {
	return &dedup{n: n, inFlight: make(map[dedupKey]chan struct{}), done: make(map[dedupKey]bool)}
}

// claim reports whether id should be handled now, and if so marks it in
// flight. While another delivery handles id, claim waits for its outcome:
// false once it succeeded, a claim of its own once it failed. It returns
// ctx's error when ctx ends first.
func (d *dedup) claim(ctx context.Context, id string) (bool, error) {
	if id == "" || d.n == 0 {
		return true, nil
	}
	k := dedupKey(sha256.Sum256([]byte(id)))
	for {
		d.mu.Lock()
		if d.done[k] {
			d.mu.Unlock()
			return false, nil
		}
		busy, ok := d.inFlight[k]
		if !ok {
			d.inFlight[k] = make(chan struct{})
			d.mu.Unlock()
			return true, nil
		}
		d.mu.Unlock()
		select {
		case <-busy: // look again: done, or free to claim
		case <-ctx.Done():
			return false, ctx.Err()
		}
	}
}

// release forgets a claim whose handling failed, so a redelivery (or a
// delivery waiting in claim) handles it.
func (d *dedup) release(id string) {
	if id == "" || d.n == 0 {
		return
	}
	k := dedupKey(sha256.Sum256([]byte(id)))
	d.mu.Lock()
	d.endFlight(k)
	d.mu.Unlock()
}

// commit remembers id as handled, forgetting the oldest beyond n.
func (d *dedup) commit(id string) {
	if id == "" || d.n == 0 {
		return
	}
	k := dedupKey(sha256.Sum256([]byte(id)))
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.order) < d.n {
		d.order = append(d.order, k)
	} else {
		delete(d.done, d.order[d.next])
		d.order[d.next] = k
		d.next = (d.next + 1) % d.n
	}
	d.done[k] = true
	d.endFlight(k)
}

// endFlight wakes the deliveries waiting for k; d.mu is held.
func (d *dedup) endFlight(k dedupKey) {
	if busy, ok := d.inFlight[k]; ok {
		close(busy)
		delete(d.inFlight, k)
	}
}
