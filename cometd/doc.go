// Package cometd is a Bayeux (CometD) client: it talks to any Bayeux 1.0
// server, such as the CometD Java and Node servers or Faye, over websocket
// or long-polling.
//
// # Session
//
// Handshake negotiates the connection type (the first of the client's
// preferences, WithTransports, that the server lists) and starts the
// /meta/connect loop, which keeps exactly one connect outstanding, sends the
// first one with advice {timeout: 0}, and bounds each by the server's
// advice.timeout plus WithMaxNetworkDelay. Subscribe, Publish and the
// meta messages are matched with their replies by id, each given
// WithMaxNetworkDelay to be answered (ErrNoReply otherwise); data messages
// found in any reply are dispatched in order.
//
// # Subscriptions
//
// Subscribe registers its handler before it sends /meta/subscribe, as the
// CometD Java client does, so messages a server writes ahead of its
// subscribe reply (or in a connect reply that comes back first) are
// delivered; a refusal removes the handler the moment it is read. A
// Subscribe whose context ends before the reply is undone on the server
// should the late reply accept it. Each Subscription says whether it is
// active on the server in the current session: State, Err, Done, and Ready,
// which waits until it is (call it before sending something whose answer the
// subscription must not miss).
//
// # Advice, failures and reconnection
//
// The server's advice (reconnect, interval, timeout, maxInterval) is obeyed
// and updated from every reply; absent fields keep their values. Network
// failures and HTTP 5xx back off linearly (WithBackoff), for handshakes as
// for connects, and the backoff resets after a successful connect. When an
// unsuccessful reply advises a new handshake (whatever its error text, e.g.
// "402::Unknown client"; a successful connect advising one keeps its
// session, as the JavaScript client does), or the client has been unable to connect for
// longer than the server keeps sessions, the client handshakes again with
// fresh advice — at once and with the backoff reset when the session had
// connected (as the Java and JavaScript clients do), after the backoff when
// the server forgot a session before its first connect — and re-subscribes
// every subscription with the new clientId. A re-subscription that fails on
// the network, with an HTTP error, or with a 402 or 5xx reply is retried
// with the backoff until the server accepts it or the session ends; one
// refused otherwise (e.g. 403) ends its Subscriptions. State listeners
// (OnState) get a StateChange per round with Resubscribed set and Err holding
// the *SubscriptionError values of the failures. A fresh Subscribe answered
// 402 (or with advice reconnect "handshake") makes the client re-handshake at
// once, cutting its held connect short, and waits likewise for the new
// session's answer. A /meta/connect answered
// HTTP 401 or 403 counts as a lost session: the client re-handshakes, with
// refresh set for a WithHandshakeAuth provider.
// Terminal errors — advice reconnect "none" (on any handshake or connect
// reply, successful or not, or on an unsuccessful subscribe reply:
// ErrReconnectNone), a handshake answered with HTTP
// 401 or 403 (after one refresh of WithHandshakeAuth credentials, when
// given), no connection type shared by WithTransports and the server (a
// failed upgrade to a websocket-only server is a network failure, retried)
// — stop the client: listeners get one
// StateChange to StateTerminated, Err returns the *TerminalError, Done is
// closed, every Subscription ends and every blocked call returns the error.
//
// # Transports
//
// Long-polling POSTs JSON arrays with the *http.Client given by
// WithHTTPClient (and so its cookie jar); websocket (github.com/coder/websocket)
// carries every message on one socket dialled with the same client and
// headers. If the websocket upgrade is refused, or the socket fails three
// times without a successful connect in between (including a connect left
// unanswered for advice.timeout plus the network delay), the client falls
// back to long-polling and says so in StateChange.Reason. A session that
// already exists survives the switch: the next /meta/connect goes over
// long-polling with the same clientId, so what the server queued for it
// arrives (should the server have forgotten the session, its 402 leads to
// the usual re-handshake). Websocket is sticky, like the JavaScript client's
// stickyReconnect: every handshake tries it again (falling back within the
// attempt if it still fails), so a 503 during a server restart does not
// cost websocket for the life of the client. The client falls back only to
// a server whose last handshake reply offered long-polling.
// Messages queued while a request is in flight go together in the next
// request or frame. Replies larger than WithMaxMessageSize are refused.
// While a burst arrives over websocket, the socket is read at most once per
// WithReadPacing interval (500µs by default) after a read that emptied it,
// so that the server's many small writes merge; a message that comes alone,
// and a request's reply when no burst is being read, are read at once.
//
// # Delivery
//
// Handlers, meta listeners (OnMeta) and state listeners run on one delivery
// goroutine per client, one at a time: messages in the order they arrived,
// a state change before the messages still queued. The delivery goroutine
// and the one that sends queued requests exist only while they have work,
// so an idle session costs the connect loop and its connection's goroutines
// (see BENCHMARKS.md for the figures).
//
// Slow handlers: the queue in front of the delivery goroutine holds up to
// WithQueueBytes (8 MiB by default). While it has room the client goes on
// reading and connecting, so the session stays alive however slow the
// handlers are. When it is full the client stops reading until the handlers
// have taken half of it (backpressure); the server holds the messages, but no
// /meta/connect is outstanding meanwhile, and a server expires a session
// left without one for its maxInterval (10 s on CometD), dropping what it
// held for it. Should that happen, the client re-handshakes and
// re-subscribes as after any session loss, and the StateChange announcing
// it has an Err matching ErrSlowConsumer: the loss is reported, never
// silent. The client itself drops nothing, except what is still queued at
// Close (the count is logged); Disconnect delivers it first, and may be
// called from a handler even with the queue full.
//
// A handler or listener that panics does not stop the client: the panic is
// recovered and logged with its stack, and for message handlers and meta
// listeners state listeners get a StateChange (From == To) whose Err is a
// *PanicError (errors.Is ErrHandlerPanic); delivery goes on with the next
// handler.
//
// Decoding is lenient like the CometD JavaScript client: a well-formed reply
// with a field of an unexpected type ("id":7, "ext":[], "interval":0.0) is
// used without that field (or with the number converted), so the rest of
// the reply is delivered; the first such field is logged at Warn, later ones
// at Debug. Malformed JSON is a failure of the request.
//
// # Extensions
//
// An Extension sees every outgoing and incoming message; AckExtension is
// the client side of CometD's acknowledged-messages extension (it reads the
// server's handshake ext.ack both as true and as {"enabled":true,"batch":N}).
// Credentials that expire, such as OAuth tokens, come from WithHandshakeAuth:
// a provider called with the handshake's context before every handshake,
// and once more to refresh after a 401/403. See the Extension example for
// fixed credentials in the handshake.
//
// Nothing is logged unless WithLogger is given; header values never are.
package cometd
