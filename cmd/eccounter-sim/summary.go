package main

// -summarize, which prints the summary of a sweep (package sweeps) from
// its saved JSON lines, read back as strictly as a scenario is read.

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"eccounter/model"
	"eccounter/scenarios"
	"eccounter/sim"
	"eccounter/sweeps"
)

// seedSetBudget bounds the tally's seeds (sweeps.Tally.SeedBytes) for -summarize: enough for every
// seed of more than a thousand sweeps of the largest range, or for a few
// million seeds scattered. A variable so that a test can lower it.
var seedSetBudget int64 = 256 << 20

// writeHistogram writes t's histogram to chart (-chart with a sweep or
// -summarize). With no seed converged after a set, there is nothing to
// draw, and it says so on stderr.
func writeHistogram(t *sweeps.Tally, chart *output, stderr io.Writer) error {
	if !t.HasHistogram() {
		fmt.Fprintf(stderr, "eccounter-sim: -chart: no seed converged after an accepted set; no histogram written\n")
		return nil
	}
	return writeFile(chart, t.WriteHistogram)
}

// badInputError is a problem with the JSON lines -summarize reads: like a
// bad scenario, it exits 2.
type badInputError struct{ msg string }

func (e badInputError) Error() string { return e.msg }

// summarize reads the sweep records in files ("-" is standard input) and
// writes their summary to w: -summarize. Unlike a sweep, whose output is
// its records, the summary is then what was asked for, so it goes to
// standard output (or -o).
//
// sc is the scenario the command line names, or nil if it names none. The
// records must carry its fingerprint, or, without one, all the same; then
// the scenario is the embedded default if the fingerprint is the
// default's, and unknown otherwise. Records that carry no fingerprint,
// written before records had one, are taken on trust, with a warning.
func summarize(w io.Writer, stdin io.Reader, stderr io.Writer, sc *scenarios.Scenario, files []string, chart *output) (int, error) {
	var t sweeps.Tally
	fps := fingerprints{}
	if sc != nil {
		fps.want, fps.wantName = sc.Fingerprint(), sc.Name
	}
	for _, name := range files {
		var r io.Reader = stdin
		if name != "-" {
			f, err := openRecords("-summarize", name)
			if err != nil {
				return exitUsage, err
			}
			defer f.Close()
			r = f
		} else {
			name = "standard input"
		}
		if err := readRecords(r, name, &t, &fps, stderr); err != nil {
			return exitUsage, err
		}
	}
	fps.warn(stderr)
	if sc == nil {
		if def := scenarios.Default(); fps.first != "" && fps.first == def.Fingerprint() {
			sc = def
		} else {
			t.Fingerprint, t.Again = fps.first, summarizeCommand(files)
		}
	}
	if err := t.WriteSummary(w, sc); err != nil {
		return exitFail, err
	}
	if chart != nil {
		if err := writeHistogram(&t, chart, stderr); err != nil {
			return exitFail, err
		}
	}
	if t.Failed() > 0 {
		return exitFail, nil
	}
	return exitPass, nil
}

// summarizeCommand is the command line that summarizes files again, with
// a scenario file to name.
func summarizeCommand(files []string) string {
	cmd := "eccounter-sim"
	for _, f := range files {
		if strings.IndexFunc(f, func(r rune) bool { return r < ' ' || r == 0x7f }) >= 0 {
			f = "FILE" // not worth echoing to a terminal
		}
		cmd += " -summarize " + scenarios.ShellQuote(f)
	}
	return cmd + " SCENARIO.toml"
}

// fingerprints holds the records -summarize reads to one scenario.
type fingerprints struct {
	// want is the fingerprint of the scenario file given, of wantName;
	// empty without one.
	want, wantName string
	// first is the first fingerprint read, at firstAt (file:line), which
	// every other must equal.
	first, firstAt string
	// missing counts the records without a fingerprint, the first at
	// missingAt.
	missing   uint64
	missingAt string
}

// check holds fp, the fingerprint of the record at line of file name, to
// the scenario given and to the records before it. The fingerprints were
// checked to be written as a sweep writes them, so they are safe to print.
// Where a record is is written out only when needed: -summarize may read
// a hundred million records.
func (f *fingerprints) check(fp, name string, line int) error {
	at := func() string { return name + ":" + strconv.Itoa(line) }
	switch {
	case fp == "":
		if f.missing == 0 {
			f.missingAt = at()
		}
		f.missing++
	case fp == f.first:
	case f.want != "" && fp != f.want:
		return badInputError{fmt.Sprintf("%s: fingerprint %s, but %s has %s: the records are of another scenario (or of this file before it changed, or of a sweep with -swarm); "+
			"give -summarize the scenario file the sweep ran (and -swarm if it had it), or none for a summary without replay commands",
			at(), fp, f.wantName, f.want)}
	case f.first == "":
		f.first, f.firstAt = fp, at()
	default:
		return badInputError{fmt.Sprintf("%s: fingerprint %s, where %s has %s: records of two scenarios make no one summary; summarize each sweep's records on its own",
			at(), fp, f.firstAt, f.first)}
	}
	return nil
}

// warn writes a line on stderr if some records carry no fingerprint, but
// there was one to hold them to.
func (f *fingerprints) warn(stderr io.Writer) {
	if f.missing == 0 || f.want == "" && f.first == "" {
		return
	}
	against := fmt.Sprintf("the other records' %s", f.first)
	if f.want != "" {
		against = f.wantName
	}
	fmt.Fprintf(stderr, "eccounter-sim: warning: %s without a fingerprint (first at %s), as sweeps wrote them before records had one: not checked against %s\n",
		model.Count(int(f.missing), "record"), f.missingAt, against)
}

// openRecords opens a file of records for flag (-summarize, -judge),
// which must be a regular file. Opening a named pipe blocks until something writes to it,
// which may be never: it is opened without blocking, and refused, as are
// directories and devices. A pipe comes in as standard input instead.
func openRecords(flag, name string) (*os.File, error) {
	f, err := os.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, badInputError{flag + ": " + err.Error()}
	}
	fi, err := f.Stat()
	if err == nil && !fi.Mode().IsRegular() {
		kind := "not a regular file"
		switch {
		case fi.IsDir():
			kind = "a directory"
		case fi.Mode()&os.ModeNamedPipe != 0:
			kind = "a named pipe"
		case fi.Mode()&os.ModeDevice != 0:
			kind = "a device"
		}
		err = fmt.Errorf("%s is %s, not a file of records; to read a pipe, give it as standard input: %s - < %s", name, kind, flag, name)
	}
	if err != nil {
		f.Close()
		return nil, badInputError{flag + ": " + err.Error()}
	}
	return f, nil
}

// maxRecordLine bounds a line of records: a record takes a few hundred
// bytes, so a longer line is no record, and is not read whole.
const maxRecordLine = 64 << 10

// readRecords adds every record of r to t. A last line that has no newline
// and is not JSON is what a sweep killed while writing leaves: it is
// reported on stderr and ignored, where the same line anywhere else is an
// error.
func readRecords(r io.Reader, name string, t *sweeps.Tally, fps *fingerprints, stderr io.Writer) error {
	br := bufio.NewReaderSize(r, maxRecordLine)
	for line := 1; ; line++ {
		text, err := br.ReadSlice('\n')
		switch err {
		case nil, io.EOF:
		case bufio.ErrBufferFull:
			return badInputError{fmt.Sprintf("%s:%d: a line longer than %d KiB: not a record of a sweep", name, line, maxRecordLine>>10)}
		default:
			return badInputError{fmt.Sprintf("%s:%d: %v", name, line, err)}
		}
		last := err == io.EOF
		if text = bytes.TrimSpace(text); len(text) > 0 {
			if last && !json.Valid(text) {
				fmt.Fprintf(stderr, "eccounter-sim: %s:%d: torn last record, ignored\n", name, line)
				return nil
			}
			rec, err := parseRecord(text)
			if err != nil {
				return badInputError{fmt.Sprintf("%s:%d: %v", name, line, err)}
			}
			if err := fps.check(rec.Fingerprint, name, line); err != nil {
				return err
			}
			t.Add(&rec)
			if t.SeedBytes() > seedSetBudget {
				n, first, last := t.Seeds()
				return badInputError{fmt.Sprintf("%s:%d: the seeds are too scattered to keep track of in %d MiB (%d seeds so far, from %d to %d): summarize fewer records at a time",
					name, line, seedSetBudget>>20, n, first, last)}
			}
		}
		if last {
			return nil
		}
	}
}

// verdicts are the words a record's "verdict" may be, in the order errors
// list them, and which checks each names.
var verdicts = []verdictWord{{"pass", false, false}, {"anomaly", false, true}, {"fail", true, false}}

type verdictWord struct {
	word   string
	failed bool // the record names its failed check
	// anomalous: the record names its first anomaly (a failed seed may
	// name one too, or not).
	anomalous bool
}

// sweepRecordKeys are the keys of a record, in the order appendJSON writes them;
// docs/sweeps.md's table "The record" describes each.
var sweepRecordKeys = []string{"seed", "verdict", "failed_check", "anomaly_check", "stop", "converged", "converged_at",
	"after_last_set", "events", "messages", "residue", "fingerprint", "trace_hash", "rerun_hash"}

// optionalKeys may be left out: residue, anomaly_check and fingerprint by
// records older than them (as 0, null and unknown), the hashes by sweeps
// without -check-determinism.
var optionalKeys = []string{"anomaly_check", "residue", "fingerprint", "trace_hash", "rerun_hash"}

// failedChecks are the names failed_check may have: a check, or the
// failures that are no check's.
var failedChecks = append(model.CheckNames(), "determinism", "aborted")

// stopReasons are the names stop may have.
var stopReasons = func() []string {
	var names []string
	for r := sim.Done; r <= sim.Aborted; r++ {
		names = append(names, r.String())
	}
	return names
}()

// parseRecord reads back a line that appendJSON wrote, as strictly as a
// scenario is read: every key of the record once (but the optional ones)
// and no other, each of its type and in its range, so that the summary and
// its histogram never meet a negative time or count, nor an unknown
// verdict, check or stop reason.
func parseRecord(line []byte) (sweeps.Record, error) {
	vals, err := recordValues(line)
	if err != nil {
		return sweeps.Record{}, fmt.Errorf("not a record of a sweep: %v", err)
	}
	var r sweeps.Record
	get := func(key string) any { return vals[slices.Index(sweepRecordKeys, key)] }
	v := get("seed")
	n, ok := v.(json.Number)
	seed, err := strconv.ParseInt(string(n), 10, 64)
	if !ok || err != nil {
		return r, fmt.Errorf("seed: %s: want an integer from %d to %d", describeValue(v), math.MinInt64, math.MaxInt64)
	}
	r.Seed = seed
	verdict, ok := get("verdict").(string)
	i := slices.IndexFunc(verdicts, func(v verdictWord) bool { return v.word == verdict })
	if !ok || i < 0 {
		var words []string
		for _, v := range verdicts {
			words = append(words, strconv.Quote(v.word))
		}
		return r, fmt.Errorf("verdict: %s: want %s", describeValue(get("verdict")), orList(words))
	}
	switch check, ok := get("failed_check").(string); {
	case !verdicts[i].failed && get("failed_check") != nil:
		return r, fmt.Errorf("failed_check: %s: want null with \"verdict\":%q", describeValue(get("failed_check")), verdict)
	case !verdicts[i].failed:
	case !ok && get("failed_check") == nil:
		return r, fmt.Errorf("failed_check: null: want a check with \"verdict\":%q", verdict)
	case !ok || !slices.Contains(failedChecks, check):
		return r, fmt.Errorf("failed_check: %s: want %s", describeValue(get("failed_check")), orList(failedChecks))
	default:
		r.FailedCheck = check
	}
	switch check, ok := get("anomaly_check").(string); {
	case get("anomaly_check") == nil && verdicts[i].anomalous:
		return r, fmt.Errorf("anomaly_check: null: want a check with \"verdict\":%q", verdict)
	case get("anomaly_check") == nil:
	case verdict == "pass":
		return r, fmt.Errorf("anomaly_check: %s: want null with \"verdict\":%q", describeValue(get("anomaly_check")), verdict)
	case !ok || !slices.Contains(model.CheckNames(), check):
		return r, fmt.Errorf("anomaly_check: %s: want %s", describeValue(get("anomaly_check")), orList(model.CheckNames()))
	default:
		r.AnomalyCheck = check
	}
	stop, ok := get("stop").(string)
	if !ok || !slices.Contains(stopReasons, stop) {
		return r, fmt.Errorf("stop: %s: want %s", describeValue(get("stop")), orList(stopReasons))
	}
	r.Stop = stop
	if r.Converged, ok = get("converged").(bool); !ok {
		return r, fmt.Errorf("converged: %s: want true or false", describeValue(get("converged")))
	}
	const times = "virtual nanoseconds, at least 0"
	switch at := get("converged_at"); {
	case !r.Converged && at != nil:
		return r, fmt.Errorf("converged_at: %s: want null when \"converged\" is false", describeValue(at))
	case r.Converged && at == nil:
		return r, fmt.Errorf("converged_at: null: want a time when \"converged\" is true")
	case r.Converged:
		if r.ConvergedAt, err = natural("converged_at", at, times); err != nil {
			return r, err
		}
	}
	switch after := get("after_last_set"); {
	case after == nil:
	case !r.Converged:
		return r, fmt.Errorf("after_last_set: %s: want null when \"converged\" is false", describeValue(after))
	default:
		if r.AfterLastSet, err = natural("after_last_set", after, times); err != nil {
			return r, err
		}
		// It is converged_at minus the time of a set, at least 0.
		if r.AfterLastSet > r.ConvergedAt {
			return r, fmt.Errorf("after_last_set: %d is more than converged_at, %d", r.AfterLastSet, r.ConvergedAt)
		}
		r.HasAfterLastSet = true
	}
	const counts = "a count, at least 0"
	if r.Events, err = natural("events", get("events"), counts); err != nil {
		return r, err
	}
	if r.Messages, err = natural("messages", get("messages"), counts); err != nil {
		return r, err
	}
	if v := get("residue"); v != nil {
		residue, err := natural("residue", v, counts)
		if err != nil {
			return r, err
		}
		if residue > scenarios.MaxServers {
			return r, fmt.Errorf("residue: %d is more than a scenario has servers, at most %d", residue, scenarios.MaxServers)
		}
		r.Residue = int(residue)
	}
	if v := get("fingerprint"); v != nil {
		fp, ok := v.(string)
		if !ok || !scenarios.IsFingerprint(fp) {
			return r, fmt.Errorf("fingerprint: %s: want %q and 16 hexadecimal digits (in lower case), as a sweep writes it", describeValue(v), scenarios.FingerprintPrefix)
		}
		r.Fingerprint = fp
	}
	for _, key := range []string{"trace_hash", "rerun_hash"} {
		v := get(key)
		if v == nil {
			continue
		}
		h, ok := v.(string)
		if !ok || len(h) != sha256.Size*2 || strings.Trim(h, "0123456789abcdef") != "" {
			return r, fmt.Errorf("%s: %s: want 64 hexadecimal digits (a SHA-256, in lower case)", key, describeValue(v))
		}
		if key == "trace_hash" {
			r.TraceHash = h
		} else {
			r.RerunHash = h
		}
	}
	// A rerun hash is the mark of a determinism failure, and only that.
	switch {
	case r.RerunHash != "" && r.FailedCheck != "determinism":
		return r, fmt.Errorf(`rerun_hash: only with "failed_check":"determinism"`)
	case r.FailedCheck == "determinism" && (r.TraceHash == "" || r.RerunHash == ""):
		return r, fmt.Errorf(`failed_check: "determinism" needs "trace_hash" and "rerun_hash"`)
	}
	return r, nil
}

// recordValues decodes line, a JSON object, into the values of
// sweepRecordKeys, in order: a json.Number, string, bool, nil (null or
// left out), or json.Delim for an array or an object. It refuses keys not
// in sweepRecordKeys, keys given twice, and required keys left out.
//
// json.Valid checks the syntax first, so that what follows may read the
// flat object directly, several times faster than json's decoders, which
// matters to -summarize of a hundred million records; invalid JSON goes
// through json.Unmarshal for the error that says what is wrong.
func recordValues(line []byte) ([]any, error) {
	if !json.Valid(line) {
		var v any
		if err := json.Unmarshal(line, &v); err != nil {
			return nil, err
		}
		return nil, errors.New("not JSON")
	}
	p := jsonReader{b: line}
	if p.skipSpace() != '{' {
		return nil, errors.New("want a JSON object")
	}
	p.i++
	vals := make([]any, len(sweepRecordKeys))
	seen := make([]bool, len(sweepRecordKeys))
	for p.skipSpace() != '}' {
		if p.b[p.i] == ',' {
			p.i++
			p.skipSpace()
		}
		raw, escaped := p.rawStr()
		i := slices.IndexFunc(sweepRecordKeys, func(k string) bool { return string(raw) == k })
		var key string
		if i < 0 || escaped {
			// Keys are plain words: only an unknown one, or one
			// written with escapes, is worth decoding.
			var err error
			p.i -= len(raw) + 2
			if key, err = p.str(); err != nil {
				return nil, err
			}
			i = slices.Index(sweepRecordKeys, key)
		} else {
			key = sweepRecordKeys[i]
		}
		switch {
		case i < 0:
			return nil, fmt.Errorf("unknown key %s", quoteShort(key))
		case seen[i]:
			return nil, fmt.Errorf("%q given twice", key)
		}
		seen[i] = true
		p.skipSpace() // then the colon
		p.i++
		p.skipSpace()
		var err error
		if vals[i], err = p.value(); err != nil {
			return nil, err
		}
		if _, ok := vals[i].(json.Delim); ok {
			return vals, nil // the value's check says what is wrong with it
		}
	}
	for i, key := range sweepRecordKeys {
		if !seen[i] && !slices.Contains(optionalKeys, key) {
			return nil, fmt.Errorf("no %q", key)
		}
	}
	return vals, nil
}

// jsonReader reads the tokens of valid JSON, from b[i].
type jsonReader struct {
	b []byte
	i int
}

// skipSpace skips white space and returns the next byte (valid JSON
// always has one where it is called).
func (p *jsonReader) skipSpace() byte {
	for p.b[p.i] == ' ' || p.b[p.i] == '\t' || p.b[p.i] == '\n' || p.b[p.i] == '\r' {
		p.i++
	}
	return p.b[p.i]
}

// rawStr reads a string, at its opening quote, and returns what is
// between the quotes as it is, and whether it has escapes.
func (p *jsonReader) rawStr() (raw []byte, escaped bool) {
	start := p.i + 1
	for p.i++; p.b[p.i] != '"'; p.i++ {
		if p.b[p.i] == '\\' {
			escaped = true
			p.i++
		}
	}
	p.i++
	return p.b[start : p.i-1], escaped
}

// str reads a string, at its opening quote.
func (p *jsonReader) str() (string, error) {
	raw, escaped := p.rawStr()
	if !escaped {
		return string(raw), nil
	}
	var s string
	err := json.Unmarshal(p.b[p.i-len(raw)-2:p.i], &s)
	return s, err
}

// value reads a value: a string, number, true, false or null, or the
// opening delimiter of an array or an object, which it does not read on.
func (p *jsonReader) value() (any, error) {
	switch c := p.b[p.i]; c {
	case '"':
		return p.str()
	case 't':
		p.i += len("true")
		return true, nil
	case 'f':
		p.i += len("false")
		return false, nil
	case 'n':
		p.i += len("null")
		return nil, nil
	case '[', '{':
		return json.Delim(c), nil
	}
	start := p.i
	for p.i < len(p.b) && strings.IndexByte("+-.eE0123456789", p.b[p.i]) >= 0 {
		p.i++
	}
	return json.Number(p.b[start:p.i]), nil
}

// natural returns v, a value of key, as an int64 at least 0: a time or a
// count, which want describes.
func natural(key string, v any, want string) (int64, error) {
	n, ok := v.(json.Number)
	i, err := strconv.ParseInt(string(n), 10, 64)
	switch {
	case !ok || err != nil:
		return 0, fmt.Errorf("%s: %s: want %s", key, describeValue(v), want)
	case i < 0:
		return 0, fmt.Errorf("%s: %d is negative: want %s", key, i, want)
	}
	return i, nil
}

// describeValue renders a decoded JSON value for an error: short, quoted if a
// string, and free of control characters, whatever the input held.
func describeValue(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case string:
		return quoteShort(v)
	case json.Number: // digits, a point, an exponent: valid JSON
		if len(v) > 40 {
			return string(v[:40]) + "..."
		}
		return string(v)
	case bool:
		return strconv.FormatBool(v)
	case json.Delim:
		if v == '[' {
			return "an array"
		}
		return "an object"
	}
	return "a value"
}

// quoteShort quotes s as Go does, escaping control characters and
// anything not ASCII, cut to its first 40 bytes.
func quoteShort(s string) string {
	if len(s) > 40 {
		return strconv.QuoteToASCII(strings.ToValidUTF8(s[:40], "")) + "..."
	}
	return strconv.QuoteToASCII(s)
}

// orList joins names as "a, b or c".
func orList(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}
