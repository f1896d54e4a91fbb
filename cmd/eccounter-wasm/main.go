//go:build js && wasm

// Command eccounter-wasm is the simulator compiled to WebAssembly for the
// browser playground (web/index.html). It only converts values: the run is
// package playground's, which is eccounter-sim's own (package runner).
//
// It sets globalThis.eccounter to an object with
//
//	presets: [{name, toml}, ...]       the shipped scenarios, the default first
//	run(name, toml, seed) -> result    seed: a decimal string, or "" for the scenario's own
//	explore(name, toml, syncOnChange) -> {verdict, text, graph, graphNote, error}
//
// where result is {output, report, seed, passed, error}: seed as a decimal
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
	"strconv"
	"strings"
	"syscall/js"

	"eccounter/playground"
	"eccounter/scenarios"
)

func main() {
	var presets []any
	for _, p := range scenarios.Presets() {
		presets = append(presets, map[string]any{"name": p.Name, "toml": string(p.TOML)})
	}
	api := map[string]any{
		"presets": presets,
		"run":     js.FuncOf(run),
		"explore": js.FuncOf(exploreJS),
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
		"report": r.Report,
		"seed":   strconv.FormatInt(r.Seed, 10),
		"passed": r.Passed,
		"error":  errorObject(r.Error),
	}
	return m
}
