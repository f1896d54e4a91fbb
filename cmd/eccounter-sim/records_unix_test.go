//go:build unix

package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestSummarizeFIFO: a named pipe given as a file of records is refused at
// once, saying to give it as standard input, where opening it would wait
// for a writer that may never come. A directory is refused too.
func TestSummarizeFIFO(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "records.fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	type result struct {
		code           int
		stdout, stderr string
	}
	done := make(chan result, 1)
	go func() {
		code, stdout, stderr := runCLI("-summarize", fifo)
		done <- result{code, stdout, stderr}
	}()
	select {
	case r := <-done:
		want := "eccounter-sim: -summarize: " + fifo + " is a named pipe, not a file of records; to read a pipe, give it as standard input: -summarize - < " + fifo + "\n"
		if r.code != exitUsage || r.stdout != "" || r.stderr != want {
			t.Errorf("exit %d, stdout %q, stderr %q; want 2 and %q", r.code, r.stdout, r.stderr, want)
		}
	case <-time.After(10 * time.Second):
		// Let the reader stuck in open go: a writer that writes nothing.
		if w, err := os.OpenFile(fifo, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			w.Close()
		}
		t.Fatal("-summarize of a named pipe with no writer did not return within 10s")
	}

	code, _, stderr := runCLI("-summarize", dir)
	if code != exitUsage || !strings.Contains(stderr, dir+" is a directory, not a file of records") {
		t.Errorf("a directory: exit %d, stderr %q", code, stderr)
	}
}
