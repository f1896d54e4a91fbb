// Package browsertest runs the browser tests' headless Chromium: the
// report's page and the playground's are driven the same way, and what a
// page logged as wrong, and what it fetched, is collected the same way.
package browsertest

import (
	"context"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// Start starts a headless Chromium of 1280 x 1600 pixels for t, which it
// stops when t ends, and returns a context in which to open tabs, done
// after timeout. It skips t where Chromium is missing (.ci/run installs
// it, so that CI never skips).
func Start(t *testing.T, timeout time.Duration) context.Context {
	t.Helper()
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("chromium is not installed; .ci/run installs it (apt-get install chromium)")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		// Nothing of the browser's own: a test's requests are the page's.
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(filepath.Join(t.TempDir(), "profile")),
		chromedp.WindowSize(1280, 1600),
	)
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel := context.WithTimeout(actx, timeout)
	t.Cleanup(cancel)
	return ctx
}

// Tab is one page of the browser, with what it asked the network for and
// what went wrong in it: an exception, or a console error or warning.
type Tab struct {
	Ctx context.Context

	mu       sync.Mutex // the listener writes from its own goroutine
	requests []string
	problems []string
}

// NewTab opens a tab in parent, a context of Start's or of another tab's
// (then it shares that tab's browser), closed when t ends.
func NewTab(t *testing.T, parent context.Context) *Tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(parent)
	t.Cleanup(cancel)
	b := &Tab{Ctx: ctx}
	err := chromedp.Listen(ctx, func(ev any) {
		b.mu.Lock()
		defer b.mu.Unlock()
		switch ev := ev.(type) {
		case *network.EventRequestWillBeSent:
			b.requests = append(b.requests, ev.Request.URL)
		case *runtime.EventExceptionThrown:
			b.problems = append(b.problems, "exception: "+ev.ExceptionDetails.Text)
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeWarning {
				b.problems = append(b.problems, "console "+string(ev.Type))
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Requests returns the addresses the tab has asked for so far.
func (b *Tab) Requests() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.requests...)
}

// Problems returns what has gone wrong in the tab so far.
func (b *Tab) Problems() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.problems...)
}
