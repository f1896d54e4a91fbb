package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestEpidemicFlag: -epidemic prints one markdown table row of the
// papers' figures over the seeds, the same every time, and needs -seeds.
func TestEpidemicFlag(t *testing.T) {
	path := filepath.Join(t.TempDir(), "e.toml")
	doc := "servers = 50\nsync_interval = \"1s\"\n[sync]\nstrategy = \"push-pull\"\nfanout = 2\n"
	if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	out := runOutput(t, 0, "-epidemic", "-seeds", "1..10", path)
	if !bytes.Equal(out, runOutput(t, 0, "-epidemic", "-seeds", "1..10", path)) {
		t.Error("two measurements of the same seeds differ")
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	row := regexp.MustCompile(`^\| push-pull, fanout 2 \| 50 \| 10 \| 0\.000 ± 0\.000 \| [0-9.]+ ± [0-9.]+ \| [0-9.]+ ± [0-9.]+ \| [0-9.]+ ± [0-9.]+ \| 9\.6 \|$`)
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "| strategy |") || !row.MatchString(lines[2]) {
		t.Errorf("-epidemic printed:\n%s", out)
	}
	var stderr bytes.Buffer
	if code := run([]string{"-epidemic", path}, &bytes.Buffer{}, &stderr); code != exitUsage || !strings.Contains(stderr.String(), "add -seeds") {
		t.Errorf("-epidemic without -seeds: exit %d, %q", code, &stderr)
	}
}
