// Package web is the browser playground: index.html, the page a teacher
// hosts, sweep-worker.js, the web worker its sweeps run in, and Build,
// which writes them into a folder with the two files they load:
// eccounter.wasm (cmd/eccounter-wasm, the simulator compiled to
// WebAssembly) and wasm_exec.js (Go's loader for it, from the toolchain
// that built it, since the two must match). Any static host serves the
// folder: it makes no other request.
//
//	go run ./cmd/eccounter-wasm/build -o web
package web

import (
	"bytes"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Index is the page.
//
//go:embed index.html
var Index []byte

// Worker is the web worker the page's sweeps run in.
//
//go:embed sweep-worker.js
var Worker []byte

// Files are the files of the playground, as Build writes them.
var Files = []string{"index.html", "sweep-worker.js", "wasm_exec.js", "eccounter.wasm"}

// Options are how Build builds.
type Options struct {
	// Go is the go command (default "go", from PATH).
	Go string
	// Full keeps the symbol table and DWARF in the wasm file (without
	// -ldflags=-s -w), for a profiler.
	Full bool
}

// Build writes the playground's four files into dir, made if missing,
// by running go build with GOOS=js GOARCH=wasm in the module at root (the
// folder of go.mod).
func Build(ctx context.Context, root, dir string, o Options) error {
	if o.Go == "" {
		o.Go = "go"
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	args := []string{"build", "-trimpath", "-o", filepath.Join(abs, "eccounter.wasm")}
	if !o.Full {
		args = append(args, "-ldflags=-s -w")
	}
	cmd := exec.CommandContext(ctx, o.Go, append(args, "./cmd/eccounter-wasm")...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build: %v\n%s", err, out)
	}
	goroot, err := goEnv(ctx, o.Go, root, "GOROOT")
	if err != nil {
		return err
	}
	// Go 1.24 moved it from misc/wasm to lib/wasm.
	var js []byte
	for _, sub := range []string{"lib/wasm", "misc/wasm"} {
		if js, err = os.ReadFile(filepath.Join(goroot, sub, "wasm_exec.js")); err == nil {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("wasm_exec.js is in neither lib/wasm nor misc/wasm of GOROOT %s", goroot)
	}
	if err := os.WriteFile(filepath.Join(abs, "wasm_exec.js"), js, 0o644); err != nil {
		return err
	}
	for _, f := range []struct {
		name string
		text []byte
	}{{"index.html", Index}, {"sweep-worker.js", Worker}} {
		// Built into web/ itself, the page is already there.
		if old, err := os.ReadFile(filepath.Join(abs, f.name)); err == nil && bytes.Equal(old, f.text) {
			continue
		}
		if err := os.WriteFile(filepath.Join(abs, f.name), f.text, 0o644); err != nil {
			return err
		}
	}
	return nil
}

func goEnv(ctx context.Context, gocmd, dir, name string) (string, error) {
	cmd := exec.CommandContext(ctx, gocmd, "env", name)
	cmd.Dir = dir
	out, err := cmd.Output()
	v := strings.TrimSpace(string(out))
	if err == nil && v == "" {
		err = errors.New("empty")
	}
	if err != nil {
		return "", fmt.Errorf("go env %s: %v", name, err)
	}
	return v, nil
}
