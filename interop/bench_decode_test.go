package interop

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
)

// benchData is what a benchmark handler takes from a message's data: the
// publisher's sequence number and its publish time (epoch microseconds).
type benchData struct {
	Seq int     `json:"seq"`
	TS  float64 `json:"ts"`
}

// benchDecode takes the benchData out of a message's data.
type benchDecode func(data []byte) (benchData, error)

// decodeJSON decodes data with encoding/json, as a user's handler would.
func decodeJSON(data []byte) (benchData, error) {
	var d benchData
	err := json.Unmarshal(data, &d)
	return d, err
}

// decodeScan finds the two numbers with a byte scan: the publisher writes
// them as "seq":N and "ts":N, each once. It is the handler of the
// client-ceiling rows, doing as little as the JS handler, which reads two
// fields of an object the JS client has already parsed.
func decodeScan(data []byte) (benchData, error) {
	seq, err := scanNumber(data, `"seq":`)
	if err != nil {
		return benchData{}, err
	}
	ts, err := scanNumber(data, `"ts":`)
	if err != nil {
		return benchData{}, err
	}
	n, err := strconv.Atoi(string(seq))
	if err != nil {
		return benchData{}, err
	}
	f, err := strconv.ParseFloat(string(ts), 64)
	return benchData{Seq: n, TS: f}, err
}

// scanNumber returns the number after key in data.
func scanNumber(data []byte, key string) ([]byte, error) {
	i := bytes.Index(data, []byte(key))
	if i < 0 {
		return nil, errors.New("no " + key)
	}
	rest := bytes.TrimLeft(data[i+len(key):], " ")
	j := 0
	for j < len(rest) && (rest[j] >= '0' && rest[j] <= '9' || rest[j] == '.' || rest[j] == '-' ||
		rest[j] == 'e' || rest[j] == 'E' || rest[j] == '+') {
		j++
	}
	if j == 0 {
		return nil, errors.New("no number after " + key)
	}
	return rest[:j], nil
}
