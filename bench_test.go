package omni_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

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
	srv := benchServer(b)
	c, err := omni.NewClient("", omni.WithMessenger(srv.URL, omni.AppKey("key")))
	if err != nil {
		b.Fatal(err)
	}
	msg := omni.SingleMessage{From: "8F0792F86035A9F4290821F1EE6BC06A", To: "9c29bd43-054b-4cfe-a1d4-0b37812b4ed3",
		Message: omni.TextMessage("Hello, World!")}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := c.Messenger.SendSingle(ctx, msg); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBareNetHTTP is the same request done by hand with net/http and
// encoding/json: the baseline the SDK's overhead is measured against.
func BenchmarkBareNetHTTP(b *testing.B) {
	srv := benchServer(b)
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
	hc := &http.Client{}
	body := req{From: "8F0792F86035A9F4290821F1EE6BC06A", To: "9c29bd43-054b-4cfe-a1d4-0b37812b4ed3",
		Message: text{Type: "TEXT", Text: "Hello, World!"}}
	url := srv.URL + "/facebook/1/single"
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
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
