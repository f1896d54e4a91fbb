package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"eccounter/internal/textdiff"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/ with the current output")

// runOutput runs the command line and returns its standard output, failing
// the test unless it exits with want.
func runOutput(t *testing.T, want int, args ...string) []byte {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if code := run(args, &stdout, &stderr); code != want {
		t.Fatalf("eccounter-sim %v: exit %d, want %d; stderr:\n%s", args, code, want, stderr.String())
	}
	return stdout.Bytes()
}

// TestGolden pins whole execution schedules byte for byte. A golden file is
// the clearest statement of what the simulator does: review a diff in one
// like a diff in code. Regenerate with: go test ./cmd/eccounter-sim -update
func TestGolden(t *testing.T) {
	tests := []struct {
		golden string
		args   []string
	}{
		{"default-seed42.golden", []string{"-seed", "42"}},
		{"default-seed42.jsonl.golden", []string{"-seed", "42", "-trace", "jsonl"}},
		{"slow-network.golden", []string{"../../scenarios/slow-network.toml"}},
		{"lossy.golden", []string{"../../scenarios/lossy.toml"}},
		{"partition.golden", []string{"../../scenarios/partition.toml"}},
		{"crash.golden", []string{"../../scenarios/crash.toml"}},
		{"crash.jsonl.golden", []string{"-trace", "jsonl", "../../scenarios/crash.toml"}},
		{"tiny-pull.golden", []string{"../../testdata/tiny-pull.toml"}},
		{"tiny-rumor.golden", []string{"../../testdata/tiny-rumor.toml"}},
		{"tiny-ring.golden", []string{"../../testdata/tiny-ring.toml"}},
		{"mail-seed2.golden", []string{"-seed", "2", "../../scenarios/mail.toml"}},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			got := runOutput(t, 0, tt.args...)
			path := filepath.Join("..", "..", "testdata", tt.golden)
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("eccounter-sim %v differs from %s at line %d:\n%s\n(if the change is intended, rerun with -update and review the diff)",
					tt.args, path, textdiff.FirstLine(string(got), string(want)), textdiff.Lines(string(got), string(want)))
			}
		})
	}
}

// TestSameSeedSameOutput: determinism is the product. The same seed must
// give byte-identical output whatever the number of OS threads; a different
// seed must give a different run.
func TestSameSeedSameOutput(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	runtime.GOMAXPROCS(1)
	a := runOutput(t, 0, "-seed", "42", "-trace", "jsonl")
	runtime.GOMAXPROCS(4)
	b := runOutput(t, 0, "-seed", "42", "-trace", "jsonl")
	if !bytes.Equal(a, b) {
		t.Errorf("two runs with -seed 42 differ at line %d:\n%s", textdiff.FirstLine(string(a), string(b)), textdiff.Lines(string(a), string(b)))
	}
	c := runOutput(t, 0, "-seed", "43", "-trace", "jsonl")
	if bytes.Equal(a, c) {
		t.Errorf("-seed 42 and -seed 43 gave identical output: is the seed used?")
	}
}
