package omni

import "errors"

// Operation is the name of a GWS operation, as it appears in operationName
// and in a resource's capabilities. Names not listed pass through as they are.
type Operation string

// The operation names the GWS documentation shows in capabilities and
// operation pages for Facebook posts, Tweets and private-messaging sessions.
const (
	OpAccept                          Operation = "Accept"
	OpReject                          Operation = "Reject"
	OpCreate                          Operation = "Create"
	OpSend                            Operation = "Send"
	OpSave                            Operation = "Save"
	OpReply                           Operation = "Reply"
	OpCancel                          Operation = "Cancel"
	OpComplete                        Operation = "Complete"
	OpTransfer                        Operation = "Transfer"
	OpConsult                         Operation = "Consult"
	OpLeave                           Operation = "Leave"
	OpSetDisposition                  Operation = "SetDisposition"
	OpAddComment                      Operation = "AddComment"
	OpAttachUserData                  Operation = "AttachUserData"
	OpUpdateUserData                  Operation = "UpdateUserData"
	OpDeleteUserData                  Operation = "DeleteUserData"
	OpSetInFocus                      Operation = "SetInFocus"
	OpInFocus                         Operation = "InFocus"
	OpRetweet                         Operation = "Retweet"
	OpMarkFavorite                    Operation = "MarkFavorite"
	OpRemoveFavorite                  Operation = "RemoveFavorite"
	OpFollow                          Operation = "Follow"
	OpUnfollow                        Operation = "Unfollow"
	OpSendMessage                     Operation = "SendMessage"
	OpSendToAgents                    Operation = "SendToAgents"
	OpSendStartTypingNotification     Operation = "SendStartTypingNotification"
	OpSendStopTypingNotification      Operation = "SendStopTypingNotification"
	OpRemoveParticipantFromConference Operation = "RemoveParticipantFromConference"
	OpReportResponseTemplateUsage     Operation = "ReportResponseTemplateUsage"
)

// Capabilities is a resource's capabilities: the operations the server
// allows on it now. Every notification carries the whole list and replaces
// the previous one; a terminal resource (Completed, Canceled, Sent) has none.
// The server stays the authority: the SDK never refuses an operation on its
// own, and an operation outside the list is answered with an error matching
// ErrInvalidState.
type Capabilities []Operation

// Can reports whether op is among the capabilities.
func (c Capabilities) Can(op Operation) bool {
	for _, o := range c {
		if o == op {
			return true
		}
	}
	return false
}

// Can reports whether the server allows op on the post now.
func (f *Facebook) Can(op Operation) bool { return f.Capabilities.Can(op) }

// Can reports whether the server allows op on the Tweet now.
func (t *Tweet) Can(op Operation) bool { return t.Capabilities.Can(op) }

// Can reports whether the server allows op on the session now.
func (s *FacebookSession) Can(op Operation) bool { return s.Capabilities.Can(op) }

// ErrInvalidState matches an *APIError with GWS statusCode 2, "a specified
// parameter is not valid for the current state": the answer to an operation
// the resource's capabilities do not allow now. The documents do not say
// which code a server uses for an operation outside capabilities; 2 is the
// one whose meaning fits (see API-FACTS-LIFECYCLE §5).
var ErrInvalidState = errors.New("omni: operation not valid for the current state")
