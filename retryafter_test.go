package omni_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/omnisdk/omni"
)

// TestRetryAfterTooLargeIsBeyondTheCap: delay seconds that do not fit an
// int are not "absent" (which would retry at once): they are beyond
// MaxRetryAfter, so the answer goes to the caller with RetryAfter at
// MaxRetryAfterValue, after one request.
func TestRetryAfterTooLargeIsBeyondTheCap(t *testing.T) {
	for _, v := range []string{"99999999999999999999", "18446744073709551616", "9223372037"} {
		fs := newFakeServer(t, withRetryAfter(v, reply(503, `{}`)))
		_, err := newGWS(t, fs).ServerVersion(context.Background())
		var ae *omni.APIError
		if !errors.As(err, &ae) || ae.RetryAfter != omni.MaxRetryAfterValue {
			t.Errorf("Retry-After %s: err = %v, want an *APIError with RetryAfter = MaxRetryAfterValue", v, err)
		}
		if n := len(fs.requests()); n != 1 {
			t.Errorf("Retry-After %s: %d requests, want 1", v, n)
		}
	}
}

// TestMalformedRetryAfterIsAbsent: RFC 9110 delay seconds are digits only;
// "+5", "-1", "0x10", "1e3" and " 5x" are malformed and count as absent: a
// 503 without Retry-After (retried only when idempotent, after the
// backoff), and no RetryAfter on the *APIError.
func TestMalformedRetryAfterIsAbsent(t *testing.T) {
	for _, v := range []string{"+5", "-1", "0x10", "1e3", "5x", "5.0"} {
		fs := newFakeServer(t, withRetryAfter(v, reply(503, `{}`)))
		_, err := newGWS(t, fs).Facebook.Send(context.Background(), "X", seedFacebook)
		var ae *omni.APIError
		if !errors.As(err, &ae) || ae.RetryAfter != 0 {
			t.Errorf("Retry-After %q: err = %v, want an *APIError without RetryAfter", v, err)
		}
		if n := len(fs.requests()); n != 1 {
			t.Errorf("Retry-After %q: a send was made %d times, want 1 (503 without Retry-After)", v, n)
		}
	}
	// A well-formed value is still honoured.
	fs := newFakeServer(t, withRetryAfter("7", reply(429, `{}`)))
	_, err := newGWS(t, fs, omni.WithRetry(omni.RetryPolicy{MaxAttempts: 1})).ServerVersion(context.Background())
	var ae *omni.APIError
	if !errors.As(err, &ae) || ae.RetryAfter != 7*time.Second {
		t.Errorf("Retry-After 7: err = %v", err)
	}
}
