package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"eccounter/scenarios"
)

// FuzzSummarize feeds arbitrary bytes to -summarize - with -chart, through
// summarize as run calls it, with the default scenario named and with
// none: it must never panic, exit 0, 1 or 2 only (any error a bad input's,
// exit 2), and write a bounded summary, at most three bounded lines on
// standard error (a torn last record, records without a fingerprint, and
// an error or no histogram) and a bounded chart, with no control
// characters but newlines. The seed corpus, in
// testdata/fuzz/FuzzSummarize, is records of real sweeps, and the crashers
// found so far.
func FuzzSummarize(f *testing.F) {
	f.Add([]byte(goodRecord + "\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		for _, sc := range []*scenarios.Scenario{scenarios.Default(), nil} {
			fuzzSummarize(t, sc, in)
		}
	})
}

// fuzzSummarize is FuzzSummarize of one input, with the scenario sc named
// (nil: none).
func fuzzSummarize(t *testing.T, sc *scenarios.Scenario, in []byte) {
	chart := filepath.Join(t.TempDir(), "h.svg")
	outs, err := openOutputs(&options{chart: chart, summarize: []string{"-"}})
	if err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	code, err := summarize(&stdout, bytes.NewReader(in), &stderr, sc, []string{"-"}, outs.get("chart"))
	if err == nil {
		err = outs.commit()
	} else {
		outs.discard()
	}
	if err != nil {
		var bad badInputError
		if !errors.As(err, &bad) || code != exitUsage {
			t.Fatalf("exit %d with %v, want 2 and a bad input", code, err)
		}
		stderr.WriteString("eccounter-sim: " + err.Error() + "\n")
	}
	if code != exitPass && code != exitFail && code != exitUsage {
		t.Fatalf("exit %d", code)
	}
	if stdout.Len() > 8<<10 || stderr.Len() > 1<<10 || strings.Count(stderr.String(), "\n") > 3 {
		t.Fatalf("%d bytes of summary, %d of errors:\n%s", stdout.Len(), stderr.Len(), stderr.String())
	}
	for _, s := range []string{stdout.String(), stderr.String()} {
		if i := strings.IndexFunc(s, func(r rune) bool { return r < ' ' && r != '\n' || r == 0x7f }); i >= 0 {
			t.Fatalf("a control character in the output: %q", s[max(0, i-40):min(len(s), i+40)])
		}
	}
	if fi, err := os.Stat(chart); err == nil && fi.Size() > 64<<10 {
		t.Fatalf("a chart of %d bytes", fi.Size())
	}
}
