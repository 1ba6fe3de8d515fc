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
// meta messages are matched with their replies by id; data messages found in
// any reply are dispatched in order.
//
// # Advice, failures and reconnection
//
// The server's advice (reconnect, interval, timeout, maxInterval) is obeyed
// and updated from every reply; absent fields keep their values. Network
// failures and HTTP 5xx back off linearly (WithBackoff), for handshakes as
// for connects, and the backoff resets after a successful connect. When the
// server advises a new handshake (whatever its error text, e.g.
// "402::Unknown client"), or the client has been unable to connect for
// longer than the server keeps sessions, the client handshakes again with
// fresh advice and re-subscribes every active subscription with the new
// clientId; state listeners (OnState) get a StateChange with Resubscribed set
// and, if the server refused some, Err holding *SubscriptionError values.
// Terminal errors — advice reconnect "none", a handshake answered with HTTP
// 401 or 403, no common connection type — stop the client: listeners get
// one StateChange to StateTerminated, Err returns the *TerminalError, Done is
// closed and every blocked call returns the error.
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
// the usual re-handshake).
// Messages queued while a request is in flight go together in the next
// request or frame. Replies larger than WithMaxMessageSize are refused.
//
// # Delivery
//
// Handlers, meta listeners (OnMeta) and state listeners run on one delivery
// goroutine per client, one at a time, in order. The queue in front of it is
// bounded (WithQueueSize); when it is full the client stops reading from the
// network until there is room, so nothing is dropped. Close returns promptly
// even then, discarding what is still queued. The delivery goroutine and the
// one that sends queued requests exist only while they have work, so an idle
// session costs the connect loop and its connection's goroutines (see
// BENCHMARKS.md for the figures).
//
// # Extensions
//
// An Extension sees every outgoing and incoming message; AckExtension is
// the client side of CometD's acknowledged-messages extension. See the
// Extension example for adding credentials to the handshake.
//
// Nothing is logged unless WithLogger is given; header values never are.
package cometd
