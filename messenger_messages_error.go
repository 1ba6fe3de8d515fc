package omni

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// MessagesError is an error answer of the current Messenger API
// (/messenger/1/...): {"errorCode":"E400","description":...,"action":...,
// "violations":[{"property":...,"violation":...}],"resources":[...]}. It
// wraps the *APIError of the answer, so errors.As finds either and
// errors.Is matches the same sentinels (ErrValidation for a 400, ...).
type MessagesError struct {
	// ErrorCode such as "E400", "E401", "E429", "E500".
	ErrorCode   string
	Description string
	// Action says how to recover.
	Action     string
	Violations []Violation
	Resources  []ErrorResource
	// API is the answer: status, method, URL, body.
	API *APIError
}

// Violation is one property of the request the service refused.
type Violation struct {
	// Property is the path of the field, such as
	// "messages[0].destinations[3].to".
	Property  string `json:"property"`
	Violation string `json:"violation"`
}

// ErrorResource points at documentation about the error.
type ErrorResource struct {
	Name string `json:"name"`
	URL  string `json:"url"`
}

// Error describes the failure in one line, violations included.
func (e *MessagesError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "omni: %s %s: HTTP %d %s", e.API.Method, e.API.URL, e.API.HTTPStatus, e.ErrorCode)
	if e.Description != "" {
		fmt.Fprintf(&b, ": %s", e.Description)
	}
	for _, v := range e.Violations {
		fmt.Fprintf(&b, "; %s: %s", v.Property, v.Violation)
	}
	return b.String()
}

// Unwrap returns the *APIError.
func (e *MessagesError) Unwrap() error { return e.API }

// asMessagesError turns an *APIError whose body has the current error
// shape into a *MessagesError; any other error is returned as it is.
// messagesError is asMessagesError with the client's credentials redacted
// from the service's words (see redactor).
func (s *MessengerService) messagesError(err error) error {
	err = asMessagesError(err)
	if r := s.client.messenger.redact; r != nil {
		r(err)
	}
	return err
}

func asMessagesError(err error) error {
	var api *APIError
	if !errors.As(err, &api) || len(api.Body) == 0 {
		return err
	}
	var w struct {
		ErrorCode   string          `json:"errorCode"`
		Description string          `json:"description"`
		Action      string          `json:"action"`
		Violations  []Violation     `json:"violations"`
		Resources   []ErrorResource `json:"resources"`
	}
	if json.Unmarshal(api.Body, &w) != nil || w.ErrorCode == "" {
		return err
	}
	return &MessagesError{ErrorCode: w.ErrorCode, Description: w.Description, Action: w.Action,
		Violations: w.Violations, Resources: w.Resources, API: api}
}
