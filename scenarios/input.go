package scenarios

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// A scenario file is input from anyone: errors about it must stay short
// and printable whatever it holds. These bound what an error echoes.
const (
	// maxQuoted bounds, in characters, a value of the file that an error
	// quotes, and the key it names.
	maxQuoted = 80
	// maxMessage bounds an error's message, and maxFileName the file name
	// it starts with.
	maxMessage  = 600
	maxFileName = 256
	// lineWindow bounds the part of the offending line an error shows.
	lineWindow = 80
)

// quote renders a value of the file for an error, as %q does, but of its
// first maxQuoted characters only: a 1 MiB string is shown as its start
// and an ellipsis.
func quote(s string) string {
	if cut, short := truncate(s, maxQuoted); !short {
		return strconv.Quote(cut) + "…"
	}
	return strconv.Quote(s)
}

// truncate returns the first n characters of s, and whether that is all of
// it.
func truncate(s string, n int) (string, bool) {
	for i := range s {
		if n == 0 {
			return s[:i], false
		}
		n--
	}
	return s, true
}

// escaped returns s with every character a terminal could act on written
// as a Go escape, \x1b or \u202e: control characters, the C1 controls,
// invalid UTF-8, and anything else strconv.IsPrint rejects, such as the
// bidirectional overrides. Tabs are kept if keepTabs, for a source line
// whose caret must line up.
func escaped(s string, keepTabs bool) string {
	clean := true
	for _, r := range s {
		if r == utf8.RuneError || !strconv.IsPrint(r) && !(keepTabs && r == '\t') {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i, w := 0, 0; i < len(s); i += w {
		r, size := utf8.DecodeRuneInString(s[i:])
		w = size
		switch {
		case r == utf8.RuneError && size <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case keepTabs && r == '\t', r != utf8.RuneError && strconv.IsPrint(r):
			b.WriteString(s[i : i+size])
		default:
			q := strconv.QuoteRune(r) // '\x1b', '\u202e', '\ufffd'
			b.WriteString(q[1 : len(q)-1])
		}
	}
	return b.String()
}

// printable returns s escaped, and cut to n characters with an ellipsis.
func printable(s string, n int) string {
	s = escaped(s, false)
	if cut, short := truncate(s, n); !short {
		return cut + "…"
	}
	return s
}

// lineExcerpt returns the part of line to show under an error at byte
// column col (from 1), escaped, and the text before the column in it, so
// that a caret can go under the column: the whole line if it is short,
// else about lineWindow characters around the column, with an ellipsis
// for each end cut off.
func lineExcerpt(line string, col int) (shown, before string) {
	start, end := 0, len(line)
	if utf8.RuneCountInString(line) > lineWindow {
		start = backRunes(line, col-1, lineWindow/2)
		end = len(line)
		if cut, short := truncate(line[start:], lineWindow); !short {
			end = start + len(cut)
		}
		if end < col-1 { // the column is the end of the line
			end = col - 1
		}
	}
	before = escaped(line[start:col-1], true)
	shown = before + escaped(line[col-1:end], true)
	if start > 0 {
		before, shown = "…"+before, "…"+shown
	}
	if end < len(line) {
		shown += "…"
	}
	return shown, before
}

// backRunes returns the offset n characters before offset i of s (or 0).
func backRunes(s string, i, n int) int {
	for ; n > 0 && i > 0; n-- {
		_, size := utf8.DecodeLastRuneInString(s[:i])
		i -= size
	}
	return i
}

// editDistance is the optimal string alignment distance between a and b:
// the fewest insertions, deletions, substitutions and swaps of adjacent
// characters that turn one into the other. Both are short keys.
func editDistance(a, b string) int {
	x, y := []rune(a), []rune(b)
	// d[i][j] is the distance between x[:i] and y[:j].
	d := make([][]int, len(x)+1)
	for i := range d {
		d[i] = make([]int, len(y)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(x); i++ {
		for j := 1; j <= len(y); j++ {
			cost := 1
			if x[i-1] == y[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && x[i-1] == y[j-2] && x[i-2] == y[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(x)][len(y)]
}

// near reports whether a typed key at edit distance d from a known key
// is close enough to suggest the known one: one edit in a short key, up
// to three in a long one, and never a key that shares nothing with it.
func near(typed, known string, d int) bool {
	return d < utf8.RuneCountInString(typed) && d <= max(1, min(3, utf8.RuneCountInString(known)/3))
}

// Closest returns the one of names nearest to typed, if one is near
// enough to suggest (see near): the scenario's keys and values, and the
// command's flags, are suggested alike.
func Closest(typed string, names []string) (string, bool) {
	best, bestD := "", -1
	for _, n := range names {
		if d := editDistance(typed, n); near(typed, n, d) && (bestD < 0 || d < bestD) {
			best, bestD = n, d
		}
	}
	return best, bestD >= 0
}

// suggestion names the known key that name, an unknown key typed in
// table ("" for the top level), may stand for, as "; did you mean
// sync_interval?", or returns "" if none is close. First a key of the same
// table a few edits away (case does not count: SERVERS suggests servers),
// then a top-level key that a dotted key may have been meant for
// (sync.intervall for sync_interval), then a key of another table of
// exactly that name (node in [[partition]] is a key of [[crash]]).
func suggestion(table, name string) string {
	if len(name) > 2*maxQuoted {
		return "" // far from every key; not worth the quadratic distance
	}
	typed := strings.ToLower(name)
	if k, ok := Closest(typed, tableKeys[table]); ok {
		if table == "" && slices.Contains(subTables, k) {
			k = "the table " + tableHeader(k)
		}
		return "; did you mean " + k + "?"
	}
	if table != "" {
		if k, ok := Closest(strings.ToLower(table+"_"+name), tableKeys[""]); ok {
			return "; did you mean the top-level key " + k + "?"
		}
	}
	for _, t := range append([]string{""}, subTables...) {
		if t != table && slices.Contains(tableKeys[t], typed) && !slices.Contains(subTables, typed) {
			if t == "" {
				return "; " + typed + " is a top-level key: set it before any table"
			}
			return "; " + typed + " is a key of " + tableHeader(t)
		}
	}
	return ""
}

// tableHeader writes a table's name as its header: [latency], [[crash]].
func tableHeader(t string) string {
	if t == "partition" || t == "crash" {
		return "[[" + t + "]]"
	}
	return "[" + t + "]"
}

// parseDuration is time.ParseDuration, with an error that quotes at most
// maxQuoted characters of s: time's quotes all of it.
func parseDuration(s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil && len(s) > maxQuoted {
		return 0, errors.New("time: invalid duration " + quote(s))
	}
	return d, err
}
