package omni

import "context"

// The Facebook post operations (POST {base}/me/facebook/{id}, feature
// api-multimedia). Each returns the HTTP reply; the outcome arrives as a
// FacebookStateChangeMessage on /v2/me/facebook. None is retried once the
// request may have reached the server.

func (s *FacebookService) target() target {
	return target{prefix: "me/facebook", channel: ChannelFacebook}
}

// FacebookCreate is the request of FacebookService.Create.
type FacebookCreate struct {
	// QueuePath is the queue of the new interaction, such as
	// "/queues/995655ec-81a5-46b0-82d0-3f2c5eca263d". Required.
	QueuePath string
	// UserData is attached to the interaction; nil sends none.
	UserData map[string]any
}

// Create makes a new, empty outbound Facebook interaction (POST
// {base}/me/facebook). Its notification carries the new resource, in state
// Composing, whose id the later Save and Send use.
func (s *FacebookService) Create(ctx context.Context, r FacebookCreate) (*OperationResult, error) {
	return s.client.run(ctx, s.target(), "", true, &opBody{OperationName: OpCreate, QueuePath: r.QueuePath, UserData: r.UserData},
		func(v *ValidationError) { required(v, "queuePath", r.QueuePath) })
}

// FacebookReply is the request of FacebookService.Reply.
type FacebookReply struct {
	// QueuePath is the job queue that handles the reply. Required.
	QueuePath string
	// CommentID is the comment answered. The documents list it without
	// saying whether it is required, and their sample leaves it out; empty
	// sends none (the server then picks the comment).
	CommentID string
	// UserData is attached to the reply; nil sends none.
	UserData map[string]any
}

// Reply creates the outbound draft answering the inbound interaction id.
// The notification carries the draft, a new resource with its own id (state
// Composing, capabilities Send, Cancel, ...): fill it with Save or send it
// with Send.
func (s *FacebookService) Reply(ctx context.Context, id string, r FacebookReply) (*OperationResult, error) {
	return s.client.run(ctx, s.target(), id, false,
		&opBody{OperationName: OpReply, QueuePath: r.QueuePath, CommentID: r.CommentID, UserData: r.UserData},
		func(v *ValidationError) { required(v, "queuePath", r.QueuePath) })
}

// FacebookSave is the request of FacebookService.Save.
type FacebookSave struct {
	// From and Message fill the draft; both empty saves it as it is.
	From    string
	Message string
}

// Save stores the outbound draft id; its notification has notificationType
// FacebookSaved. No Facebook Save page exists: the shape is inferred from
// Twitter's Save ({"operationName":"Save","facebook":{"from","message"}},
// the object left out when both are empty).
func (s *FacebookService) Save(ctx context.Context, id string, r FacebookSave) (*OperationResult, error) {
	body := &opBody{OperationName: OpSave}
	if r.From != "" || r.Message != "" {
		body.Facebook = &fromMessage{From: r.From, Message: r.Message}
	}
	return s.client.run(ctx, s.target(), id, false, body, nil)
}

// Cancel drops the outbound draft id; its notification shows state Canceled
// with no capabilities.
func (s *FacebookService) Cancel(ctx context.Context, id string) (*OperationResult, error) {
	return s.client.simple(ctx, s.target(), id, OpCancel)
}

// Complete is the request of the Complete operations of posts and Tweets.
type Complete struct {
	// QueuePath, when set, places the completed interaction in that queue.
	QueuePath string
	// SaveLAR, when set, records the agent for last agent routing.
	SaveLAR *bool
}

// Complete ends the inbound interaction id; its notification shows state
// Completed with no capabilities.
func (s *FacebookService) Complete(ctx context.Context, id string, r Complete) (*OperationResult, error) {
	return s.client.run(ctx, s.target(), id, false,
		&opBody{OperationName: OpComplete, QueuePath: r.QueuePath, SaveLAR: r.SaveLAR}, nil)
}

// Transfer hands the interaction id to targetPath, a user path
// ("/users/<id>") or a queue path. The documents' to-agent sample sends
// targetUri instead of the documented targetPath; the SDK sends targetPath.
func (s *FacebookService) Transfer(ctx context.Context, id, targetPath string) (*OperationResult, error) {
	return s.client.transfer(ctx, s.target(), id, targetPath)
}

// SetDisposition records the disposition in the interaction's userData;
// its notification is PropertiesUpdated.
func (s *FacebookService) SetDisposition(ctx context.Context, id string, d Disposition) (*OperationResult, error) {
	return s.client.setDisposition(ctx, s.target(), id, d)
}

// AddComment sets the interaction's comment. No Facebook page exists: the
// body {"operationName":"AddComment","comment":...} is inferred from the
// private-messaging AddComment page.
func (s *FacebookService) AddComment(ctx context.Context, id, comment string) (*OperationResult, error) {
	return s.client.addComment(ctx, s.target(), id, comment)
}

// AttachUserData adds keys to the interaction's userData. No Facebook page
// exists: the body {"userData":{...}} is inferred from the private-messaging page.
func (s *FacebookService) AttachUserData(ctx context.Context, id string, data map[string]any) (*OperationResult, error) {
	return s.client.userDataOp(ctx, s.target(), id, OpAttachUserData, data)
}

// UpdateUserData overwrites the given keys of the interaction's userData
// (body inferred from the private-messaging page).
func (s *FacebookService) UpdateUserData(ctx context.Context, id string, data map[string]any) (*OperationResult, error) {
	return s.client.userDataOp(ctx, s.target(), id, OpUpdateUserData, data)
}

// DeleteUserData removes keys from the interaction's userData (body
// {"keys":[...]} inferred from the private-messaging page).
func (s *FacebookService) DeleteUserData(ctx context.Context, id string, keys ...string) (*OperationResult, error) {
	return s.client.deleteUserData(ctx, s.target(), id, keys)
}

// SetInFocus tells the server the agent is looking at the interaction. Only
// the capability name is documented: the body is operationName alone (inferred).
func (s *FacebookService) SetInFocus(ctx context.Context, id string) (*OperationResult, error) {
	return s.client.simple(ctx, s.target(), id, OpSetInFocus)
}
