package omni

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/omnisdk/omni/cometd"
)

// ErrNoResult is Await's error when its operation returned neither a result
// nor an error and sent no request through the ctx it was given: nothing
// was sent, so there is nothing to wait for. Await subscribes to nothing
// then.
var ErrNoResult = errors.New("omni: the operation returned no result and sent nothing: nothing to wait for")

// Expect says which notification reports the outcome of an operation, for
// Client.Await.
type Expect struct {
	// Channel is the CometD channel the notification comes on, such as
	// ChannelFacebook (wildcards /* and /** allowed, as its last segment
	// only; no /meta channel). Required: an invalid one is a
	// *ValidationError before any I/O.
	Channel string

	// ResourceID and State correlate when the operation's reply carries no
	// referenceId (some documented replies are a bare {"statusCode":0}):
	// the wait ends with the first notification on Channel about the
	// resource ResourceID (its id field, such as facebook.id; for a Reply,
	// whose notification is about a new draft, also a draft whose parentId
	// is ResourceID) that is in State, or in any state when State is "".
	// With a referenceId in the
	// reply they are not used; the wait then takes the first notification
	// with that referenceId, except, for the operations the documents show
	// reporting on the interaction they act on (Save, Cancel, Complete,
	// Transfer, SetDisposition, AddComment, the user-data operations,
	// Accept, Reject, Consult, Leave, SendMessage, SendToAgents, the typing
	// indicators and RemoveParticipantFromConference), one about another
	// interaction, for Send an Error notification about
	// another interaction, and for Reply one whose draft answers another
	// (its parentId): the documents do not say referenceIds are unique
	// across a user's HTTP sessions, and two clients of one agent may be
	// handed the same numbers. A notification that names no interaction,
	// such as a TwitterOperationResponse, and a Send's state change (the
	// documents' Twitter sample reports the Tweet sent under another id
	// than the request's) cannot be told apart that way: with two clients
	// of one agent, give each its own user.
	//
	// Such a wait skips a notification whose referenceId is one the
	// client's own GWS operations returned (the last 4096 of them, recorded
	// as their replies are decoded, or, for a reply without one, taken from
	// the notification that ended its wait): it reports that other
	// operation, even when its resource and state match. A notification with no
	// referenceId, or one the client does not know, still matches. A
	// notification that arrives before the reply of its own operation has
	// been decoded cannot be told apart yet and may still be taken.
	ResourceID string
	State      State

	// Match, when set, narrows which of the correlated notifications ends
	// the wait: the first for which it returns true. Twitter's
	// SendAndWait, for example, skips the successful
	// TwitterOperationResponse that precedes the state change. An Error
	// notification ends the wait whatever Match says.
	Match func(Notification) bool
}

// Await runs op (a GWS operation, such as a Send or a Reply) and waits for
// the notification it caused: the first on want.Channel with the
// referenceId op returned or, when the reply carried none, the first about
// want.ResourceID in want.State.
//
// The operation must use the ctx Await hands it: right before op's first
// request is sent (after op validated its input, so invalid input costs no
// I/O and returns op's *ValidationError at once), Await makes sure the
// client's notification subscription is live, subscribing on first use, and
// holds the request while the client knows its CometD session is lost (its
// connects fail, or it is re-handshaking) or its subscriptions are pending
// re-subscription. Should ctx end (or the subscription fail, such as
// ErrUnauthorized) before then, nothing is sent and that error is returned.
//
// A loss the server has not yet told the client about cannot be seen: when
// GWS dropped the session an instant before the request left, the
// notification is published into the lost session and is lost, as for any
// subscriber. The wait then ends with ctx, as a *WaitError carrying the
// ReferenceID; read the resource (such as FacebookService.Get) to learn its
// state instead of running the operation again.
//
// A notification with notificationType Error, or a TwitterOperationResponse
// reporting failure, for the operation is an *OperationError carrying it.
// An op that returns (nil, nil) without sending anything is ErrNoResult.
// When op succeeded but no notification came (ctx ended, the subscription
// stopped) the error is a *WaitError: the operation was accepted, so do not
// run it again blindly. Give ctx a deadline: a notification that never comes
// is waited for until ctx ends.
func (c *Client) Await(ctx context.Context, want Expect, op func(ctx context.Context) (Accepted, error)) (Notification, error) {
	if rule := channelRule(want.Channel); rule != "" {
		return nil, &ValidationError{Fields: []FieldError{{Field: "Expect.Channel", Rule: rule}}}
	}
	if op == nil {
		return nil, &ValidationError{Fields: []FieldError{{Field: "op", Rule: "must not be nil"}}}
	}
	if c.gws == nil {
		return nil, ErrNotConfigured
	}
	var w *waiter
	var since uint64
	prepare := func(ctx context.Context) error {
		var err error
		if w, err = c.waiterFor(ctx, want.Channel); err != nil {
			return err
		}
		if err := w.live(ctx); err != nil {
			return err
		}
		since = w.mark()
		return nil
	}
	hook := &beforeSend{fn: prepare}
	res, err := op(withBeforeSend(ctx, hook))
	if err != nil {
		return nil, err
	}
	if (res == nil || res.accepted() == nil) && !hook.ran() {
		return nil, ErrNoResult
	}
	if !hook.ran() {
		// op sent nothing through the ctx it was given: subscribe now. A
		// notification that came before this cannot be matched.
		if err := prepare(ctx); err != nil {
			return nil, &WaitError{Err: err}
		}
	}
	var ref int64
	var about aboutRule
	if res != nil {
		if r := res.accepted(); r != nil {
			ref, about = r.ReferenceID, aboutRule{r.about, r.aboutParent, r.aboutErrors}
		}
	}
	c.refs.add(ref)
	if ref == 0 && want.ResourceID == "" {
		return nil, &WaitError{Err: errors.New("the server returned no referenceId to wait for, and Expect names no ResourceID")}
	}
	if ref != 0 {
		// A referenceId names one operation: its notification may be taken
		// from those that came at any time (the server numbers operations,
		// so none can be older than the send). Resource and state are not
		// unique: only what came after the send started counts.
		since = 0
	}
	n, err := w.await(ctx, since, want.matcher(ref, about, c.refs.has))
	if err != nil {
		return nil, &WaitError{ReferenceID: ref, Err: err}
	}
	if ref == 0 {
		// The notification names the operation's referenceId even though
		// its reply did not: what else comes with it (an Accept's
		// ParticipantsUpdated and message log) belongs to this operation,
		// and the next wait by resource must not take it.
		c.refs.add(n.Header().ReferenceID)
	}
	if oe := operationFailure(n); oe != nil {
		var by *call
		if res != nil {
			if r := res.accepted(); r != nil {
				by = r.by
			}
		}
		if by == nil && c.gws != nil {
			by = &call{ep: c.gws}
		}
		if by != nil {
			by.redact(oe) // the server's errorMessage may repeat a credential
		}
		return nil, oe
	}
	return n, nil
}

// channelRule returns the rule a channel for Expect breaks, or "": a
// Bayeux channel such as "/v2/me/facebook" ("/" and segments, no empty
// segment), not a /meta channel, with a wildcard only as its last segment
// ("/*" or "/**"), as the CometD client's Subscribe requires.
func channelRule(ch string) string {
	switch {
	case ch == "":
		return "must not be empty"
	case !utf8.ValidString(ch):
		return ruleUTF8
	case !strings.HasPrefix(ch, "/") || len(ch) < 2 || strings.HasSuffix(ch, "/") || strings.Contains(ch, "//") ||
		strings.ContainsAny(ch, " \t\r\n"):
		return `must be a channel such as "/v2/me/facebook"`
	case ch == "/meta" || strings.HasPrefix(ch, "/meta/"):
		return "must not be a /meta channel"
	}
	head := strings.TrimSuffix(strings.TrimSuffix(ch, "/**"), "/*")
	if strings.Contains(head, "*") {
		return `may hold a wildcard only as its last segment ("/*" or "/**")`
	}
	return ""
}

// matcher returns whether a notification ends the wait for an operation
// whose reply carried ref (0 for none). Without a ref, a notification whose
// referenceId known reports is skipped: it belongs to another operation.
// With one, a notification about another interaction than about (the one
// the operation acted on and reports on, or "") is skipped: the documents
// do not say referenceIds are unique across a user's sessions, and two
// clients of one agent may be handed the same numbers.
func (e Expect) matcher(ref int64, about aboutRule, known func(int64) bool) func(Notification) bool {
	return func(n Notification) bool {
		h := n.Header()
		if !cometd.Match(e.Channel, h.Channel) {
			return false
		}
		if ref != 0 {
			if h.ReferenceID != ref {
				return false
			}
			if !about.holds(n) {
				return false
			}
		} else {
			if known(h.ReferenceID) {
				return false
			}
			id, state := resourceOf(n)
			if id != e.ResourceID && !(about.parent && draftParent(n) == e.ResourceID) {
				return false
			}
			if operationFailure(n) == nil && e.State != "" && state != e.State {
				return false
			}
		}
		return operationFailure(n) != nil || e.Match == nil || e.Match(n)
	}
}

// operationFailure returns the *OperationError a notification stands for:
// notificationType Error, or a TwitterOperationResponse with success false.
func operationFailure(n Notification) *OperationError {
	h := n.Header()
	if op, ok := n.(*TwitterOperationResponse); ok && !op.Success {
		return &OperationError{ReferenceID: h.ReferenceID, Message: op.ErrorMessage, Notification: n}
	}
	if h.NotificationType != NotificationError {
		return nil
	}
	var msg struct {
		ErrorMessage  string `json:"errorMessage"`
		StatusMessage string `json:"statusMessage"`
	}
	_ = json.Unmarshal(h.Raw, &msg) // no message is fine: the notification says enough
	m := msg.ErrorMessage
	if m == "" {
		m = msg.StatusMessage
	}
	if m == "" {
		m = "the server sent a notification of type Error"
	}
	return &OperationError{ReferenceID: h.ReferenceID, Message: m, Notification: n}
}

// aboutRule is the interaction a wait with a referenceId checks its
// notification is about (see Expect): id, or with parent, the interaction
// the notification's draft answers; no id checks nothing. With errorsOnly
// only an Error notification is checked (Send: see SendResult.aboutErrors).
type aboutRule struct {
	id         string
	parent     bool
	errorsOnly bool
}

// holds reports whether n is not about another interaction than r names:
// a notification that names none passes.
func (r aboutRule) holds(n Notification) bool {
	if r.id == "" {
		return true
	}
	if r.errorsOnly && n.Header().NotificationType != NotificationError {
		return true
	}
	if r.parent {
		// A Reply's notification is about its new draft, whose parentId
		// (when the server sends one) is the interaction answered; one
		// about an inbound interaction (such as an Error) must be that one.
		parent, id, inbound := "", "", false
		switch ev := n.(type) {
		case *FacebookStateChange:
			parent, id, inbound = ev.Facebook.ParentID, ev.Facebook.ID, ev.Facebook.FacebookType == "Inbound"
		case *TwitterStateChange:
			parent, id, inbound = ev.Tweet.ParentID, ev.Tweet.ID, ev.Tweet.TwitterType == "Inbound"
		}
		switch {
		case parent != "":
			return parent == r.id
		case inbound && id != "":
			return id == r.id
		}
		return true
	}
	got, _ := resourceOf(n)
	return got == "" || got == r.id
}

// draftParent returns the parentId of the draft a Facebook or Twitter
// state change is about, or "".
func draftParent(n Notification) string {
	switch ev := n.(type) {
	case *FacebookStateChange:
		return ev.Facebook.ParentID
	case *TwitterStateChange:
		return ev.Tweet.ParentID
	}
	return ""
}

// resourceOf returns the id and state of the resource a notification is
// about, or "" when it names none. Types this package does not decode are
// probed in their raw data: the first (by key) object field with an "id".
func resourceOf(n Notification) (string, State) {
	switch ev := n.(type) {
	case *FacebookStateChange:
		return ev.Facebook.ID, ev.Facebook.State
	case *TwitterStateChange:
		return ev.Tweet.ID, ev.Tweet.State
	case *FacebookSessionStateChange:
		return ev.Session.ID, ev.Session.State
	case *MessageLogUpdated: // names its session by URI only: .../facebooksessions/{id}
		u := strings.TrimRight(ev.FacebookSessionURI, "/")
		if i := strings.LastIndexByte(u, '/'); i >= 0 {
			if id, err := url.PathUnescape(u[i+1:]); err == nil {
				return id, ""
			}
			return u[i+1:], ""
		}
		return "", ""
	}
	var fields map[string]json.RawMessage
	if json.Unmarshal(n.Header().Raw, &fields) != nil {
		return "", ""
	}
	keys := make([]string, 0, len(fields))
	for k, v := range fields {
		if len(v) > 0 && v[0] == '{' {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		var r struct {
			ID    string `json:"id"`
			State State  `json:"state"`
		}
		if json.Unmarshal(fields[k], &r) == nil && r.ID != "" {
			return r.ID, r.State
		}
	}
	return "", ""
}

// beforeSend is the hook Await puts into the context of its operation: the
// request pipeline runs it once, right before the first GWS request leaves.
type beforeSend struct {
	once sync.Once
	fn   func(context.Context) error
	err  error
	done bool
	mu   sync.Mutex
}

type beforeSendKey struct{}

func withBeforeSend(ctx context.Context, h *beforeSend) context.Context {
	return context.WithValue(ctx, beforeSendKey{}, h)
}

// runBeforeSend runs the hook of ctx, if any, once.
func runBeforeSend(ctx context.Context) error {
	h, _ := ctx.Value(beforeSendKey{}).(*beforeSend)
	if h == nil {
		return nil
	}
	h.once.Do(func() {
		err := h.fn(ctx)
		h.mu.Lock()
		h.err, h.done = err, true
		h.mu.Unlock()
	})
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.err
}

// ran reports whether the hook has run.
func (h *beforeSend) ran() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.done
}
