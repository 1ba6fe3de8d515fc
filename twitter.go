package omni

import "context"

// TwitterService sends Tweets through GWS (POST {base}/me/tweets/{id}; the
// prefix can be changed with WithTwitterPath for servers that use me/twitter).
type TwitterService service

// TwitterSend is the request of TwitterService.Send.
type TwitterSend struct {
	// QueuePath is the job queue that handles the send. Required.
	QueuePath string
	// From is the user name of the Twitter account. Required.
	From string
	// Message is the plain-text Tweet. Required.
	Message string
	// SaveLAR, when set, asks the server to record the agent for last agent
	// routing. Left nil, it is not sent.
	SaveLAR *bool
}

// Validate reports every missing field of the request.
func (r TwitterSend) Validate() error {
	var v ValidationError
	checkFromMessage(&v, "twitter", r.QueuePath, r.From, r.Message)
	return v.err()
}

// Send posts a Tweet from the interaction id. The outcome comes later as a
// Twitter state-change notification with the returned ReferenceID. Invalid
// input returns a *ValidationError and sends nothing; like
// FacebookService.Send it is not retried once the server may have acted.
func (s *TwitterService) Send(ctx context.Context, id string, r TwitterSend) (*SendResult, error) {
	var v ValidationError
	checkID(&v, id)
	v.nest("", r.Validate())
	if err := v.err(); err != nil {
		return nil, err
	}
	body := &gwsSend{OperationName: "Send", QueuePath: r.QueuePath,
		Twitter: &fromMessage{From: r.From, Message: r.Message}, SaveLAR: r.SaveLAR}
	res, err := s.client.postOperation(ctx, resourcePath(s.client.cfg.twitterPath, id), body, true)
	if err != nil {
		return nil, err
	}
	res.about, res.aboutErrors = id, true
	return res, nil
}

// SendAndWait sends like Send and waits for the first Twitter state change
// with the send's referenceId. A TwitterOperationResponse reporting failure
// for it, or a notification of type Error, ends the wait with an
// *OperationError; one reporting success does not end it, since the state
// change follows. Like FacebookService.SendAndWait it is Client.Await with
// Send as the operation (a session loss the server has not yet told the
// client about loses the notification: the wait ends with ctx as a
// *WaitError carrying the ReferenceID); give ctx a deadline. A reply with no
// referenceId (GWS 2015's {"statusCode":0}) leaves nothing to wait for: the
// Tweet is sent and the wait fails at once, a *WaitError with ReferenceID 0.
func (s *TwitterService) SendAndWait(ctx context.Context, id string, r TwitterSend) (*TwitterStateChange, error) {
	n, err := s.client.Await(ctx, Expect{Channel: ChannelTwitter, Match: is[*TwitterStateChange]},
		func(ctx context.Context) (Accepted, error) { return s.Send(ctx, id, r) })
	if err != nil {
		return nil, err
	}
	return n.(*TwitterStateChange), nil
}
