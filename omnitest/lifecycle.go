package omnitest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
)

// The lifecycle simulator: the agent's contact-center session and channel
// states, and the social interactions a customer starts (customer.go), run
// through the states and capabilities the GWS documents show
// (lifecycle_ops.go). Interactions the customer side did not create keep the
// simpler behaviour of gws_facebook.go, gws_twitter.go and gws_sessions.go.

// Agent channel names the simulator offers each kind of interaction on. The
// documents name no social channel (their names are contact-center
// configuration); these are the simulator's.
const (
	AgentChannelFacebook        = "facebook"
	AgentChannelTwitter         = "twitter"
	AgentChannelFacebookSession = "facebooksession"
)

// ChannelChannels is the topic of the agent's channel states.
const ChannelChannels = "/v2/me/channels"

// RouteAgentChannel is POST {ctx}/api/v2/me/channels/{channel}.
const RouteAgentChannel Route = "gws.me.channel"

// RouteAgentChannels is GET {ctx}/api/v2/me/channels: the agent's channel states.
const RouteAgentChannels Route = "gws.me.channels"

// RouteInteractionCollection is POST {ctx}/api/v2/me/facebook and
// /me/tweets (/me/twitter): Create, Follow, Unfollow.
const RouteInteractionCollection Route = "gws.collection"

func init() {
	for _, r := range []Route{RouteAgentChannel, RouteAgentChannels, RouteInteractionCollection} {
		registerRoute(r, vendorGWS)
	}
}

// lifecycle is the state of the agent and of the customer-started interactions.
type lifecycle struct {
	mu sync.Mutex
	// session is set between StartContactCenterSession and
	// EndContactCenterSession: the agent's channels and their states.
	session  bool
	owner    string                    // the agent (user name) who holds it
	channels map[string]string         // channel -> Ready, NotReady or a custom state
	order    []string                  // channels in StartContactCenterSession order
	states   map[string]bool           // custom agent-state operations allowed besides Ready/NotReady
	failing  map[string]channelFailure // channels StartContactCenterSession fails on (FailChannel)
	twFail   string                    // errorMessage of failing TwitterOperationResponses ("" succeed)
	opFail   int                       // later item operations that fail after being accepted (FailOperations)
	opFailM  string
	items    map[string]*item
	ids      []string // item ids in creation order
	seq      int64
	// sink, while an operation runs, collects the notifications it would
	// publish (lcPublish), so that the request's outcome decides.
	sink *[]Notice
	// jr, while an agent request runs, is its journal entry: what it
	// publishes (channel states, the offers it releases) is recorded there.
	jr *Request
}

func (lc *lifecycle) init() {
	if lc.items == nil {
		lc.items = make(map[string]*item)
		lc.channels = make(map[string]string)
		lc.states = map[string]bool{"OutToLunch": true}
		lc.failing = make(map[string]channelFailure)
	}
}

// channelFailure is how StartContactCenterSession fails on one channel.
type channelFailure struct {
	code int
	msg  string
}

// FailChannel makes StartContactCenterSession fail on channel with code and
// message (such as 4, "Interaction Server is out of service"). When some of
// the requested channels fail the answer is statusCode 7 (partial success)
// with every channel's code and message, in the layout
// {"statusCode":7,"statusMessage":...,"channels":[{"channel","statusCode","statusMessage"}]}
// (inferred: the documents describe it without a sample), and the session
// starts on the others; when all fail it is that code and message alone.
// code 0 removes the failure.
func (s *Server) FailChannel(channel string, code int, message string) {
	lc := &s.lc
	lc.mu.Lock()
	defer lc.mu.Unlock()
	lc.init()
	if code == 0 {
		delete(lc.failing, channel)
		return
	}
	lc.failing[channel] = channelFailure{code, message}
}

// FailTwitterOperations makes the TwitterOperationResponse of every later
// Follow, Unfollow, Retweet, MarkFavorite and RemoveFavorite report failure
// ({"success":"false","errorMessage":message}), as the Unfollow page's
// failure sample does; "" makes them succeed again. The HTTP answer is a
// success either way: the operation was accepted.
func (s *Server) FailTwitterOperations(message string) {
	lc := &s.lc
	lc.mu.Lock()
	defer lc.mu.Unlock()
	lc.twFail = message
}

// FailOperations makes the next n operations on customer-started
// interactions and their drafts fail after being accepted: the HTTP answer
// is a success with a referenceId, the operation changes nothing, and the
// notification with that referenceId has notificationType "Error" with the
// resource as it was and errorMessage message. The documents say such a
// notification exists without showing one; its errorMessage field is
// inferred from TwitterOperationResponse. FailOperations decides before
// any script (Server.Script) of the route: an operation it fails uses no
// script, which waits for the next request of its route.
func (s *Server) FailOperations(n int, message string) {
	lc := &s.lc
	lc.mu.Lock()
	defer lc.mu.Unlock()
	lc.opFail, lc.opFailM = n, message
}

// twitterOperationResponse is the outcome notification of a Twitter operation.
func (lc *lifecycle) twitterOperationResponse(ref int64) map[string]any {
	if lc.twFail != "" {
		return map[string]any{"messageType": "TwitterOperationResponse", "referenceId": ref, "success": "false",
			"errorMessage": lc.twFail}
	}
	return map[string]any{"messageType": "TwitterOperationResponse", "referenceId": ref, "success": "true"}
}

// AddAgentStates makes the simulator accept custom agent-state operations
// (besides Ready and NotReady; "OutToLunch" is accepted from the start).
func (s *Server) AddAgentStates(names ...string) {
	lc := &s.lc
	lc.mu.Lock()
	defer lc.mu.Unlock()
	lc.init()
	for _, n := range names {
		lc.states[n] = true
	}
}

// lifecycleRoute gives the lifecycle's own paths their routes.
func lifecycleRoute(sub string) (Route, bool) {
	rest, ok := strings.CutPrefix(sub, "/me/")
	if !ok {
		return "", false
	}
	if ch, ok := strings.CutPrefix(rest, "channels/"); ok && !blank(ch) && !strings.Contains(ch, "/") {
		return RouteAgentChannel, true
	}
	if rest == "channels" {
		return RouteAgentChannels, true
	}
	switch rest {
	case "facebook", "tweets", "twitter":
		return RouteInteractionCollection, true
	}
	return "", false
}

// serveLifecycle answers the requests the lifecycle owns and reports
// whether it did; the others go on to the routes of gws.go.
func (s *Server) serveLifecycle(w http.ResponseWriter, r *http.Request, route Route, sub string, hs *httpSession, body []byte) bool {
	switch {
	case route == RouteMe && r.Method == http.MethodPost:
		s.postMeLifecycle(w, requestOf(r.Context()), hs, s.userName(r), body)
		return true
	case route == RouteMe && r.Method == http.MethodGet && r.URL.Query().Has("subresources"):
		s.getSnapshot(w, r, s.userName(r))
		return true
	case route == RouteAgentChannels && r.Method == http.MethodGet:
		lc := &s.lc
		lc.mu.Lock()
		chs := lc.channelStates(lc.order)
		lc.mu.Unlock()
		writeResource(w, "channels", chs)
		return true
	case route == RouteAgentChannel && r.Method == http.MethodPost:
		s.postChannel(w, requestOf(r.Context()), s.userName(r), strings.TrimPrefix(sub, "/me/channels/"), body)
		return true
	case route == RouteInteractionCollection && r.Method == http.MethodPost:
		s.collectionOp(w, r, hs, strings.TrimPrefix(sub, "/me/"), body)
		return true
	case r.Method == http.MethodPost && (route == RouteFacebookSend || route == RouteTwitterSend || route == RouteFacebookSession):
		_, id, _ := splitResource(sub)
		return s.itemOp(w, r, hs, routeKind[route], id, body)
	}
	return false
}

// routeKind is the kind of interaction each operation route acts on.
var routeKind = map[Route]resourceKind{
	RouteFacebookSend: kindFacebook, RouteTwitterSend: kindTweet, RouteFacebookSession: kindSession,
}

// agentOp is the body of POST /me and POST /me/channels/{channel}.
type agentOp struct {
	OperationName string   `json:"operationName"`
	Channels      []string `json:"channels"`
}

// postMeLifecycle serves POST /me: StartContactCenterSession,
// EndContactCenterSession, and agent-state operations on every channel.
func (s *Server) postMeLifecycle(w http.ResponseWriter, jr *Request, hs *httpSession, user string, body []byte) {
	var req agentOp
	if !decodeGWS(w, body, &req) {
		return
	}
	lc := &s.lc
	lc.mu.Lock()
	defer lc.mu.Unlock()
	lc.init()
	lc.jr = jr // the request's notifications go in its journal entry
	defer func() { lc.jr = nil }()
	switch req.OperationName {
	case "":
		writeMissing(w, "operationName")
	case "StartContactCenterSession":
		if len(req.Channels) == 0 || slices.ContainsFunc(req.Channels, blank) {
			writeMissing(w, "channels") // required, as the SDK's SessionStart has it; a blank one names none
			return
		}
		var results []map[string]any
		var ok []string
		var last channelFailure
		for _, ch := range req.Channels {
			if f, failed := lc.failing[ch]; failed {
				results = append(results, map[string]any{"channel": ch, "statusCode": f.code, "statusMessage": f.msg})
				last = f
				continue
			}
			results = append(results, map[string]any{"channel": ch, "statusCode": codeOK})
			ok = append(ok, ch)
		}
		if len(ok) == 0 {
			writeGWSError(w, http.StatusOK, last.code, last.msg)
			return
		}
		if lc.session && lc.owner != user {
			s.release(lc) // another agent signs in: the simulator has one agent seat
		}
		lc.session, lc.owner = true, user
		lc.channels = make(map[string]string)
		lc.order = nil
		for _, ch := range ok {
			if _, dup := lc.channels[ch]; !dup {
				lc.order = append(lc.order, ch)
			}
			lc.channels[ch] = "NotReady"
		}
		s.mu.Lock()
		s.signedIn = true
		s.mu.Unlock()
		if len(ok) < len(req.Channels) {
			writeJSON(w, http.StatusOK, map[string]any{"statusCode": 7, "statusMessage": "Partial success", "channels": results})
		} else {
			writeGWS(w, http.StatusOK, envelope{StatusCode: codeOK})
		}
		s.publishChannels(lc, lc.order)
	case "EndContactCenterSession":
		if !lc.holds(user) {
			writeNoSession(w)
			return
		}
		s.release(lc)
		lc.session, lc.owner = false, ""
		lc.channels = make(map[string]string)
		lc.order = nil
		// As documented, it also ends the HTTP session: the next request
		// starts a new one (new JSESSIONID, new CSRF token).
		s.mu.Lock()
		s.signedIn = false
		s.refFloor = max(s.refFloor, hs.nextRef-1)
		delete(s.sessions, hs.id)
		s.mu.Unlock()
		writeGWS(w, http.StatusOK, envelope{StatusCode: codeOK})
	default:
		if !lc.validState(req.OperationName) {
			writeBadOperation(w, req.OperationName)
			return
		}
		if !lc.holds(user) {
			writeNoSession(w)
			return
		}
		for _, ch := range lc.order {
			lc.channels[ch] = req.OperationName
		}
		writeGWS(w, http.StatusOK, envelope{StatusCode: codeOK})
		s.publishChannels(lc, lc.order)
		s.offerPending(lc)
	}
}

func (lc *lifecycle) validState(op string) bool {
	return op == "Ready" || op == "NotReady" || lc.states[op]
}

// postChannel serves POST /me/channels/{channel}.
func (s *Server) postChannel(w http.ResponseWriter, jr *Request, user, channel string, body []byte) {
	var req agentOp
	if !decodeGWS(w, body, &req) {
		return
	}
	lc := &s.lc
	lc.mu.Lock()
	defer lc.mu.Unlock()
	lc.init()
	lc.jr = jr // the request's notifications go in its journal entry
	defer func() { lc.jr = nil }()
	switch {
	case req.OperationName == "":
		writeMissing(w, "operationName")
	case !lc.validState(req.OperationName):
		writeBadOperation(w, req.OperationName)
	case !lc.holds(user):
		writeNoSession(w)
	default:
		if _, ok := lc.channels[channel]; !ok {
			writeGWSError(w, http.StatusNotFound, codeNotFound, "Channel "+channel+" is not in the contact center session")
			return
		}
		lc.channels[channel] = req.OperationName
		writeGWS(w, http.StatusOK, envelope{StatusCode: codeOK})
		s.publishChannels(lc, []string{channel})
		s.offerPending(lc)
	}
}

// holds reports whether user (the Basic user name, "agent" without one)
// holds the contact-center session: only that agent changes agent states,
// sees the offered interactions in the snapshot and operates them. A client
// signed in as another user is an agent without a session.
func (lc *lifecycle) holds(user string) bool { return lc.session && lc.owner == user }

// release hands the live inbound interactions offered to the ending
// contact-center session back to routing: they wait, unoffered, for the
// next agent Ready on their channel. The agent is told of each with a
// StatusChange to Revoked and no capabilities (the documents name Revoked
// as a workitem's withdrawal; that GWS sends it here is inferred), so that
// its view of the interaction ends and the next offer is a new arrival.
// It runs before lc.owner changes: the notifications go to the agent who
// held them.
func (s *Server) release(lc *lifecycle) {
	base := s.URL()
	for _, id := range lc.ids {
		if it := lc.items[id]; it.offered && it.inbound && !it.terminal() {
			it.offered, it.withdrawn = false, true
			revoked := *it
			revoked.state, revoked.caps = "Revoked", []string{}
			revoked.agent, revoked.consult = nil, nil
			s.publishItem(&revoked, base, "StatusChange", 0)
			if it.kind == kindSession {
				// The agent has left it: the next offer is a new
				// arrival, Invited, for whoever accepts it.
				if it.agent != nil {
					it.appendLog("ParticipantLeft", *it.agent, "", "All")
				}
				it.agent, it.consult = nil, nil
				it.state, it.caps = "Invited", append([]string(nil), capsSessionInvited...)
			}
		}
	}
}

// writeNoSession answers an agent operation from an HTTP session that holds
// no contact-center session.
func writeNoSession(w http.ResponseWriter) {
	writeGWSError(w, http.StatusBadRequest, codeInvalidParam, "No contact center session: StartContactCenterSession first")
}

// ready reports whether the agent takes interactions on channel now.
func (lc *lifecycle) ready(channel string) bool {
	return lc.session && lc.channels[channel] == "Ready"
}

// channelState is one entry of channels[] in notifications and the snapshot.
type channelState struct {
	Channel   string    `json:"channel"`
	UserState userState `json:"userState"`
}

type userState struct {
	ID          string `json:"id"`
	DisplayName string `json:"displayName"`
	State       string `json:"state"`
}

// stateIDs are fixed ids for the agent states, the first two from the
// documents' /v2/me/channels samples.
var stateIDs = map[string]string{
	"Ready":    "9430250E-0A1B-421F-B372-F29E69366DED",
	"NotReady": "900D55CC-2BB0-431F-8BF9-D3525B383BE6",
}

func (lc *lifecycle) channelStates(names []string) []channelState {
	out := make([]channelState, 0, len(names))
	for _, ch := range names {
		st := lc.channels[ch]
		id, ok := stateIDs[st]
		if !ok {
			id = fmt.Sprintf("%08X-0000-0000-0000-000000000000", len(st))
		}
		display := st
		if st == "NotReady" {
			display = "Not Ready"
		}
		out = append(out, channelState{Channel: ch, UserState: userState{ID: id, DisplayName: display, State: st}})
	}
	return out
}

// publishChannels publishes a ChannelStateChangeMessageV2 for names.
func (s *Server) publishChannels(lc *lifecycle, names []string) {
	if len(names) == 0 {
		return
	}
	s.publishTo(lc.jr, lc.owner, ChannelChannels, map[string]any{
		"messageType": "ChannelStateChangeMessageV2",
		"channels":    lc.channelStates(names),
	})
}

// getSnapshot serves GET /me?subresources=*: the user, its channels and the
// interactions the agent holds (offered and not ended).
func (s *Server) getSnapshot(w http.ResponseWriter, r *http.Request, agent string) {
	lc := &s.lc
	lc.mu.Lock()
	defer lc.mu.Unlock()
	lc.init()
	mine := lc.holds(agent) // another agent holds none of the offered interactions
	base := s.baseURL(r)
	user := map[string]any{
		"id": simulatedUserID, "userName": s.userName(r), "firstName": "Test", "lastName": "Agent",
		"roles": []string{"ROLE_AGENT"}, "enabled": true, "uri": base + "/users/" + simulatedUserID,
		"path": "/users/" + simulatedUserID, "settings": map[string]any{}, "devices": []any{},
		"channels": lc.channelStates(lc.order),
	}
	lists := map[resourceKind][]any{kindFacebook: {}, kindTweet: {}, kindSession: {}}
	for _, id := range lc.ids {
		it := lc.items[id]
		if mine && it.offered && !it.terminal() {
			lists[it.kind] = append(lists[it.kind], it.resource(base))
		}
	}
	user["facebook"], user["tweets"], user["facebooksessions"] = lists[kindFacebook], lists[kindTweet], lists[kindSession]
	b, err := json.Marshal(map[string]any{"statusCode": codeOK, "user": user})
	if err != nil {
		writeGWSError(w, http.StatusInternalServerError, codeInternal, "Internal error")
		return
	}
	writeRaw(w, http.StatusOK, b)
}

// offerPending offers every interaction waiting for a Ready agent, in arrival order.
func (s *Server) offerPending(lc *lifecycle) {
	for _, id := range lc.ids {
		it := lc.items[id]
		if !it.offered && it.inbound && lc.ready(it.agentChannel()) {
			s.offer(lc, it)
		}
	}
}

// sortedKeys returns m's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
