package omni

import (
	"context"
	"unicode/utf8"
)

// FacebookService sends Facebook posts through GWS
// (POST {base}/me/facebook/{id}, feature api-multimedia).
type FacebookService service

// FacebookSend is the request of FacebookService.Send.
type FacebookSend struct {
	// QueuePath is the job queue that handles the send, such as
	// "/contacts/60ebbb94-3cef-4b14-95f8-5c49dbeb355d". Required.
	QueuePath string
	// From is the user name of the Facebook account. Required.
	From string
	// Message is the plain-text message. Required.
	Message string
	// SaveLAR, when set, asks the server to record the agent for last agent
	// routing. Left nil, it is not sent.
	SaveLAR *bool
}

// Validate reports every missing field of the request.
func (r FacebookSend) Validate() error {
	var v ValidationError
	checkFromMessage(&v, "facebook", r.QueuePath, r.From, r.Message)
	return v.err()
}

// checkFromMessage checks the fields GWS sends share.
func checkFromMessage(v *ValidationError, key, queuePath, from, message string) {
	required(v, "queuePath", queuePath)
	required(v, key+".from", from)
	required(v, key+".message", message)
	for _, f := range []struct{ name, value string }{{"queuePath", queuePath}, {key + ".from", from}, {key + ".message", message}} {
		if !utf8.ValidString(f.value) {
			v.add(f.name, ruleUTF8)
		}
	}
}

// Send posts a Facebook message from the interaction id. The outcome comes
// later as a FacebookStateChangeMessage notification with the returned
// ReferenceID. Invalid input returns a *ValidationError and sends nothing.
//
// Send is not retried once the request may have reached the server (see the
// retry table), so an error other than *ValidationError can mean the post
// was made: check with the notification before sending again.
func (s *FacebookService) Send(ctx context.Context, id string, r FacebookSend) (*SendResult, error) {
	var v ValidationError
	checkID(&v, id)
	v.nest("", r.Validate())
	if err := v.err(); err != nil {
		return nil, err
	}
	body := &gwsSend{OperationName: "Send", QueuePath: r.QueuePath,
		Facebook: &fromMessage{From: r.From, Message: r.Message}, SaveLAR: r.SaveLAR}
	res, err := s.client.postOperation(ctx, resourcePath("me/facebook", id), body, true)
	if err != nil {
		return nil, err
	}
	res.about, res.aboutErrors = id, true
	return res, nil
}

// SendAndWait sends like Send and waits for the notification that reports
// the outcome: the first FacebookStateChangeMessage with the send's
// referenceId. It is Client.Await with Send as the operation: invalid input
// is a *ValidationError before any I/O; the notification subscription is
// live before the post is sent (as far as the client has been told: see
// Client.Await), so a fast notification is not missed; a notification of
// type Error for the send is an *OperationError; a failed wait is a
// *WaitError carrying the ReferenceID, and the post was sent: read it with
// Get rather than sending again. A server that answers the send without a
// referenceId leaves nothing to wait for (a send's notification names the
// new post, not id): the post is sent and the wait fails at once, a
// *WaitError with ReferenceID 0. Give ctx a deadline.
func (s *FacebookService) SendAndWait(ctx context.Context, id string, r FacebookSend) (*FacebookStateChange, error) {
	n, err := s.client.Await(ctx, Expect{Channel: ChannelFacebook, Match: is[*FacebookStateChange]},
		func(ctx context.Context) (Accepted, error) { return s.Send(ctx, id, r) })
	if err != nil {
		return nil, err
	}
	return n.(*FacebookStateChange), nil
}

// is reports whether n is a T, for Expect.Match.
func is[T Notification](n Notification) bool {
	_, ok := n.(T)
	return ok
}
