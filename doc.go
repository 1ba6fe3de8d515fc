// Package omni lets a Go service use the social channels of a contact
// center: send Facebook posts and Tweets through the Genesys Web Services
// API v2 (GWS), send Facebook Messenger messages through an Infobip-style
// API, and receive GWS's CometD notifications about what became of them.
//
// Create one Client and share it:
//
//	c, err := omni.NewClient("https://gws.example.com/api/v2",
//		omni.WithBasicAuth("agent1", "secret"),
//		omni.WithMessenger("https://xyz.api.infobip.com", omni.AppKey(apiKey)))
//
//	res, err := c.Facebook.Send(ctx, interactionID, omni.FacebookSend{
//		QueuePath: "/contacts/60ebbb94-...", From: "vitaliy_onv", Message: "Hello Facebook!",
//	}) // res.ReferenceID names the notification that reports the outcome
//
//	out, err := c.Messenger.SendSingle(ctx, omni.SingleMessage{
//		From: appKey, To: userKey, Message: omni.TextMessage("Hello!"),
//	})
//
// # Notifications
//
// GWS reports what became of a send over CometD. Subscribe delivers typed
// events to handlers. Client.Await runs any GWS operation and returns the
// notification it caused (a notification of type Error is an
// *OperationError); SendAndWait is Await with Send:
//
//	sub, err := c.Subscribe(ctx,
//		omni.OnFacebook(func(e *omni.FacebookStateChange) { ... }),
//		omni.OnMessageLog(func(e *omni.MessageLogUpdated) { ... }))
//	defer sub.Close()
//
//	ev, err := c.Facebook.SendAndWait(ctx, interactionID, post) // ev.Facebook.State == omni.StateSent
//
// Notification types the SDK does not know arrive as *UnknownNotification
// with their raw JSON (OnUnknown). Reconnection and re-subscription after a
// server restart or an expired session are automatic (package cometd).
//
// # Errors
//
// Invalid input is a *ValidationError listing every broken rule, returned
// before any byte is sent. A server that answers with HTTP 300 or above
// (redirects are not followed), or with a GWS statusCode other than 0, gives
// an *APIError. A *TransportError (no answer) says in MayHaveReachedServer
// whether the request may have reached the server. Both match the
// sentinels (ErrValidation, ErrUnauthorized, ErrRateLimited, ...) with
// errors.Is. Credentials, cookies and CSRF tokens never appear in errors or
// logs.
//
// # Retries
//
// Reads are retried on connection failures and 429/502/503/504 with capped,
// jittered backoff. Sends are retried only where the server cannot have acted
// (the connection was refused, a 429 or 503 carrying Retry-After, a refused
// CSRF token), because neither vendor offers an idempotency key.
// WithRetryUnsafeSends opts in to more.
//
// # Testing
//
// Package omnitest runs an in-process simulator of GWS, Infobip and CometD;
// WithHTTPClient lets httpmock replace the transport.
package omni
