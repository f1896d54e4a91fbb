// Command build writes the browser playground into a folder that any
// static host serves: index.html, sweep-worker.js, wasm_exec.js and
// eccounter.wasm (the simulator compiled to WebAssembly). Run it from the
// repository:
//
//	go run ./cmd/eccounter-wasm/build -o web
//
// then serve the folder, for example with python3 -m http.server -d web.
// See docs/playground.md.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"eccounter/web"
)

func main() {
	out := flag.String("o", "web", "write the playground into `DIR`")
	full := flag.Bool("full", false, "keep the symbol table and DWARF in eccounter.wasm (no -ldflags=-s -w)")
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "build: no arguments, only flags; run with -h for them")
		os.Exit(2)
	}
	ctx := context.Background()
	// The module's root, wherever in it this runs.
	mod, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if m := strings.TrimSpace(string(mod)); err != nil || m == "" || m == os.DevNull {
		fmt.Fprintln(os.Stderr, "build: run it inside the ec-counter repository (go env GOMOD names no go.mod)")
		os.Exit(2)
	}
	root := filepath.Dir(strings.TrimSpace(string(mod)))
	if err := web.Build(ctx, root, *out, web.Options{Full: *full}); err != nil {
		fmt.Fprintf(os.Stderr, "build: %v\n", err)
		os.Exit(1)
	}
	fi, err := os.Stat(filepath.Join(*out, "eccounter.wasm"))
	if err != nil {
		fmt.Fprintf(os.Stderr, "build: %v\n", err)
		os.Exit(1)
	}
	fmt.Printf("wrote %s: index.html, sweep-worker.js, wasm_exec.js and eccounter.wasm (%.1f MB)\n", *out, float64(fi.Size())/1e6)
}
