package main

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the run if a test leaves a goroutine behind (the
// simulator's pushes, the webhook server).
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
