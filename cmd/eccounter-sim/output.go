package main

// Output files: -o, -report, -diagram, -chart and -shrink. No output is
// ever left torn, or lost without a word:
//
//   - Before any simulation work, every output path is checked (not a
//     directory, not named twice, not an input of the run) and a temporary
//     file is made beside it, which is also the check that its directory
//     exists and is writable.
//   - The run writes into the temporary files; only when the whole run has
//     succeeded, and each file is flushed, synced and closed without error,
//     is each renamed onto its destination. On any error, or a signal, they
//     are removed and every destination is left as it was.
//
// A destination that exists and is not a regular file (/dev/null, a named
// pipe, a terminal) cannot be replaced by a rename, and need not be: it is
// written in place, as it always was.

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
)

// outputError is output that could not be written. Like bad input, it
// exits 2: the run may have passed, but what it was asked to write is not
// there.
type outputError struct{ err error }

func (e outputError) Error() string { return e.err.Error() }
func (e outputError) Unwrap() error { return e.err }

// output is one output file of the run.
type output struct {
	flag   string   // the flag that names it, without the dash: "o", "chart"
	path   string   // as given, for messages
	target string   // where it lands: path with its symlinks resolved
	f      *os.File // the temporary file; with direct, the destination
	direct bool     // the destination is not a regular file: written in place
	done   bool     // written in full, to be renamed into place
}

// outputs are the output files of one run. A signal may discard them from
// another goroutine, so every change of state holds mu.
type outputs struct {
	mu    sync.Mutex
	files []*output
	over  bool // committed or discarded: nothing more happens to them
}

// get returns the output of -flag, or nil if the flag was not given (or
// outs is nil, as in the runs of a sweep's -check-determinism).
func (s *outputs) get(flag string) *output {
	if s == nil {
		return nil
	}
	for _, f := range s.files {
		if f.flag == flag {
			return f
		}
	}
	return nil
}

// openOutputs checks every output path of o against the inputs (the
// scenario files and the -summarize files) and against each other, and
// makes the temporary file of each. On error, nothing is left behind.
func openOutputs(o *options) (*outputs, error) {
	s := &outputs{}
	var inputs []string
	inputs = append(inputs, o.files...)
	for _, name := range append(slices.Clone(o.summarize), o.judge) {
		if name != "-" && name != "" {
			inputs = append(inputs, name)
		}
	}
	type seen struct {
		out  *output
		fi   fs.FileInfo // the destination's, if it exists
		dir  fs.FileInfo // its directory's
		base string
	}
	var all []seen
	for _, fl := range []struct{ flag, path string }{
		{"o", o.out}, {"report", o.report}, {"diagram", o.diagram}, {"chart", o.chart}, {"shrink", o.shrink}, {"graph", o.ex.graph},
	} {
		if fl.path == "" {
			continue
		}
		out := &output{flag: fl.flag, path: fl.path, target: fl.path}
		fail := func(format string, args ...any) (*outputs, error) {
			s.discard()
			return nil, badInputError{fmt.Sprintf("-%s: %s: ", fl.flag, fl.path) + fmt.Sprintf(format, args...)}
		}
		fi, err := os.Stat(fl.path)
		switch {
		case err == nil && fi.IsDir():
			return fail("is a directory; want a file name")
		case err == nil && !fi.Mode().IsRegular():
			out.direct = true
		case err == nil:
			// Through a symlink, the file it points to is replaced, and
			// the link stays.
			if out.target, err = filepath.EvalSymlinks(fl.path); err != nil {
				return fail("%v", unwrapPath(err))
			}
		case !errors.Is(err, fs.ErrNotExist):
			return fail("%v", unwrapPath(err))
		default:
			fi = nil
		}
		dir := filepath.Dir(out.target)
		dfi, err := os.Stat(dir)
		if err != nil {
			return fail("cannot write in %s: %v", dir, unwrapPath(err))
		}
		cur := seen{out, fi, dfi, filepath.Base(out.target)}
		// Devices may be named by several flags (-o /dev/null -chart
		// /dev/null) and may be inputs too (/dev/stdin): only files are
		// compared.
		if !out.direct {
			for _, in := range inputs {
				ifi, err := os.Stat(in)
				if err == nil && fi != nil && os.SameFile(fi, ifi) {
					if slices.Contains(o.files, in) {
						return fail("is the scenario file %s: the run would overwrite its own input; write to another file", in)
					}
					if in == o.judge {
						return fail("is the trace -judge reads: the run would overwrite its own input; write to another file")
					}
					return fail("is also read by -summarize %s: the run would overwrite its own input; write to another file", in)
				}
			}
			for _, prev := range all {
				if prev.out.direct {
					continue
				}
				same := fi != nil && prev.fi != nil && os.SameFile(fi, prev.fi) ||
					cur.base == prev.base && os.SameFile(cur.dir, prev.dir)
				if same {
					return fail("is also the file of -%s %s; give each output its own file", prev.out.flag, prev.out.path)
				}
			}
		}
		if out.direct {
			out.f, err = os.OpenFile(fl.path, os.O_WRONLY|os.O_TRUNC, 0)
		} else {
			out.f, err = createTemp(dir, cur.base, fi)
		}
		if err != nil {
			return fail("cannot write in %s: %v", dir, unwrapPath(err))
		}
		s.files = append(s.files, out)
		all = append(all, cur)
	}
	return s, nil
}

// createTemp makes the temporary file that becomes dir/base, with the mode
// os.Create would give it: that of the file it replaces, or 0666 less the
// umask. (os.CreateTemp makes files 0600, and Go reads the umask only
// through syscall.Umask, which changes it meanwhile and is not on every
// system; O_EXCL with 0666 lets the kernel apply the umask itself.)
func createTemp(dir, base string, old fs.FileInfo) (*os.File, error) {
	prefix := filepath.Join(dir, "."+base+".tmp"+strconv.Itoa(os.Getpid())+"-")
	for i := 0; ; i++ {
		f, err := os.OpenFile(prefix+strconv.Itoa(i), os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o666)
		if errors.Is(err, fs.ErrExist) && i < 10000 {
			continue // left by a run that was killed
		}
		if err != nil {
			return nil, err
		}
		if old != nil && old.Mode().Perm() != 0 {
			if err := f.Chmod(old.Mode().Perm()); err != nil {
				f.Close()
				os.Remove(f.Name())
				return nil, err
			}
		}
		return f, nil
	}
}

// unwrapPath returns the reason of a *fs.PathError without its path, which
// would be a temporary file's or repeat the one the message names.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// writeFile writes output out with draw, buffered, reporting errors under
// its flag's name; a nil out (the flag was not given) writes nothing. The
// file lands on its destination when the run commits its outputs.
func writeFile(out *output, draw func(io.Writer) error) error {
	if out == nil {
		return nil
	}
	w := bufio.NewWriter(out.f)
	err := draw(w)
	if ferr := w.Flush(); err == nil {
		err = ferr
	}
	if err != nil {
		return outputError{fmt.Errorf("-%s: %s: %w", out.flag, out.path, unwrapPath(err))}
	}
	out.done = true
	return nil
}

// errInterrupted is what committing outputs that a signal discarded says.
var errInterrupted = errors.New("interrupted")

// commit puts every output written in full into place: synced and closed,
// then renamed onto its destination. Outputs not written (a sweep's -chart
// with nothing to draw) are removed, their destinations untouched. If any
// file fails to sync or close, none is renamed.
func (s *outputs) commit() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.over {
		return errInterrupted
	}
	s.over = true
	var err error
	for _, f := range s.files {
		if f.done && !f.direct {
			// Without the sync, a crash soon after the rename could leave
			// the destination empty on some file systems.
			if serr := f.f.Sync(); serr != nil && err == nil {
				err = outputError{fmt.Errorf("-%s: %s: %w", f.flag, f.path, unwrapPath(serr))}
			}
		}
		// Closing is when some file systems report that a write failed.
		if cerr := f.f.Close(); cerr != nil && f.done && err == nil {
			err = outputError{fmt.Errorf("-%s: %s: %w", f.flag, f.path, unwrapPath(cerr))}
		}
	}
	for _, f := range s.files {
		if f.direct {
			continue
		}
		if err != nil || !f.done {
			os.Remove(f.f.Name())
			continue
		}
		if rerr := os.Rename(f.f.Name(), f.target); rerr != nil {
			os.Remove(f.f.Name())
			err = outputError{fmt.Errorf("-%s: %s: %w", f.flag, f.path, unwrapPath(rerr))}
		}
	}
	return err
}

// discard removes every temporary file, leaving the destinations as they
// were. It is safe to call from another goroutine, and more than once.
func (s *outputs) discard() {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.over {
		return
	}
	s.over = true
	for _, f := range s.files {
		f.f.Close()
		if !f.direct {
			os.Remove(f.f.Name())
		}
	}
}
