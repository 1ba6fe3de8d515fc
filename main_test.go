package omni_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's run if any test leaves a goroutine behind:
// clients, subscriptions, waits and simulators must all stop when closed.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
