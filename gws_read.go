package omni

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"
)

// FieldsAll, as the only entry of GetOptions.Fields or ListOptions.Fields,
// asks GWS for every field of the resources (fields=*).
const FieldsAll = "*"

// GetOptions shapes a GWS read of one resource. The zero value (or nil)
// sends no query: the server answers with its default fields.
type GetOptions struct {
	// Fields lists the fields to return, sent as one comma-separated fields
	// parameter; []string{FieldsAll} returns every field.
	Fields []string `url:"fields,comma,omitempty"`
}

// Validate checks the field names.
func (o *GetOptions) Validate() error {
	var v ValidationError
	if o != nil {
		checkFields(&v, o.Fields)
	}
	return v.err()
}

// ListOptions shapes a GWS list read. Without Fields GWS answers with the
// resources' URIs only (Page.URIs); with Fields it answers with the
// resources (Page.Items).
type ListOptions struct {
	// Fields lists the fields to return; []string{FieldsAll} returns every field.
	Fields []string `url:"fields,comma,omitempty"`
	// Offset skips that many resources; 0 is not sent.
	Offset int `url:"offset,omitempty"`
	// Limit is the most resources to return; 0 leaves it to the server.
	Limit int `url:"limit,omitempty"`
}

// Validate checks the field names and that Offset and Limit are not negative.
func (o *ListOptions) Validate() error {
	var v ValidationError
	if o == nil {
		return nil
	}
	checkFields(&v, o.Fields)
	if o.Offset < 0 {
		v.add("offset", "must not be negative, got %d", o.Offset)
	}
	if o.Limit < 0 {
		v.add("limit", "must not be negative, got %d", o.Limit)
	}
	return v.err()
}

// checkFields rejects empty field names and names holding the separator.
func checkFields(v *ValidationError, fields []string) {
	for i, f := range fields {
		switch {
		case strings.TrimSpace(f) == "":
			v.add(fmt.Sprintf("fields[%d]", i), "must not be empty")
		case strings.Contains(f, ","):
			v.add(fmt.Sprintf("fields[%d]", i), "must not contain a comma")
		case !utf8.ValidString(f):
			v.add(fmt.Sprintf("fields[%d]", i), ruleUTF8)
		}
	}
}

// Page is the answer to a GWS list read.
type Page[T any] struct {
	// Items are the resources, when fields were requested.
	Items []T
	// URIs are the resources' URIs, when the server sent only those (GWS
	// does for a list without fields).
	URIs []string
	// Raw is the whole answer as received.
	Raw json.RawMessage
}

// codec says how a resource kind appears in GWS answers. The resources'
// own UnmarshalJSON keep their raw form (and complete a Tweet of the other
// shape).
type codec[T any] struct {
	// keys are the answer's attribute names that may hold the resource or
	// the list, most likely first.
	keys []string
}

var (
	facebookCodec = codec[Facebook]{keys: []string{"facebook", "facebooks"}}
	tweetCodec    = codec[Tweet]{keys: []string{"tweet", "twitter", "tweets"}}
	sessionCodec  = codec[FacebookSession]{keys: []string{"facebooksession", "facebooksessions"}}
)

// decode decodes one resource.
func (k codec[T]) decode(raw json.RawMessage) (T, error) {
	var v T
	err := json.Unmarshal(raw, &v)
	return v, err
}

// find returns the first attribute of env named in keys whose value starts
// with open ('{' or '[').
func (k codec[T]) find(env map[string]json.RawMessage, open byte) (json.RawMessage, bool) {
	for _, key := range k.keys {
		v := bytes.TrimSpace(env[key])
		if len(v) > 0 && v[0] == open {
			return v, true
		}
	}
	return nil, false
}

// readEnvelope is a GWS answer: its attributes, and the whole as received.
type readEnvelope struct {
	raw    json.RawMessage
	fields map[string]json.RawMessage
}

// UnmarshalJSON keeps data and splits it into attributes.
func (e *readEnvelope) UnmarshalJSON(data []byte) error {
	e.raw = bytes.Clone(data)
	return json.Unmarshal(data, &e.fields)
}

// getResource reads one GWS resource at path.
func getResource[T any](ctx context.Context, c *Client, path string, opts *GetOptions, k codec[T]) (*T, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	var env readEnvelope
	if err := c.get(ctx, call{ep: c.gws, path: path}, opts, &env); err != nil {
		return nil, err
	}
	raw, ok := k.find(env.fields, '{')
	if !ok {
		return nil, readDecodeError(c, path, fmt.Errorf("response has no %q object", k.keys[0]), env.raw)
	}
	v, err := k.decode(raw)
	if err != nil {
		return nil, readDecodeError(c, path, err, env.raw)
	}
	return &v, nil
}

// listResources reads a GWS collection at path.
func listResources[T any](ctx context.Context, c *Client, path string, opts *ListOptions, k codec[T]) (*Page[T], error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	var env readEnvelope
	if err := c.get(ctx, call{ep: c.gws, path: path}, opts, &env); err != nil {
		return nil, err
	}
	page := &Page[T]{Raw: env.raw}
	if raw, ok := k.find(env.fields, '['); ok {
		var items []json.RawMessage
		if err := json.Unmarshal(raw, &items); err != nil {
			return nil, readDecodeError(c, path, err, env.raw)
		}
		page.Items = make([]T, 0, len(items))
		for _, it := range items {
			v, err := k.decode(it)
			if err != nil {
				return nil, readDecodeError(c, path, err, env.raw)
			}
			page.Items = append(page.Items, v)
		}
	}
	if raw, ok := env.fields["uris"]; ok && string(raw) != "null" {
		if err := json.Unmarshal(raw, &page.URIs); err != nil {
			return nil, readDecodeError(c, path, err, env.raw)
		}
	}
	return page, nil
}

// readDecodeError is the *DecodeError of a GWS read whose answer lacks the
// resource or holds a malformed one.
func readDecodeError(c *Client, path string, err error, body []byte) error {
	de := &DecodeError{Method: http.MethodGet, URL: c.gws.base + path, Err: err, Body: truncate(body)}
	if c.gws.redact != nil {
		c.gws.redact(de)
	}
	return de
}

// Get reads the Facebook interaction id (GET {base}/me/facebook/{id}).
// Invalid input returns a *ValidationError and sends nothing; a missing
// interaction is an *APIError matching ErrNotFound.
func (s *FacebookService) Get(ctx context.Context, id string, opts *GetOptions) (*Facebook, error) {
	if err := validID(id); err != nil {
		return nil, err
	}
	return getResource(ctx, s.client, resourcePath("me/facebook", id), opts, facebookCodec)
}

// List reads the agent's Facebook interactions (GET {base}/me/facebook).
func (s *FacebookService) List(ctx context.Context, opts *ListOptions) (*Page[Facebook], error) {
	return listResources(ctx, s.client, "me/facebook", opts, facebookCodec)
}

// Get reads the Tweet interaction id (GET {base}/me/tweets/{id}, or the
// prefix given to WithTwitterPath).
func (s *TwitterService) Get(ctx context.Context, id string, opts *GetOptions) (*Tweet, error) {
	if err := validID(id); err != nil {
		return nil, err
	}
	return getResource(ctx, s.client, resourcePath(s.client.cfg.twitterPath, id), opts, tweetCodec)
}

// List reads the agent's Tweet interactions (GET {base}/me/tweets).
func (s *TwitterService) List(ctx context.Context, opts *ListOptions) (*Page[Tweet], error) {
	return listResources(ctx, s.client, s.client.cfg.twitterPath, opts, tweetCodec)
}

// Get reads the private-messaging session id (GET
// {base}/me/facebooksessions/{id}, or the prefix given to
// WithFacebookSessionPath).
func (s *FacebookSessionService) Get(ctx context.Context, id string, opts *GetOptions) (*FacebookSession, error) {
	if err := validID(id); err != nil {
		return nil, err
	}
	return getResource(ctx, s.client, resourcePath(s.client.cfg.sessionPath, id), opts, sessionCodec)
}

// List reads the agent's private-messaging sessions (GET {base}/me/facebooksessions).
func (s *FacebookSessionService) List(ctx context.Context, opts *ListOptions) (*Page[FacebookSession], error) {
	return listResources(ctx, s.client, s.client.cfg.sessionPath, opts, sessionCodec)
}

// validID checks an interaction id like the sends do.
func validID(id string) error {
	var v ValidationError
	checkID(&v, id)
	return v.err()
}
