// Package bayeuxsrv is an in-process Bayeux 1.0 (CometD) server for tests and
// simulators. A *Server is an http.Handler: mount it at the CometD endpoint
// (omnitest mounts it at /api/v2/notifications). It speaks the long-polling
// transport (POST of a JSON array of messages; a single object is accepted
// too) and the websocket transport (GET with Upgrade; one socket carries every
// message both ways).
//
// Supported protocol:
//
//   - /meta/handshake: version "1.0", supportedConnectionTypes negotiated
//     against Options.Transports ("400::No common transport" and advice
//     reconnect "none" when nothing is shared), Options.Authorize
//     ("403::<error>" and reconnect "none" on refusal), a random clientId,
//     advice {reconnect "retry", interval, timeout, maxInterval} and, for
//     long-polling, a BAYEUX_BROWSER cookie.
//   - /meta/connect: the first connect of a session, and any connect with
//     advice.timeout 0, is answered at once; later ones are held until data is
//     queued, Timeout passes, the client goes away, a newer connect arrives or
//     the server closes. Data messages come before the connect reply, in
//     publish order. On a websocket without the ack extension data is pushed
//     as it is queued and the held connect is answered at its timeout.
//   - /meta/subscribe and /meta/unsubscribe with one channel or an array;
//     wildcards "/a/*" (one segment) and "/a/**" (any depth); /meta channels
//     are refused with 403.
//   - Client publishes: broadcast to subscribers (the publisher included when
//     it is subscribed) except on /service/** channels, which are only
//     acknowledged.
//   - /meta/disconnect ends the session and answers a held connect with
//     advice reconnect "none".
//   - Any request naming an unknown (expired, dropped, disconnected)
//     clientId gets "402::Unknown client" with advice reconnect "handshake".
//   - The ack extension (ext.ack); see the rules in ack.go.
//
// Replies echo each request's id. Data messages may ride on the reply to any
// long-polling request when no connect is held for the session.
//
// Resources: no goroutine is kept per idle long-polling session (a held
// connect blocks only its own request goroutine); one expiry goroutine per
// Server; two goroutines per websocket. Each session queues at most
// Options.MaxQueue undelivered messages: on overflow the oldest are dropped and
// a warning is logged once per session.
package bayeuxsrv
