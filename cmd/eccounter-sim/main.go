// Command eccounter-sim runs one deterministic simulation of the ec-counter
// protocol and prints it as a readable execution schedule (or JSON Lines),
// followed by a summary and the verdict of every check.
//
// Usage:
//
//	eccounter-sim [flags] [scenario.toml]
//
// Run with -h for the flags and examples.
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"eccounter/model"
	"eccounter/scenarios"
	"eccounter/sim"
)

// Exit codes.
const (
	exitPass  = 0 // every check passed
	exitFail  = 1 // a check failed, or the run could not finish
	exitUsage = 2 // bad flags or a bad scenario
)

const usage = `eccounter-sim: a deterministic simulation of the ec-counter protocol.

Usage:
  eccounter-sim [flags] [scenario.toml]

Servers each hold a counter; clients get it or set it (a set is taken only
if larger); servers sync their values every interval until all agree. With
no file, the embedded default scenario runs (3 servers, 5 clients of 100
requests). The same scenario and seed print the same output, byte for byte.

Output: the resolved scenario (every value, so the run can be replayed), the
schedule (one line per event), then a summary with the verdict of each check.

Exit status: 0 every check passed, 1 a check failed, 2 bad flags or scenario.

Flags:
`

const examples = `
Examples:
  eccounter-sim                                   the default scenario
  eccounter-sim -seed 42                          ... with seed 42
  eccounter-sim -q scenarios/large.toml           summary only
  eccounter-sim -trace jsonl -o run.jsonl -seed 7 JSON Lines to a file
  eccounter-sim -seed 42 failing.toml             replay a failing seed
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// options are the parsed command line.
type options struct {
	seed    int64
	seedSet bool
	trace   string
	out     string
	quiet   bool
	file    string
}

func parseFlags(args []string, stdout, stderr io.Writer) (options, int, bool) {
	var o options
	fs := flag.NewFlagSet("eccounter-sim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Func("seed", "run with seed `N` instead of the scenario's (any integer)", func(s string) error {
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return errors.New("want an integer")
		}
		o.seed, o.seedSet = v, true
		return nil
	})
	fs.StringVar(&o.trace, "trace", "text", "schedule `format`: text, jsonl or none")
	fs.StringVar(&o.out, "o", "", "write the output to `FILE` instead of standard output")
	fs.BoolVar(&o.quiet, "q", false, "print the summary only (with -trace jsonl: the summary record only)")
	// flag prints the problem with a bad flag itself; the full help is
	// printed only when asked for, to standard output, since then it is
	// the output.
	fs.Usage = func() {}
	// Go's flag package stops at the first argument that is not a flag;
	// parse again after each one, so that flags may follow the file too.
	var files []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fs.SetOutput(stdout)
				fmt.Fprint(stdout, usage)
				fs.PrintDefaults()
				fmt.Fprint(stdout, examples)
				return o, exitPass, false
			}
			fmt.Fprintln(stderr, "run eccounter-sim -h for help")
			return o, exitUsage, false
		}
		if fs.NArg() == 0 {
			break
		}
		files = append(files, fs.Arg(0))
		args = fs.Args()[1:]
	}
	switch o.trace {
	case "text", "jsonl", "none":
	default:
		fmt.Fprintf(stderr, "eccounter-sim: -trace %q: want text, jsonl or none\n", o.trace)
		return o, exitUsage, false
	}
	switch len(files) {
	case 0:
	case 1:
		o.file = files[0]
	default:
		fmt.Fprintf(stderr, "eccounter-sim: one scenario file at most, got %d: %s\n", len(files), strings.Join(files, " "))
		return o, exitUsage, false
	}
	return o, 0, true
}

func run(args []string, stdout, stderr io.Writer) int {
	o, code, ok := parseFlags(args, stdout, stderr)
	if !ok {
		return code
	}
	sc := scenarios.Default()
	if o.file != "" {
		var err error
		if sc, err = scenarios.Load(o.file); err != nil {
			fmt.Fprintf(stderr, "eccounter-sim: %v\n", err)
			return exitUsage
		}
	}
	if o.seedSet {
		sc.Seed = o.seed
	}

	out := stdout
	if o.out != "" {
		f, err := os.Create(o.out)
		if err != nil {
			fmt.Fprintf(stderr, "eccounter-sim: -o: %v\n", err)
			return exitUsage
		}
		defer f.Close() // a second Close, after the one below, is harmless
		out = f
	}
	w := bufio.NewWriterSize(out, 64<<10)
	code, err := simulate(w, sc, o)
	if ferr := w.Flush(); err == nil {
		err = ferr
	}
	if f, ok := out.(*os.File); ok && o.out != "" && err == nil {
		// Closing is when some file systems report that a write failed.
		err = f.Close()
	}
	if err != nil {
		fmt.Fprintf(stderr, "eccounter-sim: %v\n", err)
		return exitFail
	}
	return code
}

// tracer is what both trace writers are: an observer that remembers its
// first write error.
type tracer interface {
	sim.Observer[model.Msg, model.Note]
	Err() error
}

// simulate runs the scenario, writing header, schedule and summary to w,
// and returns the exit code the verdict calls for.
func simulate(w *bufio.Writer, sc *scenarios.Scenario, o options) (int, error) {
	c := model.NewCluster(sc.Config())
	replay := replayCommand(sc)
	var tr tracer
	if !o.quiet {
		switch o.trace {
		case "text":
			fmt.Fprintf(w, "== scenario: %s ==\n# replay: %s\n", sc.Name, replay)
			w.Write(sc.TOML())
			fmt.Fprintf(w, "\n== schedule ==\n")
			tr = model.NewTextWriter(w, c)
		case "jsonl":
			b := []byte(`{"t":0,"event":"scenario","node":"","source":`)
			b = sim.AppendJSONString(b, sc.Name)
			b = append(b, `,"replay":`...)
			b = sim.AppendJSONString(b, replay)
			b = append(b, `,"scenario":`...)
			b = sc.AppendJSON(b)
			w.Write(append(b, "}\n"...))
			tr = sim.NewJSONLWriter(w, c.Engine())
		case "none":
			fmt.Fprintf(w, "== scenario: %s ==\n# replay: %s\n", sc.Name, replay)
			w.Write(sc.TOML())
		}
		if tr != nil {
			c.Engine().Observe(tr)
		}
	}
	report, err := c.Run()
	if err != nil {
		return exitFail, fmt.Errorf("simulation aborted: %w", err)
	}
	if tr != nil && tr.Err() != nil {
		return exitFail, tr.Err()
	}
	if o.trace == "jsonl" {
		w.Write(report.AppendJSON(nil))
	} else {
		if !o.quiet {
			fmt.Fprintf(w, "\n")
		}
		fmt.Fprintf(w, "== summary ==\n")
		report.WriteText(w, c)
		if !report.Passed() {
			fmt.Fprintf(w, "replay:       %s\n", replay)
		}
	}
	if !report.Passed() {
		return exitFail, nil
	}
	return exitPass, nil
}

// replayCommand is the command line that reproduces the run.
func replayCommand(sc *scenarios.Scenario) string {
	cmd := "eccounter-sim -seed " + strconv.FormatInt(sc.Seed, 10)
	if sc.Name != scenarios.DefaultName {
		cmd += " " + sc.Name
	}
	return cmd
}
