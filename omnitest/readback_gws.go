package omnitest

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// Read routes of GWS: GET on a resource created by a send, or on its collection.
const (
	// RouteFacebookRead is GET {ctx}/api/v2/me/facebook and /me/facebook/{id}.
	RouteFacebookRead Route = "gws.facebook.read"
	// RouteTwitterRead is GET {ctx}/api/v2/me/tweets[/{id}] and /me/twitter[/{id}].
	RouteTwitterRead Route = "gws.twitter.read"
	// RouteFacebookSessionRead is GET {ctx}/api/v2/me/facebooksessions[/{id}]
	// and /me/facebooksession[/{id}].
	RouteFacebookSessionRead Route = "gws.facebooksession.read"
)

// resourceKind names one of the stored GWS resource kinds.
type resourceKind int

const (
	kindFacebook resourceKind = iota
	kindTweet
	kindSession
)

// gwsKind describes how a kind is addressed and answered.
type gwsKind struct {
	route Route
	kind  resourceKind
	one   string // attribute of a single-resource answer
	many  string // attribute of a list answer
}

// gwsKinds maps the collection segment of /me/{segment} to its kind.
var gwsKinds = map[string]gwsKind{
	"facebook":         {RouteFacebookRead, kindFacebook, "facebook", "facebook"},
	"tweets":           {RouteTwitterRead, kindTweet, "tweet", "tweets"},
	"twitter":          {RouteTwitterRead, kindTweet, "tweet", "tweets"},
	"facebooksessions": {RouteFacebookSessionRead, kindSession, "facebooksession", "facebooksessions"},
	"facebooksession":  {RouteFacebookSessionRead, kindSession, "facebooksession", "facebooksessions"},
}

// readRoute gives a GET on a GWS resource or collection its read route;
// other requests keep route.
func readRoute(method string, route Route, sub string) Route {
	if method != http.MethodGet {
		return route
	}
	if k, _, ok := splitRead(sub); ok {
		return k.route
	}
	return route
}

func isGWSReadRoute(r Route) bool {
	return r == RouteFacebookRead || r == RouteTwitterRead || r == RouteFacebookSessionRead
}

// splitRead splits "/me/{segment}" or "/me/{segment}/{id}".
func splitRead(sub string) (gwsKind, string, bool) {
	rest, ok := strings.CutPrefix(sub, "/me/")
	if !ok {
		return gwsKind{}, "", false
	}
	seg, id, hasID := strings.Cut(rest, "/")
	k, ok := gwsKinds[seg]
	if !ok || (hasID && (id == "" || strings.Contains(id, "/"))) {
		return gwsKind{}, "", false
	}
	return k, id, true
}

// gwsStore keeps the last state of every resource a send created or an
// operation changed, per kind, in creation order. It survives Restart and
// Reset, like the contact center's own records.
type gwsStore struct {
	mu    sync.Mutex
	ids   [3][]string
	items [3]map[string]any
}

func (st *gwsStore) put(k resourceKind, id string, v any) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.items[k] == nil {
		st.items[k] = make(map[string]any)
	}
	if _, seen := st.items[k][id]; !seen {
		st.ids[k] = append(st.ids[k], id)
	}
	st.items[k][id] = v
}

func (st *gwsStore) get(k resourceKind, id string) (any, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	v, ok := st.items[k][id]
	return v, ok
}

func (st *gwsStore) list(k resourceKind) []any {
	st.mu.Lock()
	defer st.mu.Unlock()
	out := make([]any, 0, len(st.ids[k]))
	for _, id := range st.ids[k] {
		out = append(out, st.items[k][id])
	}
	return out
}

// serveGWSRead answers GET /me/{kind}/{id} with {"statusCode":0,"<one>":{...}}
// and GET /me/{kind} with {"statusCode":0,"uris":[...]} or, with fields,
// {"statusCode":0,"<many>":[...]}. fields=* gives every field, fields=a,b
// those only; a single resource without fields has every field. Lists take
// offset and limit.
func (s *Server) serveGWSRead(w http.ResponseWriter, r *http.Request, route Route, sub string) {
	k, id, _ := splitRead(sub)
	q := r.URL.Query()
	fields, hasFields := q["fields"]
	sel := fieldSelector(strings.Join(fields, ","))
	if id != "" {
		v, ok := s.store.get(k.kind, id)
		if !ok {
			writeGWSError(w, http.StatusNotFound, codeNotFound, "Resource not found")
			return
		}
		writeResource(w, k.one, sel.apply(v))
		return
	}
	offset, ok1 := nonNegative(q, "offset", 0)
	limit, ok2 := nonNegative(q, "limit", -1)
	if !ok1 || !ok2 {
		writeGWSError(w, http.StatusBadRequest, codeInvalidParam, "Invalid parameter: offset and limit must be non-negative integers")
		return
	}
	all := s.store.list(k.kind)
	all = all[min(offset, len(all)):]
	if limit >= 0 && limit < len(all) {
		all = all[:limit]
	}
	if !hasFields {
		uris := make([]string, 0, len(all))
		for _, v := range all {
			uris = append(uris, resourceURI(v))
		}
		writeResource(w, "uris", uris)
		return
	}
	items := make([]any, 0, len(all))
	for _, v := range all {
		items = append(items, sel.apply(v))
	}
	writeResource(w, k.many, items)
}

// writeResource answers {"statusCode":0,"<key>":<v>}, statusCode first as GWS does.
func writeResource(w http.ResponseWriter, key string, v any) {
	kb, _ := json.Marshal(key)
	vb, err := json.Marshal(v)
	if err != nil {
		writeGWSError(w, http.StatusInternalServerError, codeInternal, "Internal error")
		return
	}
	b := append([]byte(`{"statusCode":0,`), kb...)
	b = append(b, ':')
	b = append(b, vb...)
	writeRaw(w, http.StatusOK, append(b, '}'))
}

// nonNegative reads an integer parameter; def when absent.
func nonNegative(q map[string][]string, name string, def int) (int, bool) {
	v, ok := q[name]
	if !ok {
		return def, true
	}
	n, err := strconv.Atoi(v[0])
	return n, err == nil && n >= 0
}

// fieldSelector is the fields parameter: "" or "*" selects every field.
type fieldSelector string

// apply returns v, or the object of v cut to the selected fields.
func (f fieldSelector) apply(v any) any {
	if f == "" || f == "*" {
		return v
	}
	b, _ := json.Marshal(v) // the stored resources always encode
	var m map[string]json.RawMessage
	_ = json.Unmarshal(b, &m)
	out := make(map[string]json.RawMessage)
	for _, name := range strings.Split(string(f), ",") {
		if val, ok := m[strings.TrimSpace(name)]; ok {
			out[strings.TrimSpace(name)] = val
		}
	}
	return out
}

// resourceURI returns the uri field of a stored resource.
func resourceURI(v any) string {
	switch r := v.(type) {
	case facebookResource:
		return r.URI
	case twitterResource:
		return r.URI
	case facebooksessionResource:
		return r.URI
	case map[string]any: // the lifecycle's interactions (lifecycle_items.go)
		uri, _ := r["uri"].(string)
		return uri
	}
	return ""
}
