package faultmatrix

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package when any test leaves a goroutine behind: every
// fault must leave the SDK with nothing running once it is closed.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
