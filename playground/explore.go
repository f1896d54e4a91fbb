package playground

import (
	"bytes"
	"fmt"
	"strings"

	"eccounter/explore"
	"eccounter/scenarios"
	"eccounter/viz"
)

// Bounds of an exploration in the page, below the command line's: a
// browser tab has a few GiB at most, and a student waits seconds, not
// minutes. A configuration that needs more is for eccounter-sim -explore.
const (
	MaxStates = 1_000_000
	MaxMemory = 1 << 30
)

// ExploreResult is what an exploration gives the page.
type ExploreResult struct {
	// Verdict is "proved", "counterexample" or "incomplete".
	Verdict string
	// Text is what eccounter-sim -explore prints, without its speed
	// line (the page's clock is no part of the result).
	Text string
	// Graph is the state graph as SVG, as -graph draws it, if the
	// configuration has at most viz.MaxGraphStates states; else empty,
	// and GraphNote says why.
	Graph, GraphNote string
	Error            *Error
}

// Explore tries every schedule of the scenario text, named name, as
// eccounter-sim -explore does (with -sync-on-change if syncOnChange), with
// its default bounds, and draws its state graph.
func Explore(name, scenario string, syncOnChange bool) ExploreResult {
	if len(scenario) > scenarios.MaxFileSize {
		msg := fmt.Sprintf("the scenario is larger than %d bytes; a scenario is a few lines of TOML", scenarios.MaxFileSize)
		return ExploreResult{Error: &Error{Message: msg, Text: name + ": " + msg}}
	}
	sc, err := scenarios.Parse(name, []byte(scenario))
	if err != nil {
		return ExploreResult{Error: scenarioError(scenario, err)}
	}
	cfg := sc.Config()
	// As the command line without flags: one loss and one duplicate
	// per schedule if the scenario has them.
	opt := explore.Options{SyncOnChange: syncOnChange, Graph: viz.MaxGraphStates, Workers: 1,
		MaxStates: MaxStates, MaxMemory: MaxMemory}
	if cfg.Faults.Loss > 0 {
		opt.MaxLosses = 1
	}
	if cfg.Faults.Duplicate > 0 {
		opt.MaxDuplicates = 1
	}
	r, err := explore.Explore(cfg, opt)
	if err == nil && r.Graph == nil && r.Verdict == explore.Incomplete {
		// Too many states to draw, which stops a search that draws:
		// search again, for the verdict alone.
		opt.Graph = 0
		r, err = explore.Explore(cfg, opt)
	}
	if err != nil {
		msg := sc.Name + ": -explore: " + strings.TrimPrefix(err.Error(), "explore: ")
		return ExploreResult{Error: &Error{Message: msg, Text: msg}}
	}
	var text bytes.Buffer
	fmt.Fprintf(&text, "%s: %s\n", r.Verdict, explore.Describe(cfg, r, opt))
	if err := explore.WriteText(&text, sc.Name, cfg, r, opt, ""); err != nil {
		return ExploreResult{Error: &Error{Message: err.Error(), Text: err.Error()}}
	}
	res := ExploreResult{Verdict: string(r.Verdict), Text: text.String()}
	if r.Graph == nil {
		res.GraphNote = fmt.Sprintf("no state graph: %d states, and a picture shows at most %d (fewer clients, requests or values, or sync on change, make fewer)", r.States, viz.MaxGraphStates)
		return res
	}
	r.Graph.Title = "every schedule of " + explore.Configuration(cfg) + ", " + explore.Bounds(cfg, opt)
	var g bytes.Buffer
	if err := viz.WriteStateGraph(&g, *r.Graph); err != nil {
		res.GraphNote = "no state graph: " + err.Error()
		return res
	}
	res.Graph = g.String()
	return res
}
