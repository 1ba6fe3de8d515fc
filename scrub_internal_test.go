package omni

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"
)

// The scrubber finds a credential however a server wrote it back (fifth
// and sixth outside reviews of this session: Gson's \u003d for "=",
// upper-case hex, \u0027, a non-ASCII character escaped, \u002b, the Basic
// token without its padding or percent-encoded, and a secret cut by the
// 64 KiB body limit, whose start stayed).
func TestScrubberFindsEveryForm(t *testing.T) {
	const pw = "s3cret'pä+w=rd/x"
	tok := base64.StdEncoding.EncodeToString([]byte("agent1:" + pw))
	sc := newScrubber((&basicAuth{username: "agent1", password: pw}).secrets())
	gson := strings.NewReplacer("=", `\u003d`, "'", `\u0027`, "+", `\u002b`).Replace
	for name, in := range map[string]string{
		"raw":                `{"m":"` + pw + `"}`,
		"Go escapes":         `{"m":"s3cret\u0027p\u00e4+w=rd\/x"}`,
		"Gson escapes":       `{"m":"` + gson(pw) + `"}`,
		"upper-case hex":     `{"m":"s3cret\u0027p\u00E4+w\u003Drd/x"}`,
		"token":              `{"m":"Basic ` + tok + `"}`,
		"token, Gson":        `{"m":"Basic ` + strings.ReplaceAll(tok, "=", `\u003d`) + `"}`,
		"token, unpadded":    `{"m":"Basic ` + strings.TrimRight(tok, "=") + `"}`,
		"token, url-encoded": `{"m":"Basic ` + strings.ReplaceAll(tok, "=", "%3D") + `"}`,
	} {
		for _, got := range []string{sc.str(in), string(sc.body([]byte(in)))} {
			if strings.Contains(got, "s3cret") || strings.Contains(got, strings.TrimRight(tok, "=")[:12]) || !strings.Contains(got, redactedMark) {
				t.Errorf("%s: %s scrubbed to %s", name, in, got)
			}
		}
	}
	// A body cut inside the password, written raw, JSON-escaped or
	// percent-encoded (seventh outside review of this session: only the
	// raw start was found), keeps none of it and stays within the limit.
	for name, tail := range map[string]string{
		"raw":         pw,
		"Gson":        gson(pw),
		"all escaped": `\u0073\u0033\u0063\u0072\u0065\u0074\u0027p\u00e4\u002b`,
		"percent":     "%73%33%63%72%65%74%27p%C3%A4%2B",
	} {
		for k := 6; k < len(tail); k++ {
			body := append(bytes.Repeat([]byte("x"), maxErrorBody-k), tail[:k]...)
			got := sc.body(body)
			if bytes.Contains(got, []byte("s3cr")) || bytes.Contains(got, []byte(`\u0073\u0033\u0063`)) ||
				bytes.Contains(got, []byte("%73%33%63")) || len(got) > maxErrorBody {
				t.Errorf("%s, cut after %d bytes: the body (%d bytes) ends %q", name, k, len(got), got[len(got)-30:])
			}
		}
	}
	for _, keep := range []string{`{"statusCode":0,"referenceId":57}`, `{"m":"PENDING_ACCEPTED \u0026 more"}`} {
		if got := sc.str(keep); got != keep {
			t.Errorf("%s scrubbed to %s; want it unchanged", keep, got)
		}
	}
}
