package interop

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"
	"time"
)

// TestPeersWithJSClient checks the peers themselves with the official
// JavaScript client: every peer and transport delivers 1,000 server-side
// publishes in order, and unsubscribe and disconnect succeed.
func TestPeersWithJSClient(t *testing.T) {
	for _, spec := range Peers {
		for _, tr := range spec.Transports {
			t.Run(spec.Name+"/"+tr, func(t *testing.T) {
				t.Parallel()
				p := StartPeer(t, spec.Name)
				c := StartJSClient(t, JSClientOptions{URL: p.URL(), Channel: "/interop/js", Count: 1000,
					Transport: tr, Unsubscribe: true, Disconnect: true})
				if got := c.WaitEvent("handshake", 30*time.Second); got.Transport != tr {
					t.Fatalf("js-client transport = %q, want %q", got.Transport, tr)
				}
				c.WaitEvent("subscribed", 30*time.Second)
				p.Publish("/interop/js", 1000, map[string]any{"from": "peer"})
				done := c.WaitEvent("done", 60*time.Second)
				if done.Received != 1000 || !done.InOrder || done.Duplicates != 0 || done.Missing != 0 {
					t.Fatalf("js-client done = %+v, want 1000 in order, no duplicates or gaps", done)
				}
				if e := c.WaitEvent("unsubscribed", 30*time.Second); e.Successful == nil || !*e.Successful {
					t.Fatalf("unsubscribe not successful: %+v", e)
				}
				if e := c.WaitEvent("disconnected", 30*time.Second); e.Successful == nil || !*e.Successful {
					t.Fatalf("disconnect not successful: %+v", e)
				}
				c.Wait(30 * time.Second)
				t.Logf("interop: js-client on %s/%s: received %d in order", spec.Name, tr, done.Received)
			})
		}
	}
}

// TestPeerRestartSamePort checks the harness: Restart brings a fresh server
// process up on the same port.
func TestPeerRestartSamePort(t *testing.T) {
	for _, spec := range Peers {
		t.Run(spec.Name, func(t *testing.T) {
			t.Parallel()
			p := StartPeer(t, spec.Name)
			port := p.Port()
			p.Publish("/nobody", 1, nil)
			p.Restart()
			if p.Port() != port {
				t.Fatalf("restarted on port %d, want %d", p.Port(), port)
			}
			if s := p.Stats(); s != (Stats{}) {
				t.Fatalf("stats after restart = %+v, want a fresh process", s)
			}
		})
	}
}

// TestPeerFaultInjection checks the peers' fault injection with raw Bayeux
// long-polling requests, independently of any client library.
func TestPeerFaultInjection(t *testing.T) {
	for _, spec := range Peers {
		t.Run(spec.Name, func(t *testing.T) {
			t.Parallel()
			p := StartPeer(t, spec.Name)
			jar, _ := cookiejar.New(nil)
			hc := &http.Client{Jar: jar, Transport: &http.Transport{DisableKeepAlives: true}}
			post := func(body string) (int, string, error) {
				resp, err := hc.Post(p.URL(), "application/json", strings.NewReader(body))
				if err != nil {
					return 0, "", err
				}
				defer resp.Body.Close()
				b, err := io.ReadAll(resp.Body)
				return resp.StatusCode, string(b), err
			}
			_, hs, err := post(`[{"id":"1","channel":"/meta/handshake","version":"1.0","supportedConnectionTypes":["long-polling"]}]`)
			if err != nil {
				t.Fatal(err)
			}
			var replies []struct {
				ClientID   string `json:"clientId"`
				Successful bool   `json:"successful"`
			}
			if err := json.Unmarshal([]byte(hs), &replies); err != nil || len(replies) == 0 || !replies[0].Successful {
				t.Fatalf("handshake reply %s (%v)", hs, err)
			}
			connect := `[{"id":"2","channel":"/meta/connect","connectionType":"long-polling","clientId":"` + replies[0].ClientID + `","advice":{"timeout":0}}]`

			p.FailConnects(1, http.StatusInternalServerError)
			if code, body, err := post(connect); err != nil || code != http.StatusInternalServerError {
				t.Fatalf("failed connect = %d %q %v, want 500", code, body, err)
			}
			p.HangConnects(1, 200*time.Millisecond)
			if code, body, err := post(connect); err == nil {
				t.Fatalf("hung connect answered %d %q, want the connection dropped", code, body)
			}
			if code, body, err := post(connect); err != nil || code != http.StatusOK || !strings.Contains(body, `"successful":true`) {
				t.Fatalf("connect after the faults = %d %q %v, want a successful reply", code, body, err)
			}
			s := p.Stats()
			if s.Handshakes != 1 || s.FailedConnects != 1 || s.HungConnects != 1 || s.Connects != 3 {
				t.Fatalf("stats = %+v, want 1 handshake, 3 connects (1 failed, 1 hung)", s)
			}
		})
	}
}
