package scenarios

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode"
)

// TestByteOrderMark: a UTF-8 byte order mark, which some editors write at
// the start of a file, is skipped; places on the first line do not count
// it.
func TestByteOrderMark(t *testing.T) {
	sc, err := Parse("bom.toml", []byte("\uFEFFservers = 7\n"))
	if err != nil {
		t.Fatalf("Parse with a byte order mark: %v", err)
	}
	if sc.Servers != 7 {
		t.Errorf("servers = %d, want 7", sc.Servers)
	}
	_, err = Parse("bom.toml", []byte("\uFEFFservers = \"x\"\n"))
	var e *Error
	if !errors.As(err, &e) || e.Line != 1 || e.Col != 11 || e.Key != "servers" {
		t.Fatalf("Parse(BOM, bad servers) = %v, want an error at 1:11 for servers", err)
	}
	checkRendering(t, err.Error(), "bom.toml", "servers", e.Msg, 1, 11, `servers = "x"`)
	// Only at the start: elsewhere it is a character like any other.
	if _, err := Parse("bom.toml", []byte("servers = 7\n\uFEFFclients = 1\n")); err == nil {
		t.Error("a byte order mark on the second line was accepted")
	}
}

// controlChar finds a character that a terminal could act on, other than
// the newlines between an error's lines and the tabs of a source line.
func controlChar(s string) (rune, bool) {
	for _, r := range s {
		if r != '\n' && r != '\t' && (unicode.IsControl(r) || r == '\uFFFD' || unicode.Is(unicode.Bidi_Control, r)) {
			return r, true
		}
	}
	return 0, false
}

// TestErrorsArePrintable: whatever a file holds, its errors are short and
// printable: values quoted in part, long lines shown in part, control
// characters and terminal escapes written as Go escapes.
func TestErrorsArePrintable(t *testing.T) {
	huge := strings.Repeat("x", 1<<20)
	tests := []struct {
		name string
		doc  string
		want []string // in the rendering
	}{
		{"huge strategy", "[sync]\nstrategy = \"" + huge + "\"\n",
			[]string{"sync.strategy: \"" + strings.Repeat("x", maxQuoted) + "\"… is not a strategy", "…"}},
		{"huge duration", "sync_interval = \"" + huge + "\"\n", []string{"time: invalid duration \"xxx", "\"…"}},
		{"huge node name", "[[partition]]\ngroups = [[\"" + huge + "\"]]\n", []string{"unknown node \"xxx", "\"…: the nodes are"}},
		{"huge key", strings.Repeat("k", 1<<20) + " = 1\n", []string{": kkkk", "…: unknown key"}},
		{"huge line, error at its end", "seed = 1" + strings.Repeat(" ", 1<<20) + "x\n", []string{"…", "x"}},
		{"escape in a strategy", "[sync]\nstrategy = \"\\u001b[31mred\"\n", []string{`"\x1b[31mred" is not a strategy`}},
		{"escape in a comment", "seed = 1 # \x1b[2J\n", []string{`# \x1b[2J`, "control characters are not allowed"}},
		{"escape in a key", "\"\\u001b]0;title\\u0007\" = 1\n", []string{`"\x1b]0;title\a": unknown key`}},
		{"bidirectional override", "\"a\\u202eb\" = 1\n", []string{`"a\u202eb": unknown key`}},
		{"invalid UTF-8", "seed = 1 # \xff\xfe\n", []string{`\xff\xfe`}},
		{"C1 control", "[sync]\nstrategy = \"\\u009b2J\"\n", []string{`"\u009b2J" is not a strategy`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("bad.toml", []byte(tt.doc))
			if err == nil {
				t.Fatal("no error")
			}
			text := err.Error()
			if len(text) > 2000 {
				t.Errorf("error is %d bytes long, want at most 2000: %.300q...", len(text), text)
			}
			if r, ok := controlChar(text); ok {
				t.Errorf("error holds control character %U: %q", r, text)
			}
			for _, want := range tt.want {
				if !strings.Contains(text, want) {
					t.Errorf("error does not contain %q:\n%.500s", want, text)
				}
			}
		})
	}
	// The file name is escaped too: it comes from the command line.
	e := &Error{File: "a\x1b[2Jb.toml", Msg: "bad"}
	if got, want := e.Error(), `a\x1b[2Jb.toml: bad`; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

// TestLongLineCaret: a long line is shown as a window around the place,
// with the caret still under it.
func TestLongLineCaret(t *testing.T) {
	pad := strings.Repeat("a", 500)
	doc := "servers = 3 # " + pad + "\nclients = \"x\" # " + pad + "\n"
	_, err := Parse("long.toml", []byte(doc))
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != 3 {
		t.Fatalf("Error() has %d lines, want 3:\n%s", len(lines), err)
	}
	if n := len([]rune(lines[1])); n > lineWindow+20 {
		t.Errorf("source line shown is %d characters, want about %d: %q", n, lineWindow, lines[1])
	}
	if !strings.HasSuffix(lines[1], "a…") {
		t.Errorf("source line does not end in an ellipsis: %q", lines[1])
	}
	caret := len([]rune(lines[2])) - 1
	if got := string([]rune(lines[1])[caret:]); !strings.HasPrefix(got, `"x"`) {
		t.Errorf("caret is under %q, want it under the value \"x\":\n%s\n%s", got, lines[1], lines[2])
	}

	// Far along a line, the window starts with an ellipsis.
	doc = "servers = 3" + strings.Repeat(" ", 500) + "4 # " + pad + "\n"
	_, err = Parse("long.toml", []byte(doc))
	lines = strings.Split(err.Error(), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[1], "     1 | …") || !strings.HasSuffix(lines[1], "a…") {
		t.Fatalf("Error() = %q, want the line shown from an ellipsis to an ellipsis", err)
	}
	caret = len([]rune(lines[2])) - 1
	if got := string([]rune(lines[1])[caret:]); !strings.HasPrefix(got, "4 #") {
		t.Errorf("caret is under %q, want it under the 4:\n%s\n%s", got, lines[1], lines[2])
	}
}

// TestSuggestionOnlyWhenClose: a key far from every known one gets no
// suggestion.
func TestSuggestionOnlyWhenClose(t *testing.T) {
	for _, doc := range []string{"bogus = 1\n", "x = 1\n", "[latency]\nspeed = 1\n", "[sync]\nzz = 1\n", "[[crash]]\nwhen = \"1s\"\n"} {
		_, err := Parse("bad.toml", []byte(doc))
		if err == nil || !strings.Contains(err.Error(), "unknown key") {
			t.Errorf("Parse(%q) = %v, want an unknown key", doc, err)
			continue
		}
		if strings.Contains(err.Error(), "did you mean") || strings.Contains(err.Error(), " is a key of") {
			t.Errorf("Parse(%q) suggests a key far from it:\n%s", doc, err)
		}
	}
}

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"seed", "seed", 0}, {"seed", "", 4}, {"servres", "servers", 1},
		{"sync_intervall", "sync_interval", 1}, {"mxa", "max", 1}, {"kitten", "sitting", 3},
	}
	for _, tt := range tests {
		if got := editDistance(tt.a, tt.b); got != tt.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

// TestLineIndex: positions found by binary search over the line starts
// are those found by counting newlines.
func TestLineIndex(t *testing.T) {
	data := []byte("a = 1\n\nbc = \"é\"\r\n  [x]\nlast")
	x := newLineIndex(data)
	line, col := 1, 1
	for i := range len(data) + 1 {
		if got := x.at(i); got != (position{line, col}) {
			t.Errorf("at(%d) = %v, want %d:%d", i, got, line, col)
		}
		if i < len(data) && data[i] == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
}

// tables returns a scenario of n [[partition]] or [[crash]] tables that
// is valid for n up to 1000.
func tables(kind string, n int) string {
	var b strings.Builder
	b.WriteString("servers = 3\n")
	for i := range n {
		if kind == "partition" {
			fmt.Fprintf(&b, "[[partition]]\nat = \"%dms\"\ngroups = [[\"server-1\"]]\n", i)
		} else {
			fmt.Fprintf(&b, "[[crash]]\nnode = \"server-%d\"\nat = \"%dms\"\nrestart = \"%dms\"\n", i%3+1, 2*i, 2*i+1)
		}
	}
	return b.String()
}

// TestTableLimits: a scenario holds at most MaxPartitions [[partition]]
// and MaxCrashes [[crash]] tables. More are refused at the first one too
// many, before any is validated, so that a file of tens of thousands,
// which fits in maxFileSize, costs no more than the limit.
func TestTableLimits(t *testing.T) {
	for _, tt := range []struct {
		kind  string
		limit int
		lines int // per table
	}{{"partition", MaxPartitions, 3}, {"crash", MaxCrashes, 4}} {
		t.Run(tt.kind, func(t *testing.T) {
			sc, err := Parse("many.toml", []byte(tables(tt.kind, tt.limit)))
			if err != nil {
				t.Fatalf("%d tables: %v", tt.limit, err)
			}
			if n := len(sc.Partitions) + len(sc.Crashes); n != tt.limit {
				t.Errorf("parsed %d tables, want %d", n, tt.limit)
			}
			for _, n := range []int{tt.limit + 1, 30_000} {
				doc := tables(tt.kind, n)
				_, err := Parse("many.toml", []byte(doc))
				var e *Error
				if !errors.As(err, &e) {
					t.Fatalf("%d tables: %v, want an *Error", n, err)
				}
				key := fmt.Sprintf("%s[%d]", tt.kind, tt.limit+1)
				line := 2 + tt.limit*tt.lines
				msg := fmt.Sprintf("too many [[%s]] tables: allowed at most %d", tt.kind, tt.limit)
				if e.Line != line || e.Key != key || e.Msg != msg {
					t.Errorf("%d tables: %d %q %q, want line %d, key %s: %s", n, e.Line, e.Key, e.Msg, line, key, msg)
				}
			}
		})
	}
}

// TestLoadNotRegular: Load reads regular files only, so that a named pipe
// does not block it and a device does not feed it for ever.
func TestLoadNotRegular(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe.toml")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ path, want string }{
		{fifo, fifo + ": not a regular file (a named pipe)"},
		{dir, dir + ": not a regular file (a directory)"},
		{"", `"": the scenario file name is empty`},
	}
	if _, err := os.Stat("/dev/zero"); err == nil {
		tests = append(tests, struct{ path, want string }{"/dev/zero", "/dev/zero: not a regular file (a character device)"})
	}
	for _, tt := range tests {
		done := make(chan error, 1)
		go func() {
			_, err := Load(tt.path)
			done <- err
		}()
		var err error
		select {
		case err = <-done:
		case <-time.After(10 * time.Second):
			// Load is blocked opening the pipe: give it a writer that
			// writes nothing, to let it go, and fail.
			if w, err := os.OpenFile(tt.path, os.O_WRONLY, 0); err == nil {
				w.Close()
			}
			t.Fatalf("Load(%q) blocked", tt.path)
		}
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("Load(%q) = %v, want %q", tt.path, err, tt.want)
		}
	}
}

// goType matches the words of Go types that go-toml's messages may carry.
var goType = regexp.MustCompile(`\b(u?int(8|16|32|64)?|float(32|64))\b|interface \{|map\[|struct field|scenarios\.[A-Z]|\[\][a-z]`)

func TestGoTypeWordsCoverDecoderTypes(t *testing.T) {
	for _, typ := range []string{"[][]string", "[]string", "bool", "int", "int64", "float64", "string",
		"scenarios.Duration", "scenarios.Latency", "scenarios.Sync", "[]scenarios.Partition", "[]scenarios.Crash", "[]interface {}", "uint16"} {
		if w := goTypeWords(typ); goType.MatchString(w) {
			t.Errorf("goTypeWords(%q) = %q, a Go type", typ, w)
		}
	}
}
