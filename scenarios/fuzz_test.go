package scenarios

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// quoted matches what a message quotes: "a string", 'a character'.
var quoted = regexp.MustCompile(`"(\\.|[^"\\])*"|'(\\.|[^'\\])*'`)

// maxErrorLen bounds the rendering of any scenario error: a message line
// of a file name, a place, a key and a message, then a window of the
// source line and a caret line.
const maxErrorLen = maxFileName + maxQuoted + maxMessage + 3*(4*lineWindow+40)

// FuzzLoad feeds Load's parser arbitrary bytes, as a file would: each must
// give a valid scenario, which renders as TOML that reads back to itself,
// or an *Error whose rendering is short, printable and free of Go types.
// The seeds are the shipped scenarios and those in testdata/fuzz/FuzzLoad.
func FuzzLoad(f *testing.F) {
	files, err := filepath.Glob("*.toml")
	if err != nil {
		f.Fatal(err)
	}
	more, err := filepath.Glob("../testdata/*.toml")
	if err != nil {
		f.Fatal(err)
	}
	for _, path := range append(files, more...) {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sc, err := Parse("fuzz.toml", data)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error is %T, want *Error: %v", err, err)
			}
			text := err.Error()
			if len(text) > maxErrorLen {
				t.Fatalf("error is %d bytes, want at most %d: %.400q", len(text), maxErrorLen, text)
			}
			if r, ok := controlChar(text); ok {
				t.Fatalf("error holds control character %U: %q", r, text)
			}
			if strings.Count(text, "\n") > 2 {
				t.Fatalf("error has more than 3 lines: %q", text)
			}
			// The message, less what it quotes of the file, is the
			// package's or go-toml's words: none may be Go's.
			if m := goType.FindString(quoted.ReplaceAllString(e.Msg, `""`)); m != "" {
				t.Fatalf("error names a Go type (%q): %q", m, text)
			}
			return
		}
		text := sc.TOML()
		back, err := Parse("rendered", text)
		if err != nil {
			t.Fatalf("a valid scenario renders as TOML that does not parse: %v\n%s", err, text)
		}
		back.Name = sc.Name
		if !reflect.DeepEqual(back, sc) {
			t.Fatalf("Parse(TOML()) =\n%+v\nwant\n%+v\nTOML():\n%s", *back, *sc, text)
		}
	})
}
