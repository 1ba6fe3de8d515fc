package omni_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/omnisdk/omni"
)

const benchResponse = `{"to":"user","messageCount":1,"messageId":"ff4804ef-6ab6-4abd-984d-ab3b1387e852",` +
	`"status":{"groupId":1,"groupName":"PENDING","id":7,"name":"PENDING_ENROUTE","description":"Message sent to next instance"}}`

func benchServer(b *testing.B) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, benchResponse)
	}))
	b.Cleanup(srv.Close)
	return srv
}

// BenchmarkMessengerSendSingle is one TEXT send through the whole SDK
// pipeline: validate, encode, retrying client, check, decode.
func BenchmarkMessengerSendSingle(b *testing.B) {
	send := sdkSender(b, benchServer(b).URL)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		send()
	}
}

// BenchmarkBareNetHTTP is the same request done by hand with net/http and
// encoding/json: the baseline the SDK's overhead is measured against.
func BenchmarkBareNetHTTP(b *testing.B) {
	send := bareSender(b, benchServer(b).URL, &http.Client{})
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		send()
	}
}

// restPairChunk is how many sends of one kind BenchmarkRESTPair makes
// before switching to the other: short enough (a few ms) that a change of
// the machine's load hits both kinds alike.
const restPairChunk = 64

// BenchmarkRESTPair makes SDK sends and bare net/http sends in alternating
// chunks of restPairChunk against one server, so that the two are measured
// under the same conditions, and reports each kind's ns per send
// (sdk-ns/send, bare-ns/send) and their ratio (sdk/bare). One op is one
// send of each kind; its B/op and allocs/op are the two kinds' together.
func BenchmarkRESTPair(b *testing.B) {
	srv := benchServer(b)
	sends := [2]func(){sdkSender(b, srv.URL), bareSender(b, srv.URL, &http.Client{})}
	var spent [2]time.Duration
	b.ReportAllocs()
	b.ResetTimer()
	for done, round := 0, 0; done < b.N; round++ {
		n := min(restPairChunk, b.N-done)
		// Which kind goes first alternates too, so that neither is always
		// the one that follows the other's chunk.
		for j := range 2 {
			k := (j + round) % 2
			t0 := time.Now()
			for range n {
				sends[k]()
			}
			spent[k] += time.Since(t0)
		}
		done += n
	}
	sdk := float64(spent[0].Nanoseconds()) / float64(b.N)
	bare := float64(spent[1].Nanoseconds()) / float64(b.N)
	b.ReportMetric(sdk, "sdk-ns/send")
	b.ReportMetric(bare, "bare-ns/send")
	b.ReportMetric(sdk/bare, "sdk/bare")
}

// BenchmarkMessengerSendSingleNoNetwork is BenchmarkMessengerSendSingle
// with the network taken out: the SDK's client is given (WithHTTPClient) an
// *http.Client whose RoundTripper answers at once from memory, so ns/op is
// the CPU of the pipeline and of net/http's client side alone, without the
// loopback's noise.
func BenchmarkMessengerSendSingleNoNetwork(b *testing.B) {
	send := sdkSender(b, "http://infobip.test", omni.WithHTTPClient(&http.Client{Transport: cannedAnswer{}}))
	b.ReportAllocs()
	for b.Loop() {
		send()
	}
}

// BenchmarkBareNetHTTPNoNetwork is BenchmarkBareNetHTTP through the same
// in-memory RoundTripper: the baseline of BenchmarkMessengerSendSingleNoNetwork.
func BenchmarkBareNetHTTPNoNetwork(b *testing.B) {
	send := bareSender(b, "http://infobip.test", &http.Client{Transport: cannedAnswer{}})
	b.ReportAllocs()
	for b.Loop() {
		send()
	}
}

// cannedAnswer is a RoundTripper that reads the request's body and answers
// benchResponse, as benchServer does, without a network.
type cannedAnswer struct{}

func (cannedAnswer) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		io.Copy(io.Discard, r.Body)
		r.Body.Close()
	}
	return &http.Response{StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(benchResponse)), ContentLength: int64(len(benchResponse)), Request: r}, nil
}

// sdkSender returns one Messenger TEXT send through the SDK to the
// Messenger API at base.
func sdkSender(b *testing.B, base string, opts ...omni.Option) func() {
	c, err := omni.NewClient("", append([]omni.Option{omni.WithMessenger(base, omni.AppKey("key"))}, opts...)...)
	if err != nil {
		b.Fatal(err)
	}
	msg := omni.SingleMessage{From: "8F0792F86035A9F4290821F1EE6BC06A", To: "9c29bd43-054b-4cfe-a1d4-0b37812b4ed3",
		Message: omni.TextMessage("Hello, World!")}
	ctx := context.Background()
	return func() {
		if _, err := c.Messenger.SendSingle(ctx, msg); err != nil {
			b.Fatal(err)
		}
	}
}

// bareSender returns the same request as sdkSender's, done by hand with
// net/http and encoding/json through hc.
func bareSender(b *testing.B, base string, hc *http.Client) func() {
	type text struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
	type req struct {
		From    string `json:"from"`
		To      string `json:"to"`
		Message text   `json:"message"`
	}
	type status struct {
		GroupID     int    `json:"groupId"`
		GroupName   string `json:"groupName"`
		ID          int    `json:"id"`
		Name        string `json:"name"`
		Description string `json:"description"`
	}
	type resp struct {
		To           string `json:"to"`
		MessageCount int    `json:"messageCount"`
		MessageID    string `json:"messageId"`
		Status       status `json:"status"`
	}
	body := req{From: "8F0792F86035A9F4290821F1EE6BC06A", To: "9c29bd43-054b-4cfe-a1d4-0b37812b4ed3",
		Message: text{Type: "TEXT", Text: "Hello, World!"}}
	url := base + "/facebook/1/single"
	ctx := context.Background()
	return func() {
		data, err := json.Marshal(body)
		if err != nil {
			b.Fatal(err)
		}
		r, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("Accept", "application/json")
		r.Header.Set("Authorization", "App key")
		res, err := hc.Do(r)
		if err != nil {
			b.Fatal(err)
		}
		raw, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil || res.StatusCode != 200 {
			b.Fatal(err, res.StatusCode)
		}
		var out resp
		if err := json.Unmarshal(raw, &out); err != nil {
			b.Fatal(err)
		}
	}
}
