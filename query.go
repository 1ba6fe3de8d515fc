package omni

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"unicode/utf8"

	"github.com/google/go-querystring/query"
)

// queryOf encodes an options struct, whose fields carry `url:` tags, into
// query values. It is the one place the SDK builds query strings: every read
// passes its options through it. nil, a nil pointer or options with every
// field empty give no values, so the request has no "?". A value that is not
// valid UTF-8 is refused with a *ValidationError naming its parameter, as
// in a request's body: percent-encoded, its bytes would reach the server as
// they are, and it would read another id or name than the one meant.
func queryOf(opts any) (url.Values, error) {
	q, err := query.Values(opts)
	if err != nil {
		return nil, fmt.Errorf("omni: encoding query: %w", err)
	}
	if len(q) == 0 {
		return nil, nil
	}
	var v ValidationError
	checkValuesUTF8(&v, q)
	if err := v.err(); err != nil {
		return nil, err
	}
	return q, nil
}

// checkValuesUTF8 adds a rule for each query parameter with a value that is
// not valid UTF-8, in the order of their names.
func checkValuesUTF8(v *ValidationError, q url.Values) {
	for _, k := range slices.Sorted(maps.Keys(q)) {
		for _, s := range q[k] {
			if !utf8.ValidString(s) {
				v.add(k, ruleUTF8)
				break
			}
		}
	}
}

// checkQueryUTF8 is checkValuesUTF8 for the options opts, as queryOf
// encodes them: their Validate methods refuse what the read would.
func checkQueryUTF8(v *ValidationError, opts any) {
	if q, err := query.Values(opts); err == nil {
		checkValuesUTF8(v, q)
	}
}

// get runs cl as a GET with the query encoded from opts and decodes the
// answer into out. cl gives the endpoint, the path and, for a read the
// server acts on, send.
func (c *Client) get(ctx context.Context, cl call, opts any, out any) error {
	if cl.ep == nil {
		return ErrNotConfigured
	}
	q, err := queryOf(opts)
	if err != nil {
		return err
	}
	cl.method, cl.query = http.MethodGet, q
	return c.do(ctx, &cl, out)
}
