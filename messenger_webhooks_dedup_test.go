package omni_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/omnisdk/omni"
)

// pushHandlers builds each de-duplicating handler around one function that
// sees the message id: the same behaviour is asserted for both.
var pushHandlers = []struct {
	name string
	new  func(fn func(ctx context.Context, id string) error) http.Handler
	push func(id string) string
}{
	{"inbound", func(fn func(context.Context, string) error) http.Handler {
		return omni.InboundHandler(func(ctx context.Context, m omni.InboundMessage) error { return fn(ctx, m.MessageID) })
	}, func(id string) string {
		return `{"results":[{"sender":"U","to":"P","messageId":"` + id + `","message":{"type":"TEXT","text":"x"}}]}`
	}},
	{"seen", func(fn func(context.Context, string) error) http.Handler {
		return omni.SeenReportHandler(func(ctx context.Context, r omni.SeenReport) error { return fn(ctx, r.MessageID) })
	}, func(id string) string {
		return `{"results":[{"messageId":"` + id + `","from":"U","to":"P"}]}`
	}},
}

// signalReader closes eof once the handler has read the whole body.
type signalReader struct {
	r    io.Reader
	eof  chan struct{}
	once sync.Once
}

func (s *signalReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if err == io.EOF {
		s.once.Do(func() { close(s.eof) })
	}
	return n, err
}

// A redelivery arriving while the first delivery's fn still runs (Infobip
// stopped waiting for the first answer) is not acknowledged before the
// outcome is known: when its own request ends first, it is answered 503,
// never 200; the first delivery then fails and the message is handled by
// the next delivery. Before the fix, the redelivery was answered 200 at
// once and the message was lost.
func TestPushHandlerDuplicateInFlightIsNotAcknowledged(t *testing.T) {
	for _, ph := range pushHandlers {
		t.Run(ph.name, func(t *testing.T) {
			started, release := make(chan struct{}), make(chan struct{})
			var mu sync.Mutex
			calls, succeeded := 0, 0
			h := ph.new(func(_ context.Context, id string) error {
				mu.Lock()
				calls++
				first := calls == 1
				mu.Unlock()
				if first {
					close(started)
					<-release // a slow database, deaf to ctx
					return errors.New("database down")
				}
				mu.Lock()
				succeeded++
				mu.Unlock()
				return nil
			})
			first := make(chan int)
			go func() { first <- postPush(t, h, ph.push("mid-42")).Code }()
			<-started

			ctx, cancel := context.WithCancel(context.Background())
			cancel() // the pusher has already given up on the redelivery too
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/", strings.NewReader(ph.push("mid-42"))).WithContext(ctx))
			if rec.Code != http.StatusServiceUnavailable || strings.Contains(rec.Body.String(), "mid-42") {
				t.Errorf("redelivery while the first is in flight: %d %q, want 503", rec.Code, rec.Body)
			}
			close(release)
			if code := <-first; code != http.StatusInternalServerError {
				t.Errorf("first delivery: %d, want 500", code)
			}
			if code := postPush(t, h, ph.push("mid-42")).Code; code != http.StatusOK {
				t.Errorf("next delivery: %d, want 200", code)
			}
			if calls != 2 || succeeded != 1 {
				t.Errorf("fn called %d times, succeeded %d; want 2 and 1", calls, succeeded)
			}
		})
	}
}

// A redelivery that arrives while the first delivery's fn runs waits for
// its outcome and answers with it: 200 without calling fn when the first
// succeeded; when the first failed, it passes the message to fn itself and
// answers 200 only once fn succeeded.
func TestPushHandlerDuplicateWaitsForFirstOutcome(t *testing.T) {
	for _, ph := range pushHandlers {
		for _, firstFails := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/first fails %v", ph.name, firstFails), func(t *testing.T) {
				started, release := make(chan struct{}), make(chan struct{})
				var mu sync.Mutex
				calls, succeeded := 0, 0
				h := ph.new(func(_ context.Context, id string) error {
					mu.Lock()
					calls++
					first := calls == 1
					mu.Unlock()
					if first {
						close(started)
						<-release
						if firstFails {
							return errors.New("database down")
						}
					}
					mu.Lock()
					succeeded++
					mu.Unlock()
					return nil
				})
				first := make(chan int)
				go func() { first <- postPush(t, h, ph.push("mid-7")).Code }()
				<-started
				body := &signalReader{r: strings.NewReader(ph.push("mid-7")), eof: make(chan struct{})}
				second := make(chan int)
				go func() {
					rec := httptest.NewRecorder()
					h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/", body))
					second <- rec.Code
				}()
				<-body.eof // the redelivery is being handled
				close(release)
				c1, c2 := <-first, <-second
				wantFirst, wantCalls := http.StatusOK, 1
				if firstFails {
					wantFirst, wantCalls = http.StatusInternalServerError, 2
				}
				if c1 != wantFirst || c2 != http.StatusOK {
					t.Errorf("answers: first %d, redelivery %d; want %d and 200", c1, c2, wantFirst)
				}
				if calls != wantCalls || succeeded != 1 {
					t.Errorf("fn called %d times, succeeded %d; want %d and 1", calls, succeeded, wantCalls)
				}
			})
		}
	}
}

// The de-dup window keeps a fixed-size digest per id, not the id: 64
// pushes with 1 MiB messageIds leave far less than 64 MiB behind. Before
// the fix every id was kept whole.
func TestPushHandlerDedupKeepsDigestsNotIDs(t *testing.T) {
	h := omni.InboundHandler(func(context.Context, omni.InboundMessage) error { return nil })
	big := strings.Repeat("x", 1<<20)
	before := heapInUse()
	for i := range 64 {
		if rec := postPush(t, h, `{"results":[{"messageId":"`+fmt.Sprint(i)+big+`","message":{"type":"TEXT","text":"t"}}]}`); rec.Code != http.StatusOK {
			t.Fatalf("push %d: %d", i, rec.Code)
		}
	}
	after := heapInUse()
	runtime.KeepAlive(h)
	if after > before && after-before > 16<<20 {
		t.Errorf("the handler retains %d MiB after 64 pushes of 1 MiB ids", (after-before)>>20)
	}
	// The ids are still recognised.
	n := 0
	h2 := omni.InboundHandler(func(context.Context, omni.InboundMessage) error { n++; return nil })
	for range 2 {
		postPush(t, h2, `{"results":[{"messageId":"0`+big+`","message":{"type":"TEXT","text":"t"}}]}`)
	}
	if n != 1 {
		t.Errorf("a long id delivered twice reached fn %d times", n)
	}
}

func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
