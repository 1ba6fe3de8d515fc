package omni

import "context"

// FacebookSessionService runs operations on Facebook private-messaging
// sessions (POST {base}/me/facebooksessions/{id}; the prefix can be changed
// with WithFacebookSessionPath). Outcomes arrive as notifications on
// /v2/me/facebooksession with the returned ReferenceID.
//
// Every operation is a POST the server may act on, so none is retried once
// the request may have reached it (see the retry table).
type FacebookSessionService service

type sessionOp struct {
	OperationName Operation `json:"operationName"`
	Nickname      string    `json:"nickname,omitempty"`
	Text          string    `json:"text,omitempty"`
	TargetPath    string    `json:"targetPath,omitempty"`
}

// Accept joins the session as an agent; nickname is the name the customer
// sees. The documents do not say it is required: empty sends none, and the
// server picks the name.
func (s *FacebookSessionService) Accept(ctx context.Context, id, nickname string) (*OperationResult, error) {
	return s.op(ctx, id, sessionOp{OperationName: "Accept", Nickname: nickname}, "", "")
}

// SendMessage sends text to every participant.
func (s *FacebookSessionService) SendMessage(ctx context.Context, id, text string) (*OperationResult, error) {
	return s.op(ctx, id, sessionOp{OperationName: "SendMessage", Text: text}, "text", text)
}

// SendToAgents sends text to the agents of the session only.
func (s *FacebookSessionService) SendToAgents(ctx context.Context, id, text string) (*OperationResult, error) {
	return s.op(ctx, id, sessionOp{OperationName: "SendToAgents", Text: text}, "text", text)
}

// Transfer hands the session to targetPath (an agent, queue or skill path).
func (s *FacebookSessionService) Transfer(ctx context.Context, id, targetPath string) (*OperationResult, error) {
	return s.op(ctx, id, sessionOp{OperationName: "Transfer", TargetPath: targetPath}, "targetPath", targetPath)
}

// Complete ends the session.
func (s *FacebookSessionService) Complete(ctx context.Context, id string) (*OperationResult, error) {
	return s.op(ctx, id, sessionOp{OperationName: "Complete"}, "", "")
}

// Leave removes the agent from the session.
func (s *FacebookSessionService) Leave(ctx context.Context, id string) (*OperationResult, error) {
	return s.op(ctx, id, sessionOp{OperationName: "Leave"}, "", "")
}

// SendStartTyping tells the customer the agent is typing.
func (s *FacebookSessionService) SendStartTyping(ctx context.Context, id string) (*OperationResult, error) {
	return s.op(ctx, id, sessionOp{OperationName: "SendStartTypingNotification"}, "", "")
}

// SendStopTyping tells the customer the agent stopped typing.
func (s *FacebookSessionService) SendStopTyping(ctx context.Context, id string) (*OperationResult, error) {
	return s.op(ctx, id, sessionOp{OperationName: "SendStopTypingNotification"}, "", "")
}

// op validates the id and the operation's one required field, then posts.
func (s *FacebookSessionService) op(ctx context.Context, id string, body sessionOp, field, value string) (*OperationResult, error) {
	return s.client.run(ctx, s.target(), id, false,
		&opBody{OperationName: body.OperationName, Nickname: body.Nickname, Text: body.Text, TargetPath: body.TargetPath},
		func(v *ValidationError) {
			if field != "" {
				required(v, field, value)
			}
		})
}
