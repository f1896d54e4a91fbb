package runner

import (
	"bufio"
	"bytes"
	"errors"
	"strings"
	"testing"

	"eccounter/internal/textdiff"
	"eccounter/scenarios"
)

// TestMaxEvents: a caller's cap on events cuts a longer run short with a
// *LimitError, and the header still shows the scenario's own max_events:
// the run is the scenario's, stopped by its caller.
func TestMaxEvents(t *testing.T) {
	sc := scenarios.Default()
	var out bytes.Buffer
	w := bufio.NewWriter(&out)
	r, err := Start(w, sc, Options{MaxEvents: 100})
	if err != nil {
		t.Fatal(err)
	}
	err = r.Execute()
	var limit *LimitError
	if !errors.As(err, &limit) || limit.Events != 100 {
		t.Fatalf("Execute: %v; want a *LimitError at 100 events", err)
	}
	w.Flush()
	if !strings.Contains(out.String(), "\nmax_events = 20000000\n") {
		t.Errorf("the header does not show the scenario's max_events:\n%.600s", out.String())
	}
	// A cap above what the run takes changes nothing.
	r, err = Start(bufio.NewWriter(new(bytes.Buffer)), sc, Options{MaxEvents: 1_000_000})
	if err != nil || r.Execute() != nil || !r.Report.Passed() {
		t.Errorf("a run under the cap: %v, passed %v", err, r.Report.Passed())
	}
}

// TestInputErrors: what a caller asks that cannot be made is an
// *InputError, before anything runs.
func TestInputErrors(t *testing.T) {
	sc := scenarios.Default()
	for _, o := range []Options{{Trace: "yaml"}, {Diagram: true}} {
		if o.Diagram {
			o.DiagramOptions.Nodes = []string{"server-9"}
		}
		_, err := Start(bufio.NewWriter(new(bytes.Buffer)), sc, o)
		var bad *InputError
		if !errors.As(err, &bad) {
			t.Errorf("Start(%+v): %v; want an *InputError", o, err)
		}
	}
}

// TestSharedSchedule: with the text trace, the report's collector takes
// the schedule's lines from the trace writer; the page is the same as a
// run without a trace makes, for scenarios of every kind of line (faults,
// epidemics, a broken server).
func TestSharedSchedule(t *testing.T) {
	for _, p := range scenarios.Presets() {
		sc, err := scenarios.Parse(p.Name, p.TOML)
		if err != nil {
			t.Fatal(err)
		}
		page := func(trace string) string {
			r, err := Start(bufio.NewWriter(new(bytes.Buffer)), sc, Options{Trace: trace, Report: true, MaxEvents: 50_000})
			if err != nil {
				t.Fatal(err)
			}
			var limit *LimitError
			if err := r.Execute(); err != nil && !errors.As(err, &limit) {
				t.Fatal(err)
			}
			var b bytes.Buffer
			if err := r.WriteReport(&b); err != nil {
				t.Fatal(err)
			}
			return b.String()
		}
		if shared, alone := page("text"), page("none"); shared != alone {
			t.Errorf("%s: the page with the text trace differs from the page without at byte %d", p.Name, textdiff.FirstByte(shared, alone))
		}
	}
}
