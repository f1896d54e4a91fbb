//go:build js && wasm

// Command eccounter-wasm is the simulator compiled to WebAssembly for the
// browser playground (web/index.html). It only converts values: the run is
// package playground's, which is eccounter-sim's own (package runner).
//
// It sets globalThis.eccounter to an object with
//
//	presets: [{name, toml}, ...]       the shipped scenarios, the default first
//	maxScenarioBytes                   the largest scenario run takes (scenarios.MaxFileSize)
//	run(name, toml, seed) -> result    seed: a decimal string, or "" for the scenario's own
//	explore(name, toml, syncOnChange) -> {verdict, text, graph, graphNote, error}
//	sweep(name, toml, first, last, progress) -> Promise of {summary, histogram, histogramNote, total, done, failed, stopped, error}
//	collect()                          a garbage collection (see collect)
//
// sweep runs the seeds first..last (decimal strings) of the scenario, as
// playground.Sweep does, and calls progress(done, failed, total) after each
// chunk of seeds, having let the event loop run first, so that a web
// worker sees its messages (a Stop) between chunks: progress returns false
// to stop.
//
// where result is {output, report, seed, passed, error}: report the page's
// bytes, a Uint8Array (null without a run), seed as a decimal
// string (a JavaScript number does not hold every int64), error null or
// {line, column, start, end, key, message, text} (see playground.Error).
// Then it calls globalThis.eccounterReady(), if the page defined it, and
// stays alive to answer calls.
//
// Build it, with the page, by go run ./cmd/eccounter-wasm/build -o web
// (see docs/playground.md).
package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall/js"

	"eccounter/playground"
	"eccounter/scenarios"
)

// The collector's settings for the page. WebAssembly runs the collector
// on the page's one thread, in the run's time: at Go's default, a run of
// the default scenario (3 MB allocated over a live heap of about 2.5 MB)
// set off two collections, a third of its time in the page. Four times
// the live heap between collections makes that one every few runs. The
// memory limit bounds what that costs an exploration, which may hold a
// gibibyte (playground.MaxMemory): past the limit the collector runs
// as often as it must, well inside the 4 GiB a WebAssembly memory holds.
const (
	gcPercent   = 400
	memoryLimit = 2 << 30
)

func main() {
	debug.SetGCPercent(gcPercent)
	debug.SetMemoryLimit(memoryLimit)
	var presets []any
	for _, p := range scenarios.Presets() {
		presets = append(presets, map[string]any{"name": p.Name, "toml": string(p.TOML)})
	}
	api := map[string]any{
		"presets": presets,
		"run":     js.FuncOf(run),
		"explore": js.FuncOf(exploreJS),
		"sweep":   js.FuncOf(sweepJS),
		"collect": js.FuncOf(collect),
		// The largest scenario run takes, for the page to bound what a
		// share link decompresses to.
		"maxScenarioBytes": scenarios.MaxFileSize,
	}
	js.Global().Set("eccounter", api)
	if ready := js.Global().Get("eccounterReady"); ready.Type() == js.TypeFunction {
		ready.Invoke()
	}
	select {}
}

// run is eccounter.run(name, toml, seed).
func run(_ js.Value, args []js.Value) (out any) {
	// A panic would end the Go program, and with it every later call:
	// the page would be dead. Say what happened instead; a panic is a
	// bug of the simulator, and the message says so.
	defer func() {
		if p := recover(); p != nil {
			msg := fmt.Sprintf("the simulator failed (a bug, please report it with the scenario): %v", p)
			out = result(playground.Result{Error: &playground.Error{Message: msg, Text: msg}})
		}
	}()
	if len(args) != 3 || args[0].Type() != js.TypeString || args[1].Type() != js.TypeString || args[2].Type() != js.TypeString {
		msg := "eccounter.run takes three strings: name, scenario and seed"
		return result(playground.Result{Error: &playground.Error{Message: msg, Text: msg}})
	}
	var seed *int64
	if s := strings.TrimSpace(args[2].String()); s != "" {
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			msg := "seed: want an integer, such as 42"
			return result(playground.Result{Error: &playground.Error{Message: msg, Text: msg}})
		}
		seed = &v
	}
	return result(playground.Run(args[0].String(), args[1].String(), seed))
}

// exploreJS is eccounter.explore(name, toml, syncOnChange).
func exploreJS(_ js.Value, args []js.Value) (out any) {
	defer func() {
		if p := recover(); p != nil {
			msg := fmt.Sprintf("the explorer failed (a bug, please report it with the scenario): %v", p)
			out = map[string]any{"error": errorObject(&playground.Error{Message: msg, Text: msg})}
		}
	}()
	if len(args) != 3 || args[0].Type() != js.TypeString || args[1].Type() != js.TypeString || args[2].Type() != js.TypeBoolean {
		msg := "eccounter.explore takes a name, a scenario and whether servers sync on change"
		return map[string]any{"error": errorObject(&playground.Error{Message: msg, Text: msg})}
	}
	r := playground.Explore(args[0].String(), args[1].String(), args[2].Bool())
	return map[string]any{"verdict": r.Verdict, "text": r.Text, "graph": r.Graph, "graphNote": r.GraphNote, "error": errorObject(r.Error)}
}

// collect is eccounter.collect(): a garbage collection, now. The page
// asks for one once it has shown its first run. The first collection runs
// in code the browser has not yet optimised, and took 50 to 90 ms in the
// page, where later ones take a few: at load no one waits for it, where
// otherwise it came in the middle of the fourth or fifth run.
func collect(js.Value, []js.Value) any {
	runtime.GC()
	return nil
}

// errorObject is e as a JavaScript object, or null.
func errorObject(e *playground.Error) any {
	if e == nil {
		return nil
	}
	return map[string]any{
		"line": e.Line, "column": e.Column, "start": e.Start, "end": e.End,
		"key": e.Key, "message": e.Message, "text": e.Text,
	}
}

// result is r as a JavaScript object.
func result(r playground.Result) map[string]any {
	m := map[string]any{
		"output": r.Output,
		"report": bytesToJS(r.Report),
		"seed":   strconv.FormatInt(r.Seed, 10),
		"passed": r.Passed,
		"error":  errorObject(r.Error),
	}
	return m
}

// bytesToJS is b as a Uint8Array, or null if b is nil. The page gives a
// report to its frame as a Blob of these bytes: made a JavaScript string,
// most of a megabyte was decoded from UTF-8 on every run, a sixth of the
// run's time in the page.
func bytesToJS(b []byte) any {
	if b == nil {
		return nil
	}
	a := js.Global().Get("Uint8Array").New(len(b))
	js.CopyBytesToJS(a, b)
	return a
}

// sweepJS is eccounter.sweep(name, toml, first, last, progress): it
// returns a Promise at once, and sweeps in a goroutine, which may wait for
// the event loop as a function called from JavaScript may not.
func sweepJS(_ js.Value, args []js.Value) any {
	fail := func(msg string) any {
		return js.Global().Get("Promise").Call("resolve", js.ValueOf(map[string]any{"error": errorObject(&playground.Error{Message: msg, Text: msg})}))
	}
	if len(args) != 5 || args[0].Type() != js.TypeString || args[1].Type() != js.TypeString || args[2].Type() != js.TypeString ||
		args[3].Type() != js.TypeString || args[4].Type() != js.TypeFunction {
		return fail("eccounter.sweep takes a name, a scenario, the first and last seeds as strings, and a progress function")
	}
	var seeds [2]int64
	for i := range seeds {
		v, err := strconv.ParseInt(strings.TrimSpace(args[2+i].String()), 10, 64)
		if err != nil {
			return fail("seeds: want two integers, such as 1 and 1000")
		}
		seeds[i] = v
	}
	name, toml, progress := args[0].String(), args[1].String(), args[4]
	total := float64(uint64(seeds[1]) - uint64(seeds[0]) + 1)
	var executor js.Func
	executor = js.FuncOf(func(_ js.Value, pargs []js.Value) any {
		resolve := pargs[0]
		go func() {
			defer executor.Release()
			defer func() {
				if p := recover(); p != nil {
					msg := fmt.Sprintf("the simulator failed (a bug, please report it with the scenario): %v", p)
					resolve.Invoke(map[string]any{"error": errorObject(&playground.Error{Message: msg, Text: msg})})
				}
			}()
			r := playground.Sweep(name, toml, seeds[0], seeds[1], func(done, failed uint64) bool {
				yield()
				return progress.Invoke(float64(done), float64(failed), total).Truthy()
			})
			resolve.Invoke(map[string]any{
				"summary": r.Summary, "histogram": r.Histogram, "histogramNote": r.HistogramNote,
				"total": float64(r.Total), "done": float64(r.Done), "failed": float64(r.Failed),
				"stopped": r.Stopped, "error": errorObject(r.Error),
			})
		}()
		return nil
	})
	return js.Global().Get("Promise").New(executor)
}

// yield waits for the event loop to run once (a timeout of 0), so that
// the messages sent to the page or worker meanwhile are handled.
func yield() {
	ch := make(chan struct{})
	f := js.FuncOf(func(js.Value, []js.Value) any {
		close(ch)
		return nil
	})
	js.Global().Call("setTimeout", f, 0)
	<-ch
	f.Release()
}
