package report_test

import (
	"bytes"
	"crypto/sha256"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"eccounter/internal/textdiff"
	"eccounter/model"
	"eccounter/report"
	"eccounter/scenarios"
	"eccounter/viz"
)

var update = flag.Bool("update", false, "rewrite the golden files in ../testdata with the current output")

// render is the page of sc's run with seed, as -report writes it.
func render(t *testing.T, sc *scenarios.Scenario, seed int64) []byte {
	t.Helper()
	sc.Seed = seed
	c := model.NewCluster(sc.Config())
	col, rec := report.NewCollector(c), viz.NewRecorder(c)
	c.Engine().Observe(col)
	c.Engine().Observe(rec)
	r, err := c.Run()
	if err != nil {
		t.Fatal(err)
	}
	var d, ch, b bytes.Buffer
	if err := viz.Diagram(&d, rec, r, viz.DiagramOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := viz.Chart(&ch, rec, r); err != nil {
		t.Fatal(err)
	}
	p := report.Page{Name: sc.Name, Replay: fmt.Sprintf("eccounter-sim -seed %d %s", seed, sc.Name), Scenario: string(sc.TOML()),
		Diagram: d.Bytes(), Chart: ch.Bytes()}
	if err := report.Write(&b, col, rec, &r, p); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("..", "testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs at byte %d (go test ./report -update rewrites it):\n%s", path,
			textdiff.FirstByte(string(got), string(want)), textdiff.Bytes(string(got), string(want)))
	}
}

// TestPageGolden pins the page, byte for byte: testdata/tiny.report.golden
// whole, and, for the shipped scenarios and variants with three seeds
// each, the SHA-256 of the page (testdata/pages.sha256), so that making
// the page faster cannot change what it shows, its escaping included.
func TestPageGolden(t *testing.T) {
	tiny, err := scenarios.Load("../testdata/tiny.toml")
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "tiny.report.golden", render(t, tiny, tiny.Seed))

	var paths []string
	for _, pattern := range []string{"../scenarios/*.toml", "../scenarios/variants/*.toml", "../testdata/tiny*.toml"} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		paths = append(paths, m...)
	}
	var sums strings.Builder
	for _, path := range paths {
		if strings.HasSuffix(path, "large.toml") {
			continue // 2.25 million events: a page of its first 20,000 lines is pinned by the others' code
		}
		for _, seed := range []int64{1, 42, 1000} {
			sc, err := scenarios.Load(path)
			if err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&sums, "%x  %s seed %d\n", sha256.Sum256(render(t, sc, seed)), strings.TrimPrefix(path, "../"), seed)
		}
	}
	golden(t, "pages.sha256", []byte(sums.String()))
}
