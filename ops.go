package omni

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"
)

// OperationResult is GWS's answer to an interaction operation, with what a
// wait for the notification it causes needs: the referenceId when the reply
// carries one (several documented replies carry none), the interaction the
// operation acted on, and the CometD topic where the outcome arrives.
type OperationResult struct {
	SendResult
	// Operation is the operationName sent.
	Operation Operation
	// ID is the interaction the operation acted on; "" for operations on a
	// collection (Create, Follow, Unfollow), whose notification names the
	// new or affected resource.
	ID string
	// Channel is the topic of the outcome, such as "/v2/me/facebook".
	Channel string
}

// opBody is the body of every interaction operation: operationName plus the
// parameters of the operation, each left out when empty.
type opBody struct {
	OperationName      Operation      `json:"operationName"`
	QueuePath          string         `json:"queuePath,omitempty"`
	QueueName          string         `json:"queueName,omitempty"`
	CommentID          string         `json:"commentId,omitempty"`
	IsRetweet          *bool          `json:"isRetweet,omitempty"`
	Facebook           *fromMessage   `json:"facebook,omitempty"`
	Twitter            *fromMessage   `json:"twitter,omitempty"`
	SaveLAR            *bool          `json:"saveLAR,omitempty"`
	TargetPath         string         `json:"targetPath,omitempty"`
	TargetURI          string         `json:"targetUri,omitempty"`
	DispositionKey     string         `json:"dispositionKey,omitempty"`
	Disposition        string         `json:"disposition,omitempty"`
	Comment            string         `json:"comment,omitempty"`
	UserData           map[string]any `json:"userData,omitempty"`
	Keys               []string       `json:"keys,omitempty"`
	TwitterUserID      string         `json:"twitterUserId,omitempty"`
	From               string         `json:"from,omitempty"`
	ResponseTemplateID string         `json:"responseTemplateId,omitempty"`
	ResponseType       ResponseType   `json:"responseType,omitempty"`
	Nickname           string         `json:"nickname,omitempty"`
	Text               string         `json:"text,omitempty"`
}

// target says where an operation is sent and where its outcome arrives.
type target struct {
	prefix  string // collection path, such as "me/facebook"
	channel string // notification topic
}

// run validates id (unless the operation is on the collection), runs check
// on the same ValidationError, and posts body.
func (c *Client) run(ctx context.Context, t target, id string, onCollection bool, body *opBody,
	check func(*ValidationError)) (*OperationResult, error) {
	var v ValidationError
	if !onCollection {
		checkID(&v, id)
	}
	if check != nil {
		check(&v)
	}
	checkEncodable(&v, body.UserData)
	if err := v.err(); err != nil {
		return nil, err
	}
	path := t.prefix
	if !onCollection {
		path = resourcePath(t.prefix, id)
	}
	res, err := c.postOperation(ctx, path, body, true)
	if err != nil {
		return nil, err
	}
	switch {
	case onCollection:
	case reportsOnItself[body.OperationName]:
		res.about = id
	case body.OperationName == OpReply:
		res.about, res.aboutParent = id, true
	}
	return &OperationResult{SendResult: *res, Operation: body.OperationName, ID: id, Channel: t.channel}, nil
}

// Disposition is the request of the SetDisposition operations.
type Disposition struct {
	// Disposition is the value, such as "resolved". Required.
	Disposition string
	// Key is the userData key that holds it, such as "DISP_KEY"; empty
	// leaves the key configured on the server.
	Key string
}

// checkUserData requires a non-empty map with non-empty keys.
func checkUserData(v *ValidationError, data map[string]any) {
	if len(data) == 0 {
		v.add("userData", "must have at least one key")
	}
	for k := range data {
		if k == "" {
			v.add("userData", "keys must not be empty")
			break
		}
	}
}

// checkEncodable requires every userData value to be encodable as JSON (no
// channel, function, complex number, NaN or infinity, at any depth), naming
// the key, in key order.
func checkEncodable(v *ValidationError, data map[string]any) {
	keys := make([]string, 0, len(data))
	for k := range data {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if b, err := json.Marshal(data[k]); err != nil {
			v.add("userData."+k, "must be encodable as JSON (%s)", strings.TrimPrefix(err.Error(), "json: "))
		} else if !utf8.Valid(b) {
			v.add("userData."+k, ruleUTF8) // a Marshaler's own output, sent as it is
		}
	}
}

// checkKeys requires at least one key, none empty.
func checkKeys(v *ValidationError, keys []string) {
	if len(keys) == 0 {
		v.add("keys", "must list at least one key")
	}
	for i, k := range keys {
		if k == "" {
			v.add(fmt.Sprintf("keys[%d]", i), "must not be empty")
		}
	}
}

// The operations every interaction kind shares: comment, user data,
// disposition, focus and transfer.

func (c *Client) addComment(ctx context.Context, t target, id, comment string) (*OperationResult, error) {
	return c.run(ctx, t, id, false, &opBody{OperationName: OpAddComment, Comment: comment},
		func(v *ValidationError) { required(v, "comment", comment) })
}

func (c *Client) userDataOp(ctx context.Context, t target, id string, op Operation, data map[string]any) (*OperationResult, error) {
	return c.run(ctx, t, id, false, &opBody{OperationName: op, UserData: data},
		func(v *ValidationError) { checkUserData(v, data) })
}

func (c *Client) deleteUserData(ctx context.Context, t target, id string, keys []string) (*OperationResult, error) {
	return c.run(ctx, t, id, false, &opBody{OperationName: OpDeleteUserData, Keys: keys},
		func(v *ValidationError) { checkKeys(v, keys) })
}

func (c *Client) setDisposition(ctx context.Context, t target, id string, d Disposition) (*OperationResult, error) {
	return c.run(ctx, t, id, false, &opBody{OperationName: OpSetDisposition, Disposition: d.Disposition, DispositionKey: d.Key},
		func(v *ValidationError) { required(v, "disposition", d.Disposition) })
}

func (c *Client) transfer(ctx context.Context, t target, id, targetPath string) (*OperationResult, error) {
	return c.run(ctx, t, id, false, &opBody{OperationName: OpTransfer, TargetPath: targetPath},
		func(v *ValidationError) { required(v, "targetPath", targetPath) })
}

func (c *Client) simple(ctx context.Context, t target, id string, op Operation) (*OperationResult, error) {
	return c.run(ctx, t, id, false, &opBody{OperationName: op}, nil)
}

// ResponseType says how a response template was used
// (ReportResponseTemplateUsage). Values not listed pass through.
type ResponseType string

// The documented response types.
const (
	ResponseSystemAuto           ResponseType = "SystemAutoResponse"
	ResponseSuggestedChosen      ResponseType = "SuggestedResponseChoosen" // sic, as documented
	ResponseAdministrator        ResponseType = "AdministratorResponse"
	ResponseSuggestedIgnored     ResponseType = "SuggestedResponsesIgnored"
	ResponseSuggestedNotReceived ResponseType = "SuggestedResponseNotReceived"
)
