package main

import (
	"bytes"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"

	"eccounter/explore"
	"eccounter/model"
	"eccounter/scenarios"
)

var variantsFull = flag.Bool("variants.full", false, "TestVariantsDoc: sweep seeds 1..10,000 of each variant, not 1..1,000")

// The sweeps of docs/variants.md: every seed up to variantSeeds; go test
// checks the figures up to variantQuickSeeds unless -variants.full or
// -update.
const (
	variantSeeds      = 10_000
	variantQuickSeeds = 1_000
)

// variantSweep is what a sweep of one variant's scenario found.
type variantSweep struct {
	v         model.Variant
	path      string // its scenario, from the repository's root
	failed    int    // seeds up to n failing
	quick     int    // of those, seeds up to variantQuickSeeds
	first     int64  // the first failing seed, 0 if none
	others    string // a check other than v.Check that some seed failed first
	shrunk    *scenarios.Scenario
	shrinkRan int
	// explored: the states the explorer stores before its first
	// counterexample on scenarios/explore/NAME.toml.
	explored int64
}

// sweepVariant runs seeds 1..n of the variant's shipped scenario on every
// core, and shrinks its first failing seed.
func sweepVariant(t *testing.T, v model.Variant, n int) variantSweep {
	path := filepath.Join("scenarios", "variants", v.Name+".toml")
	sc, err := scenarios.Load(filepath.Join("..", "..", path))
	if err != nil {
		t.Fatal(err)
	}
	if sc.Server.Variant != v.Name {
		t.Fatalf("%s runs the variant %q, not %q", path, sc.Server.Variant, v.Name)
	}
	fails := make([]string, n+1)
	var wg sync.WaitGroup
	next := make(chan int64)
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for seed := range next {
				c := *sc
				c.Seed = seed
				fails[seed] = firstFailure(&c)
			}
		}()
	}
	for seed := range int64(n) {
		next <- seed + 1
	}
	close(next)
	wg.Wait()
	s := variantSweep{v: v, path: path}
	for seed := 1; seed <= n; seed++ {
		switch f := fails[seed]; {
		case f == "":
		case f != v.Check:
			s.others = fmt.Sprintf("seed %d fails %s first", seed, f)
		default:
			s.failed++
			if seed <= variantQuickSeeds {
				s.quick++
			}
			if s.first == 0 {
				s.first = int64(seed)
			}
		}
	}
	if s.first > 0 {
		c := *sc
		c.Seed = s.first
		s.shrunk, s.shrinkRan = shrink(&c, v.Check, maxShrinkRuns)
	}
	return s
}

// TestVariantsDoc keeps docs/variants.md true: for each variant of the
// catalogue, its shipped scenario fails only the check the catalogue
// names, as often as the document says over seeds 1..10,000 (1..1,000
// unless -variants.full), first at the seed it says, and shrinks to the
// size it says; the rare variants fail fewer than 1 seed in 1,000; and
// the real server passes every seed the variant fails. -update writes
// the document.
func TestVariantsDoc(t *testing.T) {
	n := variantQuickSeeds
	if *variantsFull || *update {
		n = variantSeeds
	}
	var sweeps []variantSweep
	for _, v := range model.Variants[1:] {
		s := sweepVariant(t, v, n)
		if s.others != "" {
			t.Errorf("%s: %s, not %s", v.Name, s.others, v.Check)
		}
		if s.first == 0 && !v.Rare {
			t.Errorf("%s: no seed of %s fails", v.Name, s.path)
		}
		if v.Rare && s.failed*1000 >= n {
			t.Errorf("%s is rare, but %d of %d seeds fail", v.Name, s.failed, n)
		}
		if s.first > 0 {
			// The real server passes where the variant fails: the
			// scenario finds the variant's bug, not one of its own.
			sc, _ := scenarios.Load(filepath.Join("..", "..", s.path))
			sc.Seed, sc.Server.Variant = s.first, model.VariantCorrect
			if f := firstFailure(sc); f != "" {
				t.Errorf("%s: the real server fails %s too with seed %d", s.path, f, s.first)
			}
		}
		s.explored = exploreVariant(t, v)
		sweeps = append(sweeps, s)
	}
	got := variantsDoc(t, sweeps)
	const doc = "../../docs/variants.md"
	if *update {
		if err := os.WriteFile(doc, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(doc)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/eccounter-sim -run TestVariantsDoc -update to write it)", err)
	}
	if n == variantSeeds {
		if !bytes.Equal(got, want) {
			t.Errorf("docs/variants.md is not what the sweeps find; rerun with -update and review the diff")
		}
		return
	}
	// The quick sweep knows the failures up to variantQuickSeeds, and
	// the first failing seed and its shrunk size if it is among them.
	rows := map[string][]string{}
	for _, line := range strings.Split(string(want), "\n") {
		if cells := tableCells(line); len(cells) == len(variantColumns) {
			rows[cells[0]] = cells
		}
	}
	for _, s := range sweeps {
		got := tableCells(variantRow(s))
		have, ok := rows[got[0]]
		if !ok {
			t.Errorf("docs/variants.md has no row for %s", s.v.Name)
			continue
		}
		compare := []int{0, 1, 2, 3, 4, 8} // name, wrong, check, scenario, failures in 1..1,000, explorer
		if s.first > 0 {
			compare = append(compare, 6, 7) // the first failing seed, and its shrunk size
		}
		for _, i := range compare {
			if got[i] != have[i] {
				t.Errorf("docs/variants.md: %s: %s is %s, but the sweep finds %s", s.v.Name, variantColumns[i], have[i], got[i])
			}
		}
		if s.first == 0 && have[6] != "none" {
			if seed, err := strconv.Atoi(have[6]); err != nil || seed <= variantQuickSeeds {
				t.Errorf("docs/variants.md: %s: first failing seed %s, but none of 1..%d fails", s.v.Name, have[6], variantQuickSeeds)
			}
		}
	}
}

// variantColumns head the table of docs/variants.md.
var variantColumns = []string{"variant", "what it gets wrong", "check that fails", "scenario",
	"failing seeds in 1..1,000", "failing seeds in 1..10,000", "first failing seed", "shrunk: servers / clients / requests",
	"explorer: states to a counterexample"}

// tableCells splits a line of a Markdown table into its cells.
func tableCells(line string) []string {
	if !strings.HasPrefix(line, "| ") {
		return nil
	}
	var cells []string
	for _, c := range strings.Split(strings.Trim(line, "|"), " | ") {
		cells = append(cells, strings.TrimSpace(c))
	}
	return cells
}

// variantRow is a variant's line of the table.
func variantRow(s variantSweep) string {
	first, size := "none", "-"
	if s.first > 0 {
		first = strconv.FormatInt(s.first, 10)
		size = fmt.Sprintf("%d / %d / %d", s.shrunk.Servers, s.shrunk.Clients, s.shrunk.RequestsPerClient)
	}
	explorer := fmt.Sprintf("[%d](../scenarios/explore/%s.toml)", s.explored, s.v.Name)
	if s.v.Rare {
		explorer += " (`-same-instant`)"
	}
	return fmt.Sprintf("| [`%s`](#%s) | %s | `%s` | [`%s`](../%s) | %d | %d (%.2f%%) | %s | %s | %s |", s.v.Name, s.v.Name, s.v.Wrong, s.v.Check,
		s.path, s.path, s.quick, s.failed, 100*float64(s.failed)/variantSeeds, first, size, explorer)
}

// exploreVariant explores every schedule of the variant's smallest
// scenario, scenarios/explore/NAME.toml, and returns the states stored
// before the first counterexample; the rare ones need same-instant
// arrivals.
func exploreVariant(t *testing.T, v model.Variant) int64 {
	t.Helper()
	sc, err := scenarios.Load(filepath.Join("..", "..", "scenarios", "explore", v.Name+".toml"))
	if err != nil {
		t.Fatal(err)
	}
	r, err := explore.Explore(sc.Config(), explore.Options{SameInstant: v.Rare})
	if err != nil {
		t.Fatal(err)
	}
	if r.Verdict != explore.Counterexample {
		t.Errorf("%s: the explorer finds no counterexample in scenarios/explore/%s.toml: %s", v.Name, v.Name, r.Verdict)
	}
	return r.States
}

// variantDocs returns the doc comment of the type in each
// model/variant_NAME.go, by variant name: what the variant gets wrong,
// the check that catches it, and the lesson, which docs/variants.md
// quotes.
func variantDocs(t *testing.T) map[string]string {
	docs := map[string]string{}
	for _, v := range model.Variants[1:] {
		path := filepath.Join("..", "..", "model", "variant_"+strings.ReplaceAll(v.Name, "-", "")+".go")
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ParseComments)
		if err != nil {
			t.Fatalf("variant %s: %v", v.Name, err)
		}
		for _, d := range f.Decls {
			if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.TYPE && g.Doc != nil {
				docs[v.Name] = g.Doc.Text()
			}
		}
		if docs[v.Name] == "" {
			t.Fatalf("%s has no type with a doc comment", path)
		}
	}
	return docs
}

// variantsDoc writes docs/variants.md from the sweeps.
func variantsDoc(t *testing.T, sweeps []variantSweep) []byte {
	docs := variantDocs(t)
	var b bytes.Buffer
	b.WriteString(`# Broken servers, on purpose

<!-- Generated by go test ./cmd/eccounter-sim -run TestVariantsDoc -update; do not edit. -->

A scenario's ` + "`[server] variant`" + ` picks a server from a catalogue of deliberately
broken ones (` + "`model.Variants`" + `; one file each, ` + "`model/variant_*.go`" + `), for
teaching: run one, watch a check catch it, replay the failing seed, shrink
it, read why. Each wraps the real server and gets one step wrong; the
protocol itself is ` + "`variant = \"correct\"`" + `, the default.

Each variant has a scenario in ` + "`scenarios/variants/`" + `, as small as it can be
and still fail. The table gives, for each, the check that fails (the only
one that fails first, on every failing seed), how many of the seeds
1..1,000 and 1..10,000 fail, the first that does, and the size of the
scenario ` + "`eccounter-sim -seed N -shrink out.toml`" + ` shrinks it to. ` + "`go test`" + `
recomputes the figures up to seed 1,000 (the first two of each row, and
the last two when the first failing seed is among them), and ` + "`go test\n./cmd/eccounter-sim -run TestVariantsDoc -variants.full`" + ` all of them; ` + "`-update`" + `
rewrites this file. The real server passes the first failing seed of
every scenario.

The last two, marked rare, fail only in an interleaving that a sweep of
random seeds almost never draws (two messages at one instant, a set in a
window of 10µs): fewer than 1 seed in 1,000 fails, or none. They are the
cases for exhaustive exploration.

The last column is the explorer's (see [explore.md](explore.md)): the
distinct states it stores before its first counterexample, exploring every
schedule of the variant's smallest configuration in ` + "`scenarios/explore/`" + `
(` + "`eccounter-sim -explore scenarios/explore/NAME.toml`" + `; the rare two with
` + "`-same-instant`" + `). Each takes a few milliseconds, and ` + "`go test`" + ` checks
the figure on every run.

`)
	b.WriteString("| " + strings.Join(variantColumns, " | ") + " |\n")
	b.WriteString(strings.Repeat("|---", len(variantColumns)) + "|\n")
	for _, s := range sweeps {
		b.WriteString(variantRow(s) + "\n")
	}
	for _, s := range sweeps {
		fmt.Fprintf(&b, "\n## %s\n\n", s.v.Name)
		if s.v.Rare {
			b.WriteString("Rare. ")
		}
		fmt.Fprintf(&b, "What it gets wrong: %s. Caught by `%s`.\n\n", s.v.Wrong, s.v.Check)
		if s.first > 0 {
			fmt.Fprintf(&b, "```sh\neccounter-sim -seed %d %s\neccounter-sim -seed %d -shrink %s-small.toml %s\n```\n\n",
				s.first, s.path, s.first, s.v.Name, s.path)
			fmt.Fprintf(&b, "The shrunk scenario (%d runs): %s.\n\n", s.shrinkRan, describe(s.shrunk))
		} else {
			fmt.Fprintf(&b, "No seed of 1..%d fails `%s`:\n\n```sh\neccounter-sim -seeds 1..%d -q %s\n```\n\n", variantSeeds, s.path, variantSeeds, s.path)
		}
		fmt.Fprintf(&b, "From `model/variant_%s.go`:\n\n", strings.ReplaceAll(s.v.Name, "-", ""))
		for _, line := range strings.Split(strings.TrimSpace(docs[s.v.Name]), "\n") {
			b.WriteString(strings.TrimRight("> "+line, " ") + "\n")
		}
	}
	return b.Bytes()
}
