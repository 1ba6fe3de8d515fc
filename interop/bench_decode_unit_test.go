package interop

import "testing"

// TestBenchDecodersAgree: the ceiling rows' byte-scan handler takes the
// same seq and ts from the publishers' data as encoding/json does, and
// refuses data without them.
func TestBenchDecodersAgree(t *testing.T) {
	for _, data := range []string{
		`{"seq":0,"ts":1764633600123456}`,
		`{"ts":1764633600123456.5,"seq":9999}`,
		`{"phase":"x","seq": 42,"ts": 1.7646336001234565e+15}`,
	} {
		j, err := decodeJSON([]byte(data))
		if err != nil {
			t.Fatal(err)
		}
		s, err := decodeScan([]byte(data))
		if err != nil || s != j {
			t.Errorf("%s: scan = %+v, %v; encoding/json = %+v", data, s, err, j)
		}
	}
	for _, data := range []string{`{}`, `{"seq":1}`, `{"ts":1}`, `{"seq":"a","ts":1}`} {
		if d, err := decodeScan([]byte(data)); err == nil {
			t.Errorf("%s: scan = %+v, want an error", data, d)
		}
	}
}
