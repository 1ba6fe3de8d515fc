package omni

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"unicode/utf8"
)

// ruleUTF8 is the rule a string that is not valid UTF-8 breaks. encoding/json
// would send it with each invalid byte replaced by U+FFFD: a message other
// than the one asked for.
const ruleUTF8 = "must be valid UTF-8"

var rawMessageType = reflect.TypeFor[json.RawMessage]()

// checkUTF8 adds ruleUTF8 for every string in x (a request body: structs
// by their JSON names, maps by their keys, slices by index) that is not
// valid UTF-8, naming it by its path from prefix.
func checkUTF8(v *ValidationError, prefix string, x any) {
	walkUTF8(v, prefix, reflect.ValueOf(x))
}

func walkUTF8(v *ValidationError, path string, rv reflect.Value) {
	switch rv.Kind() {
	case reflect.String:
		if !utf8.ValidString(rv.String()) {
			v.add(path, ruleUTF8)
		}
	case reflect.Pointer, reflect.Interface:
		if !rv.IsNil() {
			walkUTF8(v, path, rv.Elem())
		}
	case reflect.Struct:
		t := rv.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" {
				continue
			}
			if name == "" {
				name = f.Name
			}
			walkUTF8(v, join(path, name), rv.Field(i))
		}
	case reflect.Map:
		if rv.Type().Key().Kind() != reflect.String {
			return
		}
		keys := make([]string, 0, rv.Len())
		for _, k := range rv.MapKeys() {
			keys = append(keys, k.String())
		}
		sort.Strings(keys)
		for _, k := range keys {
			if !utf8.ValidString(k) {
				v.add(path, "keys "+ruleUTF8)
				continue
			}
			walkUTF8(v, join(path, k), rv.MapIndex(reflect.ValueOf(k).Convert(rv.Type().Key())))
		}
	case reflect.Slice, reflect.Array:
		if rv.Type() == rawMessageType {
			if !utf8.Valid(rv.Bytes()) {
				v.add(path, ruleUTF8) // sent as it is
			}
			return
		}
		if rv.Type().Elem().Kind() == reflect.Uint8 {
			return // bytes: encoded as base64
		}
		for i := range rv.Len() {
			walkUTF8(v, fmt.Sprintf("%s[%d]", path, i), rv.Index(i))
		}
	}
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// exactText reports whether every string of the valid JSON data decodes
// as it is written: valid UTF-8 bytes and no \u escape of a lone surrogate
// (encoding/json puts U+FFFD in place of either).
func exactText(data []byte) bool { return utf8.Valid(data) && !loneSurrogate(data) }

// ruleSurrogate is the rule of raw JSON that escapes half of a UTF-16
// surrogate pair alone ("\ud800"): valid JSON syntax, but it stands for a
// string that is not valid UTF-8, which a decoder replaces by U+FFFD.
const ruleSurrogate = `must not escape a lone UTF-16 surrogate (such as "\ud800")`

// loneSurrogate reports whether the valid JSON t has a \u escape of a
// surrogate that is not half of a pair. In valid JSON a backslash only
// starts an escape inside a string.
func loneSurrogate(t []byte) bool {
	high := false // the escape just before was a high surrogate
	for i := 0; i < len(t); i++ {
		if t[i] != '\\' {
			if high {
				return true
			}
			continue
		}
		i++ // the escape's letter; valid JSON has one
		if t[i] != 'u' {
			if high {
				return true
			}
			continue
		}
		r := hex4(t[i+1 : i+5])
		i += 4
		switch {
		case r >= 0xD800 && r <= 0xDBFF:
			if high {
				return true
			}
			high = true
		case r >= 0xDC00 && r <= 0xDFFF:
			if !high {
				return true
			}
			high = false
		default:
			if high {
				return true
			}
		}
	}
	return high
}

// hex4 is the value of four hex digits (valid JSON's \u escape).
func hex4(h []byte) rune {
	var r rune
	for _, c := range h {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c - 'a' + 10)
		default:
			r |= rune(c - 'A' + 10)
		}
	}
	return r
}
