package scenarios

import (
	"os/exec"
	"strings"
	"testing"
)

// TestShellQuote: plain words are left as they are, and every word, plain
// or not, comes back from sh as it went in.
func TestShellQuote(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"scenarios/lossy.toml", "scenarios/lossy.toml"},
		{"/tmp/x-1/a_b.c,d:e+f@g%h", "/tmp/x-1/a_b.c,d:e+f@g%h"},
		{"", "''"},
		{"a b.toml", "'a b.toml'"},
		{"it's.toml", `'it'\''s.toml'`},
		{"$HOME.toml", "'$HOME.toml'"},
		{"~/x.toml", "'~/x.toml'"},
		{"a=b.toml", "'a=b.toml'"},
		{"''", `''\'''\'''`},
	} {
		if got := ShellQuote(tc.in); got != tc.want {
			t.Errorf("ShellQuote(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh to parse the quoted words")
	}
	words := []string{"plain.toml", "a b", "it's", `"q"`, "$HOME", "`x`", "\\", "a\nb", "*", "!x", "'", ""}
	var line []string
	for _, w := range words {
		line = append(line, ShellQuote(w))
	}
	// sh prints each argument it parsed between < and >.
	out, err := exec.Command(sh, "-c", "set -- "+strings.Join(line, " ")+`; printf '<%s>' "$@"`).Output()
	if err != nil {
		t.Fatalf("sh: %v", err)
	}
	want := "<" + strings.Join(words, "><") + ">"
	if string(out) != want {
		t.Errorf("sh parsed %s\n as %q\nwant %q", strings.Join(line, " "), out, want)
	}
}
