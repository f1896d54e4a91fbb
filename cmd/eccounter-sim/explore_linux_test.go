package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"
	"testing"
	"unsafe"
)

// openPTY opens a pseudo-terminal: its controller, which reads what is
// written to the terminal, and the terminal.
func openPTY(t *testing.T) (ctl, term *os.File) {
	t.Helper()
	ctl, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	var unlock, n uint32
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, ctl.Fd(), syscall.TIOCSPTLCK, uintptr(unsafe.Pointer(&unlock))); e != 0 {
		ctl.Close()
		t.Skipf("unlockpt: %v", e)
	}
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, ctl.Fd(), syscall.TIOCGPTN, uintptr(unsafe.Pointer(&n))); e != 0 {
		ctl.Close()
		t.Skipf("ptsname: %v", e)
	}
	term, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		ctl.Close()
		t.Skipf("open the terminal: %v", err)
	}
	return ctl, term
}

// TestExploreProgressOnTerminal: with standard error a terminal, -explore
// draws its progress line there and erases it before the verdict, which
// goes to standard output alone.
func TestExploreProgressOnTerminal(t *testing.T) {
	ctl, term := openPTY(t)
	defer ctl.Close()
	drawn := make(chan string)
	go func() {
		var b bytes.Buffer
		io.Copy(&b, ctl) // until the terminal is closed (EIO)
		drawn <- b.String()
	}()
	sc := writeScenario(t, "small.toml", exploreSmall)
	var stdout bytes.Buffer
	code := run([]string{"-explore", "-q", sc}, &stdout, term)
	term.Close()
	got := <-drawn
	if code != exitPass || !strings.HasPrefix(stdout.String(), "proved: ") {
		t.Fatalf("-explore -q %s: exit %d, want 0:\n%s", sc, code, stdout.String())
	}
	// The search may end before the first line is drawn: then the
	// terminal sees the erasing alone.
	if !strings.HasSuffix(got, "\r\x1b[K") {
		t.Errorf("the terminal saw %q, want the progress line erased at the end", got)
	}
	if strings.Contains(got, "proved") {
		t.Errorf("the verdict went to the terminal: %q", got)
	}
	for _, line := range strings.Split(strings.TrimSuffix(got, "\r\x1b[K"), "\x1b[K") {
		if line != "" && !strings.HasPrefix(line, "\rexploring: ") {
			t.Errorf("the terminal saw %q, want progress lines only", line)
		}
	}
}
