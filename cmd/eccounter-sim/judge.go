package main

import (
	"fmt"
	"io"

	"eccounter/scenarios"
)

// runJudge judges the saved JSON Lines trace at path ("-": standard
// input) and writes the summary its records make: -judge. A check that
// fails, or a verdict other than the trace's own summary's, exits 1; a
// file that is no trace, 2.
func runJudge(w io.Writer, stdin io.Reader, path string) (int, error) {
	r, name := stdin, "standard input"
	if path != "-" {
		f, err := openRecords("-judge", path)
		if err != nil {
			return exitUsage, err
		}
		defer f.Close()
		r, name = f, path
	}
	jd, err := scenarios.JudgeTrace(r)
	if err != nil {
		return exitUsage, badInputError{fmt.Sprintf("-judge: %s: %v", name, err)}
	}
	fmt.Fprintf(w, "== summary: judged from the records of %s ==\n", name)
	if err := jd.WriteText(w); err != nil {
		return exitFail, err
	}
	code := verdict(jd.Report)
	if len(jd.Disagreements) > 0 {
		fmt.Fprintf(w, "the trace's own summary disagrees:\n")
		for _, d := range jd.Disagreements {
			fmt.Fprintf(w, "  %s\n", d)
		}
		code = exitFail
	}
	return code, nil
}
