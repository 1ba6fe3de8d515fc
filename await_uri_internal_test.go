package omni

import "testing"

// A MessageLogUpdated names its session by URI, whose last segment is
// percent-encoded when the id needs it (third outside review: a wait for
// SendMessage on such a session never ended).
func TestResourceOfMessageLogURI(t *testing.T) {
	for uri, want := range map[string]string{
		"https://gws.example/api/v2/me/facebooksessions/ab%20cd": "ab cd",
		"/api/v2/me/facebooksessions/s%C3%BC%C3%9F/":             "süß",
		"/facebooksessions/0001AaBb":                             "0001AaBb",
		"":                                                       "",
	} {
		if got, _ := resourceOf(&MessageLogUpdated{FacebookSessionURI: uri}); got != want {
			t.Errorf("resourceOf(%q) = %q, want %q", uri, got, want)
		}
	}
}
