package cometd

// Extension sees every message the client sends and receives, like CometD's
// extensions. Outgoing runs just before a message is written to the network
// (after the client set its id and clientId), Incoming just after a message
// was decoded, before the client acts on it. Hooks of several extensions run
// in the order they were added. Hooks may be called concurrently from the
// client's network goroutines and must not block or call the Client.
type Extension interface {
	Outgoing(m *Message)
	Incoming(m *Message)
}

// outgoing runs the outgoing hooks.
func (c *Client) outgoing(m *Message) {
	for _, e := range c.cfg.extensions {
		e.Outgoing(m)
	}
}

// incoming runs the incoming hooks.
func (c *Client) incoming(m *Message) {
	for _, e := range c.cfg.extensions {
		e.Incoming(m)
	}
}
