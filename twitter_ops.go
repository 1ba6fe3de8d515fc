package omni

import "context"

// The Tweet operations (POST {base}/me/tweets/{id}, or the prefix given to
// WithTwitterPath; feature api-multimedia). Each returns the HTTP reply; the
// outcome arrives on /v2/me/twitter. None is retried once the request may
// have reached the server.

func (s *TwitterService) target() target {
	return target{prefix: s.client.cfg.twitterPath, channel: ChannelTwitter}
}

// TwitterCreate is the request of TwitterService.Create.
type TwitterCreate struct {
	// QueuePath is the queue of the new interaction. Required.
	QueuePath string
	// UserData is attached to the interaction; nil sends none.
	UserData map[string]any
}

// Create makes a new, empty outbound Tweet interaction (POST {base}/me/tweets).
// Its notification carries the new resource in state Composing.
func (s *TwitterService) Create(ctx context.Context, r TwitterCreate) (*OperationResult, error) {
	return s.client.run(ctx, s.target(), "", true, &opBody{OperationName: OpCreate, QueuePath: r.QueuePath, UserData: r.UserData},
		func(v *ValidationError) { required(v, "queuePath", r.QueuePath) })
}

// TwitterSave is the request of TwitterService.Save.
type TwitterSave struct {
	// From and Message fill the draft. The documents call the twitter object
	// mandatory, yet their first sample has none: both empty sends none.
	From    string
	Message string
}

// Save stores the outbound draft id; its notification has notificationType
// TwitterSaved (also documented as TweetSaved).
func (s *TwitterService) Save(ctx context.Context, id string, r TwitterSave) (*OperationResult, error) {
	body := &opBody{OperationName: OpSave}
	if r.From != "" || r.Message != "" {
		body.Twitter = &fromMessage{From: r.From, Message: r.Message}
	}
	return s.client.run(ctx, s.target(), id, false, body, nil)
}

// TwitterReply is the request of TwitterService.Reply.
type TwitterReply struct {
	// QueuePath is the job queue that handles the reply. Required.
	QueuePath string
	// IsRetweet, when set, says whether the reply is a retweet.
	IsRetweet *bool
	// UserData is attached to the reply; nil sends none.
	UserData map[string]any
}

// Reply creates the outbound draft answering the inbound Tweet (status or
// direct message) id. The notification carries the draft: a new resource
// with its own id, parentId = id, state Composing.
func (s *TwitterService) Reply(ctx context.Context, id string, r TwitterReply) (*OperationResult, error) {
	return s.client.run(ctx, s.target(), id, false,
		&opBody{OperationName: OpReply, QueuePath: r.QueuePath, IsRetweet: r.IsRetweet, UserData: r.UserData},
		func(v *ValidationError) { required(v, "queuePath", r.QueuePath) })
}

// Cancel drops the outbound draft id (state Canceled, no capabilities).
func (s *TwitterService) Cancel(ctx context.Context, id string) (*OperationResult, error) {
	return s.client.simple(ctx, s.target(), id, OpCancel)
}

// Complete ends the inbound Tweet id (state Completed, no capabilities).
func (s *TwitterService) Complete(ctx context.Context, id string, r Complete) (*OperationResult, error) {
	return s.client.run(ctx, s.target(), id, false,
		&opBody{OperationName: OpComplete, QueuePath: r.QueuePath, SaveLAR: r.SaveLAR}, nil)
}

// TwitterFollow is the request of Follow and Unfollow.
type TwitterFollow struct {
	// TwitterUserID is the numeric id of the Twitter user, sent as a string. Required.
	TwitterUserID string
	// From is the account acting. Required.
	From string
}

// Follow starts monitoring a Twitter user's Tweets (POST {base}/me/tweets,
// no id). Only a 2014 pre-release page exists; the body is inferred from
// Unfollow's. The outcome is a TwitterOperationResponse.
func (s *TwitterService) Follow(ctx context.Context, r TwitterFollow) (*OperationResult, error) {
	return s.follow(ctx, OpFollow, r)
}

// Unfollow stops monitoring a Twitter user's Tweets (POST {base}/me/tweets,
// no id). The outcome is a TwitterOperationResponse whose Success says
// whether it worked.
func (s *TwitterService) Unfollow(ctx context.Context, r TwitterFollow) (*OperationResult, error) {
	return s.follow(ctx, OpUnfollow, r)
}

func (s *TwitterService) follow(ctx context.Context, op Operation, r TwitterFollow) (*OperationResult, error) {
	return s.client.run(ctx, s.target(), "", true, &opBody{OperationName: op, TwitterUserID: r.TwitterUserID, From: r.From},
		func(v *ValidationError) {
			required(v, "twitterUserId", r.TwitterUserID)
			required(v, "from", r.From)
		})
}

// Retweet retweets the inbound Tweet id. No page exists (the name is in
// inbound capabilities only): the body is operationName alone and the
// outcome, by analogy with Unfollow, a TwitterOperationResponse (inferred).
func (s *TwitterService) Retweet(ctx context.Context, id string) (*OperationResult, error) {
	return s.client.simple(ctx, s.target(), id, OpRetweet)
}

// MarkFavorite marks the inbound Tweet id as a favorite (shape inferred as Retweet's).
func (s *TwitterService) MarkFavorite(ctx context.Context, id string) (*OperationResult, error) {
	return s.client.simple(ctx, s.target(), id, OpMarkFavorite)
}

// RemoveFavorite removes the favorite mark (shape inferred as Retweet's).
func (s *TwitterService) RemoveFavorite(ctx context.Context, id string) (*OperationResult, error) {
	return s.client.simple(ctx, s.target(), id, OpRemoveFavorite)
}

// Transfer hands the Tweet id to targetPath, a user or queue path (no
// Twitter page exists: inferred from Facebook's Transfer).
func (s *TwitterService) Transfer(ctx context.Context, id, targetPath string) (*OperationResult, error) {
	return s.client.transfer(ctx, s.target(), id, targetPath)
}

// SetDisposition records the disposition in the Tweet's userData (inferred
// from Facebook's SetDisposition).
func (s *TwitterService) SetDisposition(ctx context.Context, id string, d Disposition) (*OperationResult, error) {
	return s.client.setDisposition(ctx, s.target(), id, d)
}

// AddComment sets the Tweet's comment (inferred from the private-messaging page).
func (s *TwitterService) AddComment(ctx context.Context, id, comment string) (*OperationResult, error) {
	return s.client.addComment(ctx, s.target(), id, comment)
}

// AttachUserData adds keys to the Tweet's userData (inferred from the
// private-messaging page).
func (s *TwitterService) AttachUserData(ctx context.Context, id string, data map[string]any) (*OperationResult, error) {
	return s.client.userDataOp(ctx, s.target(), id, OpAttachUserData, data)
}

// UpdateUserData overwrites the given keys of the Tweet's userData (inferred).
func (s *TwitterService) UpdateUserData(ctx context.Context, id string, data map[string]any) (*OperationResult, error) {
	return s.client.userDataOp(ctx, s.target(), id, OpUpdateUserData, data)
}

// DeleteUserData removes keys from the Tweet's userData (inferred).
func (s *TwitterService) DeleteUserData(ctx context.Context, id string, keys ...string) (*OperationResult, error) {
	return s.client.deleteUserData(ctx, s.target(), id, keys)
}

// SetInFocus tells the server the agent is looking at the Tweet (body
// operationName alone, inferred).
func (s *TwitterService) SetInFocus(ctx context.Context, id string) (*OperationResult, error) {
	return s.client.simple(ctx, s.target(), id, OpSetInFocus)
}
