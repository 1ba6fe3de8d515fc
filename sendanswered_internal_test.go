package omni

import (
	"net/http"
	"testing"
)

// TestSendAnsweredLooksAtTheBodyInPlace: the emptiness check of a send's
// answer, done without decoding, gives what decoding did: only "{}" with
// JSON whitespace around or inside is an empty object; anything else is
// left to the decoder (which refuses what is not JSON).
func TestSendAnsweredLooksAtTheBodyInPlace(t *testing.T) {
	for body, want := range map[string]string{
		"":                "the send's answer is empty",
		" \r\n\t":         "the send's answer is empty",
		"null":            "the send's answer is empty",
		" null\n":         "the send's answer is empty",
		"{}":              "the send's answer is an empty object",
		" {\n\t\r } \n":   "the send's answer is an empty object",
		`{"messages":[]}`: "",
		"{} x":            "", // not JSON: the decoder says so
		"{}}":             "",
		"\u00a0{}":        "", // U+00A0 is not JSON whitespace
		"{\u00a0}":        "",
		"[]":              "",
	} {
		err := sendAnswered(&result{status: http.StatusOK, body: []byte(body)})
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != want {
			t.Errorf("sendAnswered(%q) = %q, want %q", body, got, want)
		}
	}
	if err := sendAnswered(&result{status: http.StatusNoContent}); err == nil {
		t.Error("a 204 is accepted as an answer")
	}
}
