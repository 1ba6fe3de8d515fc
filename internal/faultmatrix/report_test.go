package faultmatrix

import (
	"encoding/json"
	"os"
	"sync"
	"testing"
)

var reportMu sync.Mutex

// record checks the row's arithmetic, logs it and, with OMNI_FAULT_REPORT
// set, appends it to that file as one JSON line.
func record(t *testing.T, r Row) {
	t.Helper()
	r.Test = t.Name()
	if r.Lost < 0 || r.Duplicated < 0 {
		t.Fatalf("row %q: negative counts: %+v", r.Fault, r)
	}
	t.Logf("row: %s | %s | %s | sent %d received %d lost %d duplicated %d",
		r.Fault, r.SDK, r.Caller, r.Sent, r.Received, r.Lost, r.Duplicated)
	path := os.Getenv("OMNI_FAULT_REPORT")
	if path == "" {
		return
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	reportMu.Lock()
	defer reportMu.Unlock()
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatalf("OMNI_FAULT_REPORT: %v", err)
	}
	defer f.Close()
	if _, err := f.Write(append(b, '\n')); err != nil {
		t.Fatalf("OMNI_FAULT_REPORT: %v", err)
	}
}
