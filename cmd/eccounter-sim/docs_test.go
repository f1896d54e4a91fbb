package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"eccounter/internal/textdiff"
)

// The pages these tests keep true, from this package's directory.
const (
	readmePath = "../../README.md"
	docsDir    = "../../docs"
)

// docBlock returns the page at path and the text between a marker comment
// that starts with begin and the next "<!-- end" comment, without the
// fences.
func docBlock(t *testing.T, path, begin string) (string, string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	page := string(data)
	start := strings.Index(page, "<!-- "+begin)
	if start < 0 {
		t.Fatalf("%s has no <!-- %s marker", path, begin)
	}
	rest := page[start:]
	end := strings.Index(rest, "<!-- end")
	if end < 0 {
		t.Fatalf("%s: <!-- %s has no <!-- end marker", path, begin)
	}
	block := rest[strings.Index(rest, "\n")+1 : end]
	block = strings.TrimPrefix(block, "```\n")
	block = strings.TrimSuffix(block, "```\n")
	return page, block
}

// readDoc returns a page of docs/.
func readDoc(t *testing.T, name string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(docsDir, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// TestUsageDoc keeps docs/cli.md's copy of -h true to the code.
func TestUsageDoc(t *testing.T) {
	_, block := docBlock(t, docsDir+"/cli.md", "usage")
	got := string(runOutput(t, 0, "-h"))
	if got != block {
		t.Errorf("docs/cli.md's usage block differs from eccounter-sim -h at line %d:\n%s",
			textdiff.FirstLine(block, got), textdiff.Lines(block, got))
	}
}

// TestREADMEExcerpt keeps the README's excerpt of a run true to the
// golden default run, as TestTutorial keeps the tutorial's, and checks
// that the README gives the two commands.
func TestREADMEExcerpt(t *testing.T) {
	readme, block := docBlock(t, readmePath, "excerpt")
	golden, err := os.ReadFile("../../testdata/default-seed42.golden")
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Split(strings.TrimSuffix(block, "\n"), "\n")
	if ok, why := excerptOf(want, strings.Split(strings.TrimSuffix(string(golden), "\n"), "\n")); !ok {
		t.Errorf("README.md's excerpt of the default run: %s", why)
	}
	for _, cmd := range []string{"go run ./cmd/eccounter-sim -seed 42", "go test ./..."} {
		if !strings.Contains(readme, cmd) {
			t.Errorf("README.md does not give the command %q", cmd)
		}
	}
}

// TestREADMEIsShort: README is the newcomer's page, to be read before a
// first run; the reference belongs in docs/. The limit keeps it that way.
func TestREADMEIsShort(t *testing.T) {
	data, err := os.ReadFile(readmePath)
	if err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(data, []byte("\n")); n > 250 {
		t.Errorf("README.md has %d lines, more than 250: move reference material to docs/", n)
	}
}

// TestScenarioKeysDoc: every key of the reference scenario has a row in
// docs/scenarios.md's table, whose first cell names it ("`seed`",
// "`[latency] min`, `max`").
func TestScenarioKeysDoc(t *testing.T) {
	doc := readDoc(t, "scenarios.md")
	ref, err := os.ReadFile("../../scenarios/default.toml")
	if err != nil {
		t.Fatal(err)
	}
	keys := regexp.MustCompile(`(?m)^(?:# )?([a-z_]+) = `).FindAllSubmatch(ref, -1)
	if len(keys) < 15 {
		t.Fatalf("found only %d keys in default.toml", len(keys))
	}
	rows := map[string]bool{}
	for _, line := range strings.Split(doc, "\n") {
		if first, ok := strings.CutPrefix(line, "| "); ok {
			first, _, _ = strings.Cut(first, " | ")
			for _, m := range regexp.MustCompile("`(?:\\[+[a-z]+\\]+ )?([a-z_]+)`").FindAllStringSubmatch(first, -1) {
				rows[m[1]] = true
			}
		}
	}
	for _, k := range keys {
		if !rows[string(k[1])] {
			t.Errorf("docs/scenarios.md's table has no row for key %s", k[1])
		}
	}
}

// A command of a transcript: a line "$ CMD" of a page, and the excerpt of
// its output that follows it, up to the next command or the block's end.
type command struct {
	line int      // of the page
	text string   // after "$ "
	args []string // eccounter-sim's arguments
	grep string   // "| grep 'TEXT'": keep only the lines with TEXT
	exit int      // "# exit status N"; 0 without
	cat  string   // "cat FILE": the file the page shows, which the test writes
	want []string // the excerpt: lines, and "..." for lines left out
}

// commandLine is what a transcript may run: eccounter-sim with arguments
// (none quoted), optionally through grep for a fixed string in single
// quotes, and a comment giving the exit status when it is not 0.
var commandLine = regexp.MustCompile(`^eccounter-sim((?: [^ |#']+)*)(?: \| grep '([^'\\]+)')?(?: +# exit status (\d+))?$`)

// catLine is a transcript's "cat FILE": the page shows a file the next
// commands read, and the test writes it as shown.
var catLine = regexp.MustCompile(`^cat ([a-z0-9_.-]+)$`)

// transcript reads the commands of block, which starts at line first of
// its page. Commands it cannot run are errors, so that nothing in a
// transcript goes unchecked; "go install ./cmd/eccounter-sim", which
// builds the command this test already runs, is the one exception.
func transcript(block string, first int) ([]command, error) {
	var cmds []command
	for i, line := range strings.Split(strings.TrimSuffix(block, "\n"), "\n") {
		text, isCmd := strings.CutPrefix(line, "$ ")
		switch {
		case isCmd && text == "go install ./cmd/eccounter-sim":
			cmds = append(cmds, command{line: first + i, text: text})
		case isCmd && catLine.MatchString(text):
			cmds = append(cmds, command{line: first + i, text: text, cat: catLine.FindStringSubmatch(text)[1]})
		case isCmd:
			m := commandLine.FindStringSubmatch(text)
			if m == nil {
				return nil, fmt.Errorf("line %d: the test cannot run %q", first+i, text)
			}
			c := command{line: first + i, text: text, args: strings.Fields(m[1]), grep: m[2]}
			if m[3] != "" {
				c.exit, _ = strconv.Atoi(m[3])
			}
			cmds = append(cmds, c)
		case len(cmds) == 0:
			return nil, fmt.Errorf("line %d: output before any command: %q", first+i, line)
		default:
			cmds[len(cmds)-1].want = append(cmds[len(cmds)-1].want, line)
		}
	}
	return cmds, nil
}

// excerptOf reports whether want, lines of which "..." stands for any
// lines (none too), is got. Between two "...", lines must follow each
// other as in got: an excerpt may leave out, never reorder or join.
func excerptOf(want, got []string) (bool, string) {
	at := 0
	anchored := true // the next line must be got[at], no skipping
	for i := 0; i < len(want); i++ {
		if want[i] == "..." {
			anchored = false
			continue
		}
		// The run of lines up to the next "...", matched as a whole.
		j := i
		for j < len(want) && want[j] != "..." {
			j++
		}
		run := want[i:j]
		found := -1
		for k := at; k+len(run) <= len(got); k++ {
			if equalLines(got[k:k+len(run)], run) {
				found = k
				break
			}
			if anchored {
				break
			}
		}
		if found < 0 {
			return false, fmt.Sprintf("not found, in order and together, in the output:\n%s", strings.Join(run, "\n"))
		}
		at = found + len(run)
		anchored = true
		i = j - 1
	}
	if anchored && at != len(got) {
		return false, fmt.Sprintf("the output goes on after the excerpt's last line (end the excerpt with ...):\n%s", got[at])
	}
	return true, ""
}

func equalLines(a, b []string) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// runTranscript runs cmds in the working directory and checks each one's
// exit status and excerpt; name is the page, for the messages.
func runTranscript(t *testing.T, name string, cmds []command) {
	t.Helper()
	for _, c := range cmds {
		if c.cat != "" {
			if err := os.WriteFile(c.cat, []byte(strings.Join(c.want, "\n")+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if c.args == nil && c.text == "go install ./cmd/eccounter-sim" {
			if len(c.want) > 0 {
				t.Errorf("%s:%d: go install prints nothing, yet the page shows output", name, c.line)
			}
			continue
		}
		var stdout, stderr bytes.Buffer
		code := run(c.args, &stdout, &stderr)
		if code != c.exit {
			t.Errorf("%s:%d: %s exits %d, but the page says %d:\n%s",
				name, c.line, c.text, code, c.exit, &stderr)
		}
		out := strings.Split(strings.TrimSuffix(stdout.String()+stderr.String(), "\n"), "\n")
		if c.grep != "" {
			var kept []string
			for _, l := range out {
				if strings.Contains(l, c.grep) {
					kept = append(kept, l)
				}
			}
			out = kept
		}
		if ok, why := excerptOf(c.want, out); !ok {
			t.Errorf("%s:%d: %s: %s", name, c.line, c.text, why)
		}
	}
}

// inScratch makes the test's working directory an empty one where
// scenarios/ is the repository's, as at the repository's root, so that
// the pages' commands run as printed and their output files land there.
func inScratch(t *testing.T) {
	t.Helper()
	scen, err := filepath.Abs("../../scenarios")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.Symlink(scen, filepath.Join(dir, "scenarios")); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
}

// transcripts returns the commands of page's transcripts: its fenced
// blocks whose first line is a command ("$ ...").
func transcripts(t *testing.T, name, page string) []command {
	t.Helper()
	var cmds []command
	inside, start := false, 0
	var b strings.Builder
	for i, line := range strings.Split(page, "\n") {
		switch {
		case !inside && strings.HasPrefix(line, "```"):
			inside, start = true, i+2
			b.Reset()
		case inside && line == "```":
			inside = false
			if strings.HasPrefix(b.String(), "$ ") {
				c, err := transcript(b.String(), start)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				cmds = append(cmds, c...)
			}
		case inside:
			b.WriteString(line + "\n")
		}
	}
	return cmds
}

// TestTranscripts runs the commands of every page of docs/, page by page,
// each page's in order in one directory (a later step of the tutorial
// reads what an earlier one wrote), and checks each one's exit status
// and excerpt: what the pages show is what the simulator prints.
func TestTranscripts(t *testing.T) {
	pages, err := filepath.Glob(docsDir + "/*.md")
	if err != nil {
		t.Fatal(err)
	}
	total := map[string]int{}
	for _, path := range pages {
		name := "docs/" + filepath.Base(path)
		cmds := transcripts(t, name, readDoc(t, filepath.Base(path)))
		total[name] = len(cmds)
		if len(cmds) == 0 {
			continue
		}
		t.Run(filepath.Base(path), func(t *testing.T) {
			inScratch(t)
			runTranscript(t, name, cmds)
		})
	}
	// The tutorial is a path of commands, and each page below quotes runs:
	// a parser that found none would pass them all.
	for name, least := range map[string]int{"docs/tutorial.md": 15, "docs/strategies.md": 2, "docs/faults.md": 1,
		"docs/scenarios.md": 2, "docs/sweeps.md": 1, "docs/explore.md": 3} {
		if total[name] < least {
			t.Errorf("%s: %d commands found, want at least %d", name, total[name], least)
		}
	}
}

// TestExcerptOf: the rule transcripts are held to.
func TestExcerptOf(t *testing.T) {
	got := []string{"a", "b", "c", "d"}
	for _, tc := range []struct {
		want string
		ok   bool
	}{
		{"a b c d", true},
		{"a ... d", true},
		{"... b c ...", true},
		{"... a b c d ...", true},
		{"...", true},
		{"a b", false},         // the output goes on
		{"b c d", false},       // it starts earlier
		{"... b d", false},     // b and d are not together
		{"... c ... b", false}, // out of order
		{"... e ...", false},
	} {
		ok, _ := excerptOf(strings.Fields(tc.want), got)
		if ok != tc.ok {
			t.Errorf("excerptOf(%q) = %v, want %v", tc.want, ok, tc.ok)
		}
	}
}

// TestSyncLineDoc: the sync line docs/strategies.md shows under the
// default scenario and seed 42 is that run's.
func TestSyncLineDoc(t *testing.T) {
	doc := readDoc(t, "strategies.md")
	golden, err := os.ReadFile("../../testdata/default-seed42.golden")
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, line := range strings.Split(doc, "\n") {
		if strings.HasPrefix(line, "sync:         broadcast:") {
			found = true
			if !strings.Contains(string(golden), "\n"+line+"\n") {
				t.Errorf("docs/strategies.md's %q is not the default run's (seed 42)", line)
			}
		}
	}
	if !found {
		t.Error("docs/strategies.md shows no broadcast sync line")
	}
}

// TestDocLinks: every relative link of README.md and docs/ names a file
// that exists, and an anchor that one of its headings makes (as GitHub
// makes them: lower case, punctuation dropped, spaces to hyphens).
func TestDocLinks(t *testing.T) {
	pages, err := filepath.Glob(docsDir + "/*.md")
	if err != nil {
		t.Fatal(err)
	}
	pages = append(pages, readmePath)
	link := regexp.MustCompile(`\]\(([^)\s]+)\)`)
	for _, page := range pages {
		data, err := os.ReadFile(page)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range link.FindAllStringSubmatch(string(data), -1) {
			target := m[1]
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			file, anchor, _ := strings.Cut(target, "#")
			path := page
			if file != "" {
				path = filepath.Join(filepath.Dir(page), file)
			}
			body, err := os.ReadFile(path)
			if err != nil {
				if info, serr := os.Stat(path); serr == nil && info.IsDir() {
					continue
				}
				t.Errorf("%s: the link %s names a file that does not exist", page, target)
				continue
			}
			if anchor != "" && !hasAnchor(string(body), anchor) {
				t.Errorf("%s: the link %s names an anchor no heading of %s makes", page, target, file)
			}
		}
	}
}

// hasAnchor reports whether a heading of a Markdown page makes anchor.
func hasAnchor(page, anchor string) bool {
	drop := regexp.MustCompile(`[^a-z0-9 _-]`)
	for _, line := range strings.Split(page, "\n") {
		if !strings.HasPrefix(line, "#") {
			continue
		}
		h := strings.ToLower(strings.TrimSpace(strings.TrimLeft(line, "#")))
		h = strings.ReplaceAll(drop.ReplaceAllString(h, ""), " ", "-")
		if h == anchor {
			return true
		}
	}
	return false
}
