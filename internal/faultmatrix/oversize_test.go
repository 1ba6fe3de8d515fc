package faultmatrix

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/omnisdk/omni/cometd"
)

// TestCometDOversizedReply: a CometD server answers every request with a
// 64 MiB body. The client reads at most its cap (1 MiB by default), treats
// the reply as a network failure and backs off; the caller, who gives up
// during the backoff, gets an error wrapping ErrMessageTooLarge. (The
// backoff is long so that giving up cannot cut a second attempt short,
// which would make that attempt's error the last failure instead.)
func TestCometDOversizedReply(t *testing.T) {
	const huge = 64 << 20
	var written, requests atomic.Int64
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `[{"channel":"/meta/handshake","successful":true,"clientId":"x","ext":{"pad":"`)
		chunk := []byte(strings.Repeat("a", 64<<10))
		for sent := int64(0); sent < huge; {
			n, err := w.Write(chunk)
			sent += int64(n)
			written.Add(int64(n))
			if err != nil {
				return
			}
		}
	}))
	defer hs.Close()
	c, err := cometd.NewClient(hs.URL, cometd.WithTransports(cometd.LongPolling),
		cometd.WithBackoff(time.Minute, time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c.OnState(func(ev cometd.StateChange) {
		if ev.Err != nil {
			cancel() // the attempt has failed: give up during the backoff
		}
	})
	err = c.Handshake(ctx)
	if !errors.Is(err, cometd.ErrMessageTooLarge) {
		t.Fatalf("got %v, want an error wrapping ErrMessageTooLarge", err)
	}
	c.Close()
	hs.CloseClientConnections()
	n := requests.Load()
	if w := written.Load(); w >= n*huge {
		t.Fatalf("the client read %d MiB over %d requests: nothing was capped", w>>20, n)
	}
	record(t, Row{Area: "cometd", Fault: "oversized reply (64 MiB body to every request)",
		SDK: fmt.Sprintf("reads at most 1 MiB per reply, treats it as a network failure and backs off (%s; the server wrote %d MiB in all, not %d)",
			plural(int(n), "request"), written.Load()>>20, n*huge>>20),
		Caller: "Handshake error wrapping cometd.ErrMessageTooLarge"})
}
