//go:build ignore

// Command fuzzcorpus writes the committed seed corpora under testdata/fuzz
// from the seed documents' JSON samples (testdata/*.json and
// testdata/notifications/*.json). Run it from the module root after the
// samples change:
//
//	go run scripts/fuzzcorpus.go
package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
)

func main() {
	requests := glob("testdata/messenger_*_request.json")
	responses := glob("testdata/*_response.json")
	notifications := glob("testdata/notifications/*.json")
	gwsRequests := append(glob("testdata/facebook_send_request.json"), glob("testdata/twitter_send_request.json")...)

	bytesCorpus(".", "FuzzValidateSingleMessage", requests)
	bytesCorpus(".", "FuzzCheckResponse", responses)
	bytesCorpus(".", "FuzzDecodeNotification", notifications)
	bytesCorpus(".", "FuzzDecodeDeliveryReports", glob("testdata/messenger_reports_response.json"))
	var messages [][]byte
	for _, r := range requests {
		var m struct {
			Message json.RawMessage `json:"message"`
		}
		if json.Unmarshal(r, &m) == nil && m.Message != nil {
			messages = append(messages, m.Message)
		}
	}
	bytesCorpus(".", "FuzzUnmarshalMessage", messages)

	// Bayeux envelopes carrying each notification, as GWS sends them.
	var envelopes [][]byte
	for _, n := range notifications {
		var compact bytes.Buffer
		if err := json.Compact(&compact, n); err != nil {
			fail(err)
		}
		envelopes = append(envelopes, []byte(`[{"channel":"/v2/me/facebook","data":`+compact.String()+`}]`))
	}
	bytesCorpus("cometd", "FuzzDecodeMessages", envelopes)
	bytesCorpus("internal/bayeuxsrv", "FuzzServeRequest", envelopes)

	// Timestamps found in the samples.
	re := regexp.MustCompile(`"(\d{4}-\d\d-\d\d[T ][0-9:.]+[-+Z][0-9]*)"`)
	seen := map[string]bool{}
	var stamps [][]string
	for _, n := range notifications {
		for _, m := range re.FindAllSubmatch(n, -1) {
			if s := string(m[1]); !seen[s] {
				seen[s] = true
				stamps = append(stamps, []string{s})
			}
		}
	}
	stringCorpus(".", "FuzzParseTimestamp", stamps)

	// Sends: id, queuePath, from, message from the GWS request samples.
	var sends [][]string
	for _, r := range gwsRequests {
		var req struct {
			QueuePath string `json:"queuePath"`
			Facebook  *struct{ From, Message string }
			Twitter   *struct{ From, Message string }
		}
		if err := json.Unmarshal(r, &req); err != nil {
			fail(err)
		}
		p := req.Facebook
		if p == nil {
			p = req.Twitter
		}
		if p != nil {
			sends = append(sends, []string{"01QQQG2MU214P06D", req.QueuePath, p.From, p.Message})
		}
	}
	stringCorpus(".", "FuzzSendValidation", sends)
}

func glob(pattern string) [][]byte {
	files, err := filepath.Glob(pattern)
	if err != nil {
		fail(err)
	}
	var out [][]byte
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			fail(err)
		}
		out = append(out, b)
	}
	return out
}

func bytesCorpus(dir, target string, inputs [][]byte) {
	var entries [][]string
	for _, in := range inputs {
		entries = append(entries, []string{"[]byte(" + strconv.Quote(string(in)) + ")"})
	}
	write(dir, target, entries)
}

func stringCorpus(dir, target string, inputs [][]string) {
	var entries [][]string
	for _, in := range inputs {
		var e []string
		for _, s := range in {
			e = append(e, "string("+strconv.Quote(s)+")")
		}
		entries = append(entries, e)
	}
	write(dir, target, entries)
}

// write stores each entry in Go's corpus file format, named by its hash.
func write(dir, target string, entries [][]string) {
	if len(entries) == 0 {
		fail(fmt.Errorf("%s: no samples", target))
	}
	out := filepath.Join(dir, "testdata", "fuzz", target)
	if err := os.MkdirAll(out, 0o755); err != nil {
		fail(err)
	}
	for _, e := range entries {
		var b bytes.Buffer
		b.WriteString("go test fuzz v1\n")
		for _, line := range e {
			b.WriteString(line + "\n")
		}
		name := fmt.Sprintf("seed-%x", sha256.Sum256(b.Bytes()))[:21]
		if err := os.WriteFile(filepath.Join(out, name), b.Bytes(), 0o644); err != nil {
			fail(err)
		}
	}
	fmt.Printf("%s: %d seeds\n", out, len(entries))
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "fuzzcorpus:", err)
	os.Exit(1)
}
