package scenarios

import (
	"encoding"
	"errors"
	"reflect"
	"strconv"
	"strings"

	"github.com/pelletier/go-toml/v2/unstable"
)

// mismatchAt says what is wrong when go-toml could not store a value of
// the document in the scenario: "want an integer, have a TOML string". It
// walks the document as the decoder does, in order, beside the fields of
// Scenario, and names the first value (or table) of a kind its field
// cannot hold, if that is where the decoder stopped, at line:col. It
// returns "" if it finds none there: the decoder stopped for another
// reason, and its own message stands.
//
// The decoder's message says the same in Go's words, but it is text: its
// wording is no part of go-toml's API, and a new version may change it.
// What the decoder does store in what is.
func mismatchAt(data []byte, line, col int) string {
	w := mismatchWalk{lines: newLineIndex(data), at: position{line, col}}
	var p unstable.Parser
	p.Reset(data)
	table := scenarioType
	for p.NextExpression() {
		e := p.Expression()
		switch e.Kind {
		case unstable.Table, unstable.ArrayTable:
			t, ok := fieldAt(scenarioType, e)
			if !ok {
				// An unknown table: the strict decoder skips it,
				// and reports it at the end.
				table = nil
				continue
			}
			have := "a table"
			if e.Kind == unstable.ArrayTable {
				have = "an array of tables"
				if t.Kind() == reflect.Slice {
					t = t.Elem()
				}
			}
			if t.Kind() != reflect.Struct {
				if keyPosition(w.lines, e) == w.at {
					return "want " + goTypeWords(t.String()) + ", have " + have
				}
				return ""
			}
			table = t
		case unstable.KeyValue:
			if table == nil {
				continue
			}
			if msg, done := w.keyValue(table, e); done {
				return msg
			}
		}
	}
	return ""
}

// scenarioType is what the document is decoded into.
var scenarioType = reflect.TypeFor[Scenario]()

// mismatchWalk finds the first value of a kind its field cannot hold.
type mismatchWalk struct {
	lines *lineIndex
	at    position // where the decoder stopped
}

// keyValue checks kv in a table of type table. done: the walk is over,
// with msg the mismatch, or "" if the decoder stopped elsewhere.
func (w *mismatchWalk) keyValue(table reflect.Type, kv *unstable.Node) (msg string, done bool) {
	t, ok := fieldAt(table, kv)
	if !ok {
		return "", false // an unknown key: the strict decoder's error, at the end
	}
	return w.value(kv.Value(), t, valuePosition(w.lines, kv), true)
}

// value checks v, to be stored in a t. pos is where v starts; exact says
// whether it is v's own (go-toml keeps no place for an array or an inline
// table inside another, so theirs is that of the value holding them).
func (w *mismatchWalk) value(v *unstable.Node, t reflect.Type, pos position, exact bool) (msg string, done bool) {
	if v.Raw.Length > 0 {
		pos, exact = w.lines.at(int(v.Raw.Offset)), true
	}
	if outOfRange(v) {
		// The decoder reads a number before it looks where it goes,
		// and stops at one too large.
		return "", true
	}
	if !holds(t, v.Kind) {
		if (exact && pos != w.at) || (!exact && w.at != unplaced) {
			// The decoder stopped at another value, or for another
			// reason.
			return "", true
		}
		return "want " + goTypeWords(t.String()) + ", have a TOML " + tomlKind(v.Kind), true
	}
	switch v.Kind {
	case unstable.Array:
		for it := v.Children(); it.Next(); {
			if msg, done := w.value(it.Node(), t.Elem(), pos, false); done {
				return msg, true
			}
		}
	case unstable.InlineTable:
		for it := v.Children(); it.Next(); {
			if kv := it.Node(); kv.Kind == unstable.KeyValue {
				if msg, done := w.keyValue(t, kv); done {
					return msg, true
				}
			}
		}
	}
	return "", false
}

// outOfRange reports whether v is a number too large for 64 bits.
func outOfRange(v *unstable.Node) bool {
	var err error
	switch s := strings.ReplaceAll(string(v.Data), "_", ""); v.Kind {
	case unstable.Integer:
		_, err = strconv.ParseInt(s, 0, 64)
	case unstable.Float:
		_, err = strconv.ParseFloat(s, 64)
	}
	return errors.Is(err, strconv.ErrRange)
}

// unplaced is where go-toml places an error it keeps no place for: the
// start of the document. A value of the wrong kind inside an array in an
// array is one.
var unplaced = position{1, 1}

var textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()

// holds reports whether go-toml stores a TOML value of kind k in a t
// (what is in it aside: an array's elements, an inline table's keys).
func holds(t reflect.Type, k unstable.Kind) bool {
	if k == unstable.String && reflect.PointerTo(t).Implements(textUnmarshaler) {
		return true
	}
	switch t.Kind() {
	case reflect.String:
		return k == unstable.String
	case reflect.Bool:
		return k == unstable.Bool
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return k == unstable.Integer
	case reflect.Float32, reflect.Float64:
		return k == unstable.Float || k == unstable.Integer
	case reflect.Slice, reflect.Array:
		return k == unstable.Array
	case reflect.Struct:
		return k == unstable.InlineTable
	}
	return true
}

// tomlKind names a kind of TOML value as the messages do.
func tomlKind(k unstable.Kind) string {
	switch k {
	case unstable.String:
		return "string"
	case unstable.Bool:
		return "boolean"
	case unstable.Integer:
		return "integer"
	case unstable.Float:
		return "float"
	case unstable.Array:
		return "array"
	case unstable.InlineTable:
		return "inline table"
	case unstable.DateTime:
		return "datetime"
	case unstable.LocalDate:
		return "local date"
	case unstable.LocalDateTime:
		return "local datetime"
	case unstable.LocalTime:
		return "local time"
	}
	return strings.ToLower(k.String())
}

// fieldAt follows the key of n (a table header or a key = value) from a
// t, through the fields' toml names and the elements of arrays of
// tables, to the type it names; ok is false if some part names no field.
func fieldAt(t reflect.Type, n *unstable.Node) (reflect.Type, bool) {
	for it := n.Key(); it.Next(); {
		if t.Kind() == reflect.Slice {
			t = t.Elem() // [[partition]] then [partition.x]: its last entry
		}
		if t.Kind() != reflect.Struct {
			return nil, false
		}
		name := string(it.Node().Data)
		found := false
		for i := range t.NumField() {
			if f := t.Field(i); f.Tag.Get("toml") == name {
				t, found = f.Type, true
				break
			}
		}
		if !found {
			return nil, false
		}
	}
	return t, true
}
