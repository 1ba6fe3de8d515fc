package cometd

// State is the state of a Client's session with the server.
type State int

// The states of a Client. A new client is StateUnconnected; Close and
// Disconnect end in StateDisconnected, a terminal error in StateTerminated.
const (
	StateUnconnected State = iota
	StateHandshaking
	StateRehandshaking
	StateHandshaken
	StateConnecting
	StateConnected
	StateDisconnecting
	StateDisconnected
	StateTerminated
)

var stateNames = [...]string{
	"unconnected", "handshaking", "rehandshaking", "handshaken", "connecting",
	"connected", "disconnecting", "disconnected", "terminated",
}

// String returns the state's name, such as "connected".
func (s State) String() string {
	if s < 0 || int(s) >= len(stateNames) {
		return "unknown"
	}
	return stateNames[s]
}

// StateChange describes a change of state, or an event worth telling state
// listeners about in the same state (From == To), such as a completed
// re-subscription.
type StateChange struct {
	From, To State
	// Transport is the connection type in use.
	Transport string
	// Err is the failure that caused the change, if any: a network error, an
	// unsuccessful reply (*Error), the terminal error, or the
	// re-subscriptions of one round that failed (and are retried) or that
	// the server refused (*SubscriptionError, joined).
	Err error
	// Resubscribed is the number of channels re-subscribed and accepted in
	// this round after a re-handshake (failed ones are retried in further
	// rounds, each reported with its own StateChange).
	Resubscribed int
	// Reason says in words why the change happened, e.g. "falling back to
	// long-polling: websocket upgrade failed".
	Reason string
}
