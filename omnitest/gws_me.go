package omnitest

import "net/http"

// meUser is the "user" object of GET /me.
type meUser struct {
	ID        string   `json:"id"`
	UserName  string   `json:"userName"`
	FirstName string   `json:"firstName"`
	LastName  string   `json:"lastName"`
	Roles     []string `json:"roles"`
	Enabled   bool     `json:"enabled"`
	URI       string   `json:"uri"`
	Path      string   `json:"path"`
}

// simulatedUserID is the id of the one agent the simulator knows.
const simulatedUserID = "0000000000000001"

// getMe serves GET /me.
func (s *Server) getMe(w http.ResponseWriter, r *http.Request) {
	writeGWS(w, http.StatusOK, envelope{StatusCode: codeOK, User: &meUser{
		ID:        simulatedUserID,
		UserName:  s.userName(r),
		FirstName: "Test",
		LastName:  "Agent",
		Roles:     []string{"ROLE_AGENT"},
		Enabled:   true,
		URI:       s.baseURL(r) + "/users/" + simulatedUserID,
		Path:      "/users/" + simulatedUserID,
	}})
}

// POST /me (StartContactCenterSession, EndContactCenterSession and the
// agent-state operations) is served by postMeLifecycle in lifecycle.go.

// SignedIn reports whether the agent is signed in to the contact center
// (StartContactCenterSession without a later EndContactCenterSession).
func (s *Server) SignedIn() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.signedIn
}
