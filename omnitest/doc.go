// Package omnitest is an in-process simulator of the services the omni SDK
// talks to, in the spirit of net/http/httptest: Genesys Web Services API v2
// (GWS) with its CometD notification endpoint, and the Infobip Facebook
// Messenger send API. It needs no setup and listens on a real TCP port, so
// any HTTP client (and any CometD client) can use it.
//
// One listener serves:
//
//	{ctx}/api/v2/...              GWS (see WithContextPath; no context path by default)
//	{ctx}/api/v2/notifications    CometD (Bayeux long-polling and websocket)
//	/facebook/1/single            Infobip Messenger send
//	/facebook/1/reports, /logs    Infobip Messenger delivery reports and logs (GET)
//
// GWS routes: POST /me/facebook/{id} and POST /me/tweets/{id} (also
// /me/twitter/{id}) with operationName Send; POST /me/facebooksessions/{id}
// (also /me/facebooksession/{id}) with Accept, SendMessage, SendToAgents,
// Transfer, Complete, Leave, SendStartTypingNotification and
// SendStopTypingNotification (Complete and Transfer end the session: it is
// Completed with no capabilities, and a later operation on it is refused
// with HTTP 400 statusCode 2); GET and POST /me (StartContactCenterSession,
// EndContactCenterSession); GET /diagnostics/version. Every answer is a JSON
// object with statusCode. A successful Send answers
// {"statusCode":0,"referenceId":N} (with WithoutReferenceIDs, as some
// documented replies, {"statusCode":0}), N counting per HTTP session
// (JSESSIONID cookie, set on the first request without one): from 1 while
// no session has ended, so that two clients at once are handed the same
// numbers, and after one ended (EndContactCenterSession, ExpireSessions,
// Restart) from above every number handed out before; and then
// publishes the matching notification with the same referenceId on
// /v2/me/facebook, /v2/me/twitter or /v2/me/facebooksession. As on the real
// server, the notification is published after the HTTP answer has been
// written and flushed, so a client may see either one first. Errors:
// a missing parameter gives HTTP 400 statusCode 1 with the parameter's name
// in statusMessage, an unknown operationName HTTP 400 statusCode 2, a body
// that is not JSON, or a field of the wrong JSON type (named in
// statusMessage), HTTP 400 statusCode 10, an unknown path HTTP 404
// statusCode 6, missing credentials (WithBasicAuth) HTTP 401 statusCode 20,
// a missing or stale CSRF token (WithCSRF) HTTP 403 statusCode 3.
//
// EndContactCenterSession (or another agent's StartContactCenterSession)
// withdraws the inbound interactions the agent held and had not finished:
// each gets a StatusChange to Revoked with no capabilities, and is offered
// again, as a new arrival, at the next Ready on its channel.
//
// The Messenger endpoint checks the Authorization header (App, Basic, IBSSO
// and Bearer forms) and validates the message like the service: TEXT not
// empty (the service truncates one over 640 characters, so it is accepted
// and recorded as received; the SDK refuses it before sending), media url and button url an http(s) URL or, as the vendor's
// own template example writes "www.infobip.com", a host name without a
// scheme, TEMPLATE BUTTON payload with text of 1..320 characters and 1..3
// POSTBACK or URL buttons (title 1..20, payload 1..1000), SENDER_ACTION
// MARK_SEEN, TYPING_ON or TYPING_OFF, as the SDK's client-side validation
// does.
//
// Reading back: GET /me/facebook/{id}, /me/tweets/{id} (and /me/twitter/{id})
// and /me/facebooksessions/{id} answer {"statusCode":0,"facebook":{...}}
// ("tweet", "facebooksession") with the resource as the last send or
// operation left it; unknown ids get HTTP 404 statusCode 6. The collections
// /me/facebook, /me/tweets and /me/facebooksessions answer
// {"statusCode":0,"uris":[...]} or, with fields, {"statusCode":0,"facebook":[...]}
// ("tweets", "facebooksessions"); fields=* gives every field, fields=a,b
// those only, and offset and limit page. GET /facebook/1/reports (bulkId,
// messageId, limit) and /facebook/1/logs (also from, to, repeated
// messageId, generalStatus, sentSince, sentUntil) answer {"results":[...]}
// for every message the Messenger endpoint accepted, latest limit (default
// 50, 1..1000 or 400) in send order. A message reads as 1 PENDING / 7
// PENDING_ENROUTE the first time and 3 DELIVERED / 5 DELIVERED_TO_HANDSET
// from then on (WithPendingReads changes how many reads stay pending).
// Unlike the service, which hands out each report once, the simulator
// answers every read.
//
// In a test, NewServer (or NewTLSServer) starts the simulator and
// Server.NewClient gives an omni.Client wired to it with test-speed retry
// waits, closed before the server at cleanup. Then:
//
//   - Scripted outcomes: Script(route, Failed("...")) and the other Outcome
//     builders decide what notification a send publishes (none, several,
//     late, a shape of the test's own via Notify and the notification
//     builders such as FacebookStateChange).
//   - HTTP faults: Inject(route, Status(503)), ResetBeforeBody,
//     ResetAfterProcessing, Hang, MalformedJSON, with RetryAfter, GWS,
//     Times or Always (not both). A fault that cannot apply is refused
//     (*FaultError, and a test failure); PendingFaults and
//     AssertFaultsConsumed show what was not used.
//   - Message faults: InjectMessage(channel, DropMessage()) and
//     DelayMessage, DuplicateMessage, ReorderMessage act on the
//     notification stream whatever the transport; CutConnections and
//     StallDelivery act on the CometD connections; Publish says how many
//     sessions got a message.
//   - The journal: Requests(filters...) returns every HTTP request with its
//     outcome (status, GWS statusCode, referenceId, fault, the
//     notifications it caused); WaitRequest waits for one to finish.
//     Messages and MessengerMessages record CometD and Messenger traffic.
//   - Time: WithClock(NewFakeClock(t0)) and FakeClock.Advance drive the
//     simulator's timers.
//   - At run time: RequireBasicAuth, AllowAnonymous, SetCSRF, ExpireCSRF,
//     ExpireSessions, DropSessions, Restart; WithMiddleware wraps the
//     handler.
//
// The customer side (customer.go, lifecycle*.go): CustomerPost,
// CustomerComment, CustomerTweet, CustomerDirectMessage and
// CustomerPrivateMessage make a customer's item arrive, and CustomerSays
// adds to a private session. An item is offered only to an agent whose
// contact-center session (StartContactCenterSession with the channel in
// channels) is Ready on its channel (AgentChannelFacebook,
// AgentChannelTwitter, AgentChannelFacebookSession; POST /me/channels/{ch}
// or POST /me with Ready, NotReady or a custom state, AddAgentStates);
// channel states are published on /v2/me/channels as
// ChannelStateChangeMessageV2. The items then run through the documented
// states and capabilities: posts and Tweets arrive Processing, sessions
// Invited (Accept, Reject); Reply creates a draft (new id, parentId) that
// Save, Send or Cancel; Complete and Transfer end an item; the user-data,
// comment and disposition operations publish PropertiesUpdated. An
// operation outside an item's capabilities gets HTTP 400 statusCode 2,
// except those the documents describe for a state whose capabilities sample
// does not list them: Save on a draft (the documents have a Save page for
// drafts, yet no capabilities sample lists it), and SendToAgents, Consult, RemoveParticipantFromConference,
// AddComment, the user-data operations, SetDisposition and
// ReportResponseTemplateUsage on a chatting session. An item not yet
// offered gets HTTP 404 statusCode 6. POST /me/facebook and
// /me/tweets take Create (and Follow, Unfollow for Tweets); GET
// /me?subresources=* is the agent's snapshot (channels and the items it
// holds). Interactions(), Interaction(id) and AgentChannelState(ch) show the
// simulator's side; the items survive Restart, like a contact center's
// records. Ids the customer side did not create keep the behaviour above.
// FailChannel makes StartContactCenterSession partly fail (statusCode 7),
// FailTwitterOperations makes TwitterOperationResponses report failure, and
// FailOperations answers accepted operations with an Error notification.
//
// Extending the simulator (for new files of this package): a new route is
// added to the route table with registerRoute (so Inject accepts it); a
// route whose requests publish notifications registers a failure builder
// with registerOutcomes and publishes through Server.outcome (so Script,
// the message faults and the journal apply to it); work the simulator does
// later (a session timeout, a webhook push) is scheduled with Server.after
// on the server's Clock, which Close cancels and waits for.
package omnitest
