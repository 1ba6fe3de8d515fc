package omni

import (
	"net/url"
	"testing"
)

// encodeQuery leaves '*' and ',' as they are and every other escape of
// url.Values.Encode, a '%' of a value's text included, as Encode writes it.
func TestEncodeQueryKeepsStarAndComma(t *testing.T) {
	for _, c := range []struct {
		q    url.Values
		want string
	}{
		{url.Values{"subresources": {"*"}}, "subresources=*"},
		{url.Values{"fields": {"id,state"}, "limit": {"5"}}, "fields=id,state&limit=5"},
		{url.Values{"q": {"%2A%2C"}}, "q=%252A%252C"},               // the text "%2A%2C", not a star and a comma
		{url.Values{"q": {"a+b &=?#/"}}, "q=a%2Bb+%26%3D%3F%23%2F"}, // escapes other than * and , stay
		{url.Values{"since": {"2023-02-01T00:00:00.000+0000"}}, "since=2023-02-01T00%3A00%3A00.000%2B0000"},
	} {
		if got := encodeQuery(c.q); got != c.want {
			t.Errorf("encodeQuery(%v) = %q, want %q", c.q, got, c.want)
		}
		if back, err := url.ParseQuery(encodeQuery(c.q)); err != nil || back.Encode() != c.q.Encode() {
			t.Errorf("%q decodes to %v (%v), want %v", encodeQuery(c.q), back, err, c.q)
		}
	}
}
