package omni

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzDecodeMessagesAnswer: the answers of the current Messages API (send,
// logs, error bodies) never panic their decoders, and an error body either
// becomes a *MessagesError that still unwraps to its *APIError or is left
// as the *APIError.
func FuzzDecodeMessagesAnswer(f *testing.F) {
	for _, name := range []string{"messenger_messages_response.json", "messenger_message_logs_response.json",
		"messenger_messages_400.json", "messenger_messages_401.json"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"errorCode":"","violations":[null]}`))
	f.Add([]byte(`{"results":[null,{"sentAt":1}],"cursor":null}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var resp MessagesResponse
		_ = json.Unmarshal(body, &resp)
		var logs MessageLogs
		if json.Unmarshal(body, &logs) == nil {
			for _, l := range logs.Results {
				if l.Raw != nil && !json.Valid(l.Raw) {
					t.Fatalf("log Raw is not JSON: %q", l.Raw)
				}
			}
		}
		api := &APIError{HTTPStatus: 400, Method: "POST", URL: "http://x/messenger/1/messages", Body: body}
		err := asMessagesError(api)
		var got *APIError
		if !errors.As(err, &got) || got != api || !errors.Is(err, ErrValidation) {
			t.Fatalf("asMessagesError lost the APIError: %v", err)
		}
		_ = err.Error()
	})
}
