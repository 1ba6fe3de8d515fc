package omni

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
)

// objectOrNull checks data before a resource's UnmarshalJSON decodes it:
// null is true (the resource is left unchanged, as encoding/json leaves a
// struct, Raw included), and a JSON value other than an object is an
// error naming the resource's type, as encoding/json gives for a struct.
// The lenient decodes would otherwise drop that error and return a zero
// resource with a nil error.
func objectOrNull(data []byte, typ reflect.Type) (null bool, err error) {
	for i, c := range data {
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		case '{':
			return false, nil
		case 'n':
			return string(bytes.TrimRight(data[i:], " \t\r\n")) == "null", nil
		}
		kind := "number"
		switch c {
		case '[':
			kind = "array"
		case '"':
			kind = "string"
		case 't', 'f':
			kind = "bool"
		}
		return false, &json.UnmarshalTypeError{Value: kind, Type: typ, Offset: int64(i)}
	}
	return false, nil // empty: json.Unmarshal reports it
}

// renamed gives err, from decoding into plain (a resource's twin without
// its UnmarshalJSON method), with the resource's own type and name where
// encoding/json named the twin: "Go struct field Facebook.state", not
// "plain.state".
func renamed(err error, plain, typ reflect.Type) error {
	var te *json.UnmarshalTypeError
	if !errors.As(err, &te) {
		return err
	}
	cp := *te
	if cp.Type == plain {
		cp.Type = typ
	}
	if cp.Struct == plain.Name() {
		cp.Struct = typ.Name()
	}
	return &cp
}
