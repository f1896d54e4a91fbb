package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestStoryNotQuiet: a run's summary tells the story; -q, read run after
// run, keeps to one screen without it.
func TestStoryNotQuiet(t *testing.T) {
	for _, tt := range []struct {
		args  []string
		story bool
	}{
		{[]string{"-seed", "42"}, true},
		{[]string{"-seed", "42", "-trace", "none"}, true},
		{[]string{"-seed", "42", "-q"}, false},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(tt.args, &stdout, &stderr); code != exitPass {
			t.Fatalf("%v: exit %d: %s", tt.args, code, &stderr)
		}
		out := stdout.String()
		got := strings.Contains(out, "\nstory:        993 was set by client-2 at server-2 at 334.426ms; server-3 got it last, at 407.312ms\n") &&
			strings.Contains(out, "\n  server-3:   0 -> 365 -> 797 -> 911 -> 958 -> 991 -> 993\n")
		if got != tt.story || strings.Contains(out, "story:") != tt.story {
			t.Errorf("%v: story told %t, want %t:\n%s", tt.args, got, tt.story, out)
		}
	}
}
