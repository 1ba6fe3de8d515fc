// Package setup gives the example programs a client: for the real servers
// named by OMNI_* environment variables, or for an in-process simulator.
package setup

import (
	"fmt"
	"os"

	"github.com/omnisdk/omni"
	"github.com/omnisdk/omni/omnitest"
)

// Env holds a client and, when no real server was named, the simulator it talks to.
type Env struct {
	Client    *omni.Client
	Simulator *omnitest.Server // nil against real servers
	AppKey    string           // Messenger "from"
	UserKey   string           // Messenger "to"
	QueuePath string
}

// New reads OMNI_BASE_URL, OMNI_USER, OMNI_PASSWORD, OMNI_MESSENGER_URL,
// OMNI_MESSENGER_KEY, OMNI_APP_KEY, OMNI_USER_KEY and OMNI_QUEUE_PATH. Without
// OMNI_BASE_URL it starts the simulator on a free loopback port for GWS, and
// for Messenger too unless OMNI_MESSENGER_URL names a real one.
func New(opts ...omni.Option) (*Env, error) {
	e := &Env{
		AppKey:    getenv("OMNI_APP_KEY", "8F0792F86035A9F4290821F1EE6BC06A"),
		UserKey:   getenv("OMNI_USER_KEY", "9c29bd43-054b-4cfe-a1d4-0b37812b4ed3"),
		QueuePath: getenv("OMNI_QUEUE_PATH", "/contacts/60ebbb94-3cef-4b14-95f8-5c49dbeb355d"),
	}
	base, messenger := os.Getenv("OMNI_BASE_URL"), os.Getenv("OMNI_MESSENGER_URL")
	if base == "" {
		srv, err := omnitest.Start("127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("starting the simulator: %w", err)
		}
		e.Simulator = srv
		base = srv.URL()
		if messenger == "" {
			messenger = srv.MessengerURL()
		}
	}
	all := []omni.Option{omni.WithBasicAuth(getenv("OMNI_USER", "agent1"), getenv("OMNI_PASSWORD", "demo"))}
	if messenger != "" {
		all = append(all, omni.WithMessenger(messenger, omni.AppKey(getenv("OMNI_MESSENGER_KEY", "demo-key"))))
	}
	c, err := omni.NewClient(base, append(all, opts...)...)
	if err != nil {
		e.Close()
		return nil, err
	}
	e.Client = c
	return e, nil
}

// Close closes the client and the simulator.
func (e *Env) Close() {
	if e.Client != nil {
		e.Client.Close()
	}
	if e.Simulator != nil {
		e.Simulator.Close()
	}
}

// Where says what the example talks to.
func (e *Env) Where() string {
	if e.Simulator != nil {
		return "the in-process simulator at " + e.Simulator.URL()
	}
	return e.Client.BaseURL()
}

func getenv(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}
