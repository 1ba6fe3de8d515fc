package omnitest

import (
	"slices"
	"strings"
	"sync"
)

// Route names an endpoint of the simulator, for fault injection, scripted
// outcomes and the request records.
type Route string

// Routes served by the simulator.
const (
	// RouteAny matches, in Inject, every route except RouteNotifications: the
	// CometD client's background /meta/connect would otherwise take a fault
	// meant for a REST call at a moment the test does not control. Inject on
	// RouteNotifications explicitly to fault CometD.
	RouteAny Route = "*"
	// RouteFacebookSend is POST {ctx}/api/v2/me/facebook/{id}.
	RouteFacebookSend Route = "gws.facebook.send"
	// RouteTwitterSend is POST {ctx}/api/v2/me/tweets/{id} and /me/twitter/{id}.
	RouteTwitterSend Route = "gws.twitter.send"
	// RouteFacebookSession is POST {ctx}/api/v2/me/facebooksessions/{id} and /me/facebooksession/{id}.
	RouteFacebookSession Route = "gws.facebooksession"
	// RouteMe is GET and POST {ctx}/api/v2/me.
	RouteMe Route = "gws.me"
	// RouteVersion is GET {ctx}/api/v2/diagnostics/version.
	RouteVersion Route = "gws.version"
	// RouteGWSUnknown is any other path under {ctx}/api/v2 (answered 404).
	RouteGWSUnknown Route = "gws.unknown"
	// RouteNotifications is the CometD endpoint {ctx}/api/v2/notifications.
	RouteNotifications Route = "cometd"
	// RouteMessengerSend is POST /facebook/1/single.
	RouteMessengerSend Route = "messenger.send"
	// RouteMessengerUnknown is any other path (answered 404).
	RouteMessengerUnknown Route = "messenger.unknown"
)

// vendor says whose error shapes a route answers with.
type vendor int

const (
	vendorGWS vendor = iota + 1
	vendorMessenger
	vendorCometD
)

// routeTable knows every route the simulator serves, so that Inject and
// Script refuse a name that would never match. A file adding a route
// registers it with registerRoute from an init function.
var routeTable = struct {
	sync.RWMutex
	m map[Route]vendor
}{m: map[Route]vendor{
	RouteFacebookSend: vendorGWS, RouteTwitterSend: vendorGWS, RouteFacebookSession: vendorGWS,
	RouteMe: vendorGWS, RouteVersion: vendorGWS, RouteGWSUnknown: vendorGWS,
	RouteFacebookRead: vendorGWS, RouteTwitterRead: vendorGWS, RouteFacebookSessionRead: vendorGWS,
	RouteNotifications:    vendorCometD,
	RouteMessengerSend:    vendorMessenger,
	RouteMessengerUnknown: vendorMessenger, RouteMessengerReports: vendorMessenger, RouteMessengerLogs: vendorMessenger,
}}

// registerRoute adds a route served by a new file of the package; v decides
// the shape of its Status faults.
func registerRoute(r Route, v vendor) {
	routeTable.Lock()
	defer routeTable.Unlock()
	routeTable.m[r] = v
}

// routeVendor returns the vendor of r, or 0 for a route the simulator does
// not serve.
func routeVendor(r Route) vendor {
	routeTable.RLock()
	defer routeTable.RUnlock()
	return routeTable.m[r]
}

// Routes returns every route the simulator serves, sorted; RouteAny is not
// among them.
func Routes() []Route {
	routeTable.RLock()
	defer routeTable.RUnlock()
	out := make([]Route, 0, len(routeTable.m))
	for r := range routeTable.m {
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b Route) int { return strings.Compare(string(a), string(b)) })
	return out
}

func isMessengerRoute(r Route) bool { return routeVendor(r) == vendorMessenger }
