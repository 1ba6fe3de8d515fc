package omni

import (
	"context"
	"net/http"
	"net/url"
	"unicode/utf8"
)

// SendResult is GWS's answer to an asynchronous operation.
type SendResult struct {
	// ReferenceID links the operation to the CometD notification that
	// reports its outcome (data.referenceId). 0 when the server sent none;
	// a numeric string ("12") is read as its number, as in notifications.
	ReferenceID int64 `json:"referenceId"`

	// about is the interaction the operation's notification is about, when
	// the operation acts on one and the documents show it reporting on that
	// same id (reportsOnItself), or, with aboutParent, the interaction a
	// Reply answers (its draft's parentId); "" otherwise. With
	// aboutErrors (Send), only an Error notification must be about it: the
	// documents' Twitter Send sample reports the Tweet sent under another
	// id than the one in the request.
	about       string
	aboutParent bool
	aboutErrors bool

	// by is the call that got the answer, kept for its credentials and
	// the CSRF token and cookies its requests carried: they are redacted
	// from the *OperationError of a failure notification (a server that
	// repeats them in its errorMessage must not show them). nil for a
	// result the SDK did not build.
	by *call
}

// Accepted is what a GWS operation returns once the server accepted it: a
// *SendResult (Send) or an *OperationResult (every other operation). Await
// takes an operation returning one, so any operation's method can be passed
// as it is:
//
//	c.Await(ctx, want, func(ctx context.Context) (omni.Accepted, error) {
//		return c.Facebook.Reply(ctx, id, omni.FacebookReply{QueuePath: q})
//	})
//
// The set is closed: only this package's result types implement it.
type Accepted interface {
	accepted() *SendResult
}

func (r *SendResult) accepted() *SendResult { return r }

// reportsOnItself lists the operations on an interaction whose outcome the
// documents show in a notification about that same interaction (its id):
// a wait with their referenceId also checks the id (see Expect). The
// typing indicators and RemoveParticipantFromConference are in it too:
// they act on a private-message session, which keeps its id, and their
// notification is that session's message log. Reply (a new draft) and the
// other operations documented only as capability names are not in it.
var reportsOnItself = map[Operation]bool{
	OpSend: true, OpSave: true, OpCancel: true, OpComplete: true, OpTransfer: true, OpSetDisposition: true,
	OpAccept: true, OpReject: true, OpConsult: true, OpLeave: true,
	OpAddComment: true, OpAttachUserData: true, OpUpdateUserData: true, OpDeleteUserData: true,
	OpSendMessage: true, OpSendToAgents: true, // MessageLogUpdated names its session by facebooksessionUri
	OpSendStartTypingNotification: true, OpSendStopTypingNotification: true, OpRemoveParticipantFromConference: true,
	OpSetInFocus: true, OpInFocus: true,
}

func (r *OperationResult) accepted() *SendResult {
	if r == nil {
		return nil
	}
	return &r.SendResult
}

// gwsOperation is the body of a GWS operation: operationName plus the
// operation's own fields.
type gwsSend struct {
	OperationName string       `json:"operationName"`
	QueuePath     string       `json:"queuePath"`
	Facebook      *fromMessage `json:"facebook,omitempty"`
	Twitter       *fromMessage `json:"twitter,omitempty"`
	SaveLAR       *bool        `json:"saveLAR,omitempty"`
}

// fromMessage is the facebook or twitter object of Send (both required
// there) and Save, which may fill only one of them: an empty field is left
// out rather than sent as "", which would blank the draft's.
type fromMessage struct {
	From    string `json:"from,omitempty"`
	Message string `json:"message,omitempty"`
}

// Bool returns a pointer to v, for optional fields such as SaveLAR.
func Bool(v bool) *bool { return &v }

// resourcePath joins a path prefix and an escaped id.
func resourcePath(prefix, id string) string { return prefix + "/" + url.PathEscape(id) }

// checkID adds a rule violation for an id that is empty, blank or a dot
// segment, which would reach another endpoint once joined into a path.
func checkID(v *ValidationError, id string) {
	required(v, "id", id)
	switch {
	case id == "." || id == "..":
		v.add("id", "must not be %q", id)
	default:
		if !utf8.ValidString(id) {
			v.add("id", ruleUTF8)
		}
	}
}

// postOperation sends a GWS operation and decodes the result. Its callers
// validate body; it only refuses, as a *ValidationError before any I/O, a
// string in body that is not valid UTF-8 (checkUTF8), which encoding/json
// would otherwise change.
func (c *Client) postOperation(ctx context.Context, path string, body any, send bool) (*SendResult, error) {
	var v ValidationError
	checkUTF8(&v, "", body)
	if err := v.err(); err != nil {
		return nil, err
	}
	// referenceId is decoded as leniently as in notifications: a number or
	// a numeric string ("12"); the send GWS accepted is never failed over
	// its type.
	var res struct {
		ReferenceID flexInt `json:"referenceId"`
	}
	cl := &call{ep: c.gws, method: http.MethodPost, path: path, body: body, send: send}
	if err := c.do(ctx, cl, &res); err != nil {
		return nil, err
	}
	c.refs.add(int64(res.ReferenceID)) // see Expect.ResourceID
	return &SendResult{ReferenceID: int64(res.ReferenceID), by: &call{ep: cl.ep, carried: cl.carried}}, nil
}
