// Package faultmatrix holds the SDK's fault-matrix and soak tests: each test
// injects one fault (through the omnitest simulator, a TCP proxy or a small
// misbehaving server), drives the public API of omni and cometd, counts what
// was sent, received, lost and duplicated on both sides, and records the row.
//
// With OMNI_FAULT_REPORT=path the measured rows are appended to path as JSON
// lines; `go run ./internal/faultmatrix/cmd/report path` rewrites the table in
// RELIABILITY.md from them. The package has no non-test code besides this
// comment and the Row type the report command reads.
package faultmatrix

// Row is one measured line of the fault matrix.
type Row struct {
	// Area is "send" or "cometd".
	Area string `json:"area"`
	// Fault names the injected fault.
	Fault string `json:"fault"`
	// SDK says what the SDK did, with the measured request counts.
	SDK string `json:"sdk"`
	// Caller says what the caller saw (the error, or success).
	Caller string `json:"caller"`
	// Sent is how many messages the caller sent (sends) or the server
	// published (CometD).
	Sent int `json:"sent"`
	// Received is how many the other side got.
	Received int `json:"received"`
	// Lost is how many were neither received nor reported as failed to
	// the caller.
	Lost int `json:"lost"`
	// Duplicated is how many extra copies arrived.
	Duplicated int `json:"duplicated"`
	// Test is the name of the test that measured the row.
	Test string `json:"test"`
}
