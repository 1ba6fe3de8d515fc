package omnitest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"testing"
	"time"

	"github.com/omnisdk/omni"
)

// stripReferenceID removes referenceId from the answers to requests whose
// body contains marker: a reply such as the documented bare
// {"statusCode":0}, so the wait correlates by resource and state.
func stripReferenceID(marker string) Middleware {
	ref := regexp.MustCompile(`,?"referenceId":\d+`)
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodPost || r.Body == nil {
				next.ServeHTTP(w, r)
				return
			}
			b, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(b))
			if !bytes.Contains(b, []byte(marker)) {
				next.ServeHTTP(w, r)
				return
			}
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, r)
			for k, v := range rec.Header() {
				w.Header()[k] = v
			}
			w.Header().Del("Content-Length")
			w.WriteHeader(rec.Code)
			_, _ = w.Write(ref.ReplaceAll(rec.Body.Bytes(), nil))
		})
	}
}

// A wait correlated by resource and state skips the notification of
// another operation whose referenceId the client knows: here the failure of
// an earlier plain Send on the same resource, published while the wait is
// pending. Without the skip the wait ends with that other operation's
// *OperationError.
func TestAwaitByResourceSkipsKnownReferenceIDs(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr, func(t *testing.T) {
			clock := NewFakeClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
			srv := NewServer(t, WithTransports(tr), WithClock(clock), WithMiddleware(stripReferenceID("no-ref")))
			c := srv.NewClient(t)
			ctx, cancel := context.WithTimeout(context.Background(), guard)
			defer cancel()
			srv.Script(RouteFacebookSend, Failed("A failed").After(time.Minute))
			srv.Script(RouteFacebookSend, Sent().After(2*time.Minute))

			a, err := c.Facebook.Send(ctx, "01QQQG2MU214P06D", testPost)
			if err != nil {
				t.Fatal(err)
			}
			if a.ReferenceID == 0 {
				t.Fatal("A's reply carried no referenceId")
			}
			type result struct {
				n   omni.Notification
				err error
			}
			done := make(chan result, 1)
			sent := make(chan int64, 1)
			go func() {
				n, err := c.Await(ctx, omni.Expect{Channel: omni.ChannelFacebook, ResourceID: "01QQQG2MU214P06D", State: omni.StateSent},
					func(ctx context.Context) (omni.Accepted, error) {
						b := testPost
						b.Message = "no-ref"
						r, err := c.Facebook.Send(ctx, "01QQQG2MU214P06D", b)
						if r != nil {
							sent <- r.ReferenceID
						}
						return r, err
					})
				done <- result{n, err}
			}()
			var bref int64
			select {
			case bref = <-sent:
			case r := <-done:
				t.Fatalf("B ended before its send was answered: %v", r.err)
			}
			if bref != 0 {
				t.Fatalf("B's reply carried referenceId %d; the middleware should strip it", bref)
			}
			if err := clock.WaitPending(ctx, 2); err != nil {
				t.Fatal(err)
			}
			clock.Advance(time.Minute) // A's failure
			clock.Advance(time.Minute) // B's Sent
			r := <-done
			if r.err != nil {
				t.Fatalf("B got %v; want its own Sent (A's referenceId %d)", r.err, a.ReferenceID)
			}
			h := r.n.Header()
			if h.ReferenceID == a.ReferenceID || h.NotificationType == omni.NotificationError {
				t.Fatalf("B got A's notification (referenceId %d, %s)", h.ReferenceID, h.NotificationType)
			}
			var oe *omni.OperationError
			if errors.As(r.err, &oe) {
				t.Fatalf("B got an OperationError: %v", oe)
			}
		})
	}
}
