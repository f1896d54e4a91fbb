// Package playground is what the browser playground (cmd/eccounter-wasm,
// web/index.html) runs: one scenario, given as the text of its TOML file,
// through package runner, as eccounter-sim runs it. Its output is the same
// bytes as eccounter-sim -seed N prints, and its report the same page as
// -report writes. It is plain Go, with no syscall/js, so that go test
// runs it; the WebAssembly entry point only converts values.
package playground

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"eccounter/runner"
	"eccounter/scenarios"
)

// Result is what one run gives the page.
type Result struct {
	// Output is what eccounter-sim -seed N prints for the scenario:
	// header, schedule and summary. On a scenario error it is empty; on
	// a run that aborted, it holds what was printed before.
	Output string
	// Report is the run's HTML page, as -report writes it: bytes, for
	// the page hands them to its frame as they are, never as a string.
	Report []byte
	// Seed is the seed the run used: the one given, or the scenario's.
	Seed int64
	// Passed: every check passed (an anomaly does not fail a run).
	Passed bool
	// Error is nil if the run was made.
	Error *Error
}

// Error is why a run was not made, or did not finish, as data for the
// page: where the problem is in the editor's text, if it has a place.
type Error struct {
	// Line and Column are where the scenario error is, from 1, as
	// eccounter-sim prints them (the column counts bytes); 0 if the
	// error has no place in the text.
	Line, Column int
	// Start and End are the same place as offsets in the text in UTF-16
	// code units, as a JavaScript string counts them (for
	// setSelectionRange): the character at the place, and the rest of
	// its word. Both are 0 if the error has no place.
	Start, End int
	Key        string // the key at fault, if any
	Message    string // what is wrong, printable and short
	// Text is the error as eccounter-sim prints it, with the line and a
	// caret under the place.
	Text string
}

// MaxEvents is the most events a run in the page takes: a few hundred
// thousand lines of schedule are as much as a page holds comfortably
// (the default scenario takes about 1,100; scenarios/large.toml, 2.25
// million, is for the command line).
const MaxEvents = 200_000

// outputGuess is room for the text output of a run such as the default
// scenario's (73 KB), so that it is not copied as it grows.
const outputGuess = 96 << 10

// Run parses the scenario text, named name as a run's header and replay
// line name it (a preset's Name, scenarios.DefaultName for the default),
// and runs it with seed, or with its own seed if seed is nil.
func Run(name, scenario string, seed *int64) Result {
	if len(scenario) > scenarios.MaxFileSize {
		msg := fmt.Sprintf("the scenario is larger than %d bytes; a scenario is a few lines of TOML", scenarios.MaxFileSize)
		return Result{Error: &Error{Message: msg, Text: name + ": " + msg}}
	}
	sc, err := scenarios.Parse(name, []byte(scenario))
	if err != nil {
		return Result{Error: scenarioError(scenario, err)}
	}
	if seed != nil {
		sc.Seed = *seed
	}
	res := Result{Seed: sc.Seed}
	// A builder for the output, whose String is its bytes, where a
	// buffer's copies them. report.Write grows page once to its size.
	var out strings.Builder
	var page bytes.Buffer
	out.Grow(outputGuess)
	w := bufio.NewWriter(&out)
	fail := func(err error) Result {
		w.Flush()
		res.Output = out.String()
		res.Error = &Error{Message: err.Error(), Text: err.Error()}
		return res
	}
	r, err := runner.Start(w, sc, runner.Options{Report: true, MaxEvents: MaxEvents})
	if err != nil {
		return fail(err)
	}
	if err := r.Execute(); err != nil {
		var limit *runner.LimitError
		if errors.As(err, &limit) {
			err = fmt.Errorf("the run went on past %d events, the most the playground runs; run it with eccounter-sim", limit.Events)
		}
		return fail(err)
	}
	if err := r.WriteReport(&page); err != nil {
		return fail(err)
	}
	r.WriteSummary(w)
	w.Flush()
	res.Output, res.Report, res.Passed = out.String(), page.Bytes(), r.Report.Passed()
	return res
}

// scenarioError is err as data, placed in text.
func scenarioError(text string, err error) *Error {
	var se *scenarios.Error
	if !errors.As(err, &se) {
		return &Error{Message: err.Error(), Text: err.Error()}
	}
	e := &Error{Line: se.Line, Column: se.Col, Message: se.Message(), Text: se.Error()}
	if se.Key != "" {
		e.Key = se.KeyText()
	}
	e.Start, e.End = place(text, se.Line, se.Col)
	return e
}

// place turns a line and a byte column, from 1, into offsets in UTF-16
// code units: the character there and the rest of its word (up to a
// blank, a comma, a bracket or a comment). A place outside the text is
// none: 0, 0.
func place(text string, line, col int) (start, end int) {
	if line < 1 || col < 1 {
		return 0, 0
	}
	i, units := 0, 0 // byte offset and UTF-16 offset of the line's start
	for l := 1; l < line; l++ {
		j := bytes.IndexByte([]byte(text[i:]), '\n')
		if j < 0 {
			return 0, 0
		}
		units += utf16Len(text[i : i+j+1])
		i += j + 1
	}
	rest := text[i:]
	if j := bytes.IndexByte([]byte(rest), '\n'); j >= 0 {
		rest = rest[:j]
	}
	if col-1 > len(rest) {
		return 0, 0
	}
	start = units + utf16Len(rest[:col-1])
	word := rest[col-1:]
	n := 0
	for n < len(word) {
		c := word[n]
		if n > 0 && (c == ' ' || c == '\t' || c == '\r' || c == ',' || c == ']' || c == '}' || c == '#') {
			break
		}
		_, size := utf8.DecodeRuneInString(word[n:])
		n += size
	}
	return start, start + utf16Len(word[:n])
}

// utf16Len is the length of s in UTF-16 code units, as JavaScript counts
// it (an invalid byte is one replacement character, as the browser
// decodes it).
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}
