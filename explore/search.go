package explore

import (
	"encoding/binary"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"

	"eccounter/model"
)

// Explore explores every schedule of cfg within opt's bounds, breadth
// first, and returns the verdict. An error means the configuration is not
// one the explorer can explore (see the package doc).
func Explore(cfg model.Config, opt Options) (Result, error) {
	x, err := newExplorer(cfg, opt)
	if err != nil {
		return Result{}, err
	}
	s := newSearch(x)
	r := s.run()
	switch {
	case x.sym != nil && s.liveCycle:
		// The quotient has a cycle where liveness is judged, which
		// symmetry cannot judge (see symmetry.go): judge the full graph.
		opt.NoSymmetry = true
		r, err = Explore(cfg, opt)
		r.Reductions = "none: symmetry was tried, but the liveness graph has a cycle, which it cannot judge"
		return r, err
	case x.sym != nil:
		r.Reductions = "symmetry (interchangeable clients and servers stored once)"
	case opt.NoSymmetry:
		r.Reductions = "none (-no-symmetry)"
	case !opt.SyncOnChange && !x.unbacked:
		r.Reductions = "none: symmetry applies only with -sync-on-change"
	default:
		r.Reductions = "none: no node is interchangeable with another"
	}
	return r, nil
}

// store is the set of states seen: by fingerprint, or whole.
type store struct {
	exact  map[string]int32
	prints map[uint64]int32
}

func (st *store) lookup(b []byte, print uint64) (int32, bool) {
	if st.exact != nil {
		i, ok := st.exact[string(b)]
		return i, ok
	}
	i, ok := st.prints[print]
	return i, ok
}

func (st *store) put(b []byte, print uint64, i int32) {
	if st.exact != nil {
		st.exact[string(b)] = i
		return
	}
	st.prints[print] = i
}

// fingerprint hashes a state's bytes to 64 bits, eight bytes at a time,
// each mixed with a multiply and a shift (as in splitmix64's finalizer):
// the same on every machine, so that a search is deterministic.
func fingerprint(b []byte) uint64 {
	h := uint64(len(b)) * 0x9e3779b97f4a7c15
	for len(b) >= 8 {
		h = mix(h ^ binary.LittleEndian.Uint64(b))
		b = b[8:]
	}
	var tail uint64
	for i, c := range b {
		tail |= uint64(c) << (8 * i)
	}
	return mix(mix(h ^ tail))
}

func mix(h uint64) uint64 {
	h ^= h >> 30
	h *= 0xbf58476d1ce4e5b9
	h ^= h >> 27
	h *= 0x94d049bb133111eb
	return h ^ h>>31
}

// search is one breadth-first search.
type search struct {
	x    *explorer
	seen store
	// Per state, by index: the state it was first reached from (-1 for
	// the initial states) and which of that state's successors it was.
	parent []int32
	edge   []int32
	// The liveness graph: the states where every client has finished
	// but the servers disagree, with their edges among themselves and
	// the actions enabled in them (see liveness.go).
	live map[int32]*liveNode
	// labels numbers the actions' labels.
	labels map[string]int32

	transitions int64
	depth       int
	graph       *graph // with Options.Graph
	liveCycle   bool   // the liveness graph has a cycle
	deepest     int    // the depth of the deepest state stored
	bad         int32  // the state a step's violation led to, or -1
}

func newSearch(x *explorer) *search {
	s := &search{x: x, live: map[int32]*liveNode{}, labels: map[string]int32{}, bad: -1}
	if x.opt.Graph > 0 {
		s.graph = &graph{max: x.opt.Graph}
		x.steps = true // to label the edges
	}
	if x.opt.Exact {
		s.seen.exact = map[string]int32{}
	} else {
		s.seen.prints = map[uint64]int32{}
	}
	return s
}

func (s *search) states() int64 { return int64(len(s.parent)) }

// add stores a state reached from parent by its edge-th successor, and
// reports whether it is new.
func (s *search) add(b []byte, parent, edge int32) (int32, bool) {
	return s.addPrint(b, fingerprint(b), parent, edge)
}

// addPrint is add for a state whose fingerprint is known already.
func (s *search) addPrint(b []byte, print uint64, parent, edge int32) (int32, bool) {
	if i, ok := s.seen.lookup(b, print); ok {
		return i, false
	}
	i := int32(len(s.parent))
	s.seen.put(b, print, i)
	s.parent = append(s.parent, parent)
	s.edge = append(s.edge, edge)
	return i, true
}

type queued struct {
	id         int32
	start, end int // the state's bytes in the level's arena
}

func (s *search) run() Result {
	x := s.x
	var level, next []queued
	var arena, nextArena, enc []byte
	var found *violation
	foundAt := int32(-1)
	edge := int32(0)
	x.starts(func(w *world, _ []Step, v *violation) {
		if x.sym != nil {
			x.sym.canon(x, w)
		}
		enc = w.encode(enc[:0])
		id, fresh := s.add(enc, -1, edge)
		if v != nil && found == nil {
			found, foundAt = v, id
		}
		if fresh && s.graph != nil {
			s.graph.state(x, id, w, 0)
		}
		if fresh && x.opt.observe != nil {
			x.opt.observe(x, w)
		}
		if fresh {
			level = append(level, queued{id, len(arena), len(arena) + len(enc)})
			arena = append(arena, enc...)
		}
		edge++
	})
	if found != nil {
		return s.counterexample(found, foundAt, -1)
	}
	if s.states() >= x.opt.MaxStates {
		return s.result(Incomplete, fmt.Sprintf("stopped at %d states, the limit of -max-states being %d: the initial states alone are as many", s.states(), x.opt.MaxStates))
	}
	workers := make([]*worker, max(x.opt.Workers, 1))
	for i := range workers {
		wx := x
		if i > 0 {
			wx, _ = newExplorer(x.cfg, x.opt) // the same configuration: no error
			wx.steps = x.steps
		}
		workers[i] = &worker{x: wx}
	}
	for len(level) > 0 {
		next, nextArena = next[:0], nextArena[:0]
		for lo := 0; lo < len(level); lo += chunk * len(workers) {
			batch := level[lo:min(lo+chunk*len(workers), len(level))]
			expandAll(workers, batch, arena)
			if x.opt.Progress != nil {
				x.opt.Progress(s.states(), s.transitions, s.depth)
			}
			{
				// Reading the heap's size stops the world, for some
				// 0.1% of a batch's time.
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				if int64(ms.HeapAlloc) > x.opt.MaxMemory {
					return s.result(Incomplete, fmt.Sprintf("stopped at the memory limit of %d MiB (-max-memory), with %d states stored", x.opt.MaxMemory>>20, s.states()))
				}
			}
			// Merge in the level's order, whatever the workers' pace:
			// the states get the numbers a lone worker would give them.
			for k, q := range batch {
				wk := workers[k/chunk] // see expandAll
				e := &wk.out[k%chunk]
				var live *liveNode
				if e.live {
					live = &liveNode{}
					s.live[q.id] = live
				}
				for n, sc := range e.succ {
					s.transitions++
					b := wk.arena[sc.start:sc.end]
					id, fresh := s.addPrint(b, sc.print, q.id, int32(n))
					if s.graph != nil {
						if fresh {
							var nw world
							decode(&nw, b, x.ns+x.nc, x.nc)
							s.graph.state(x, id, &nw, s.depth+1)
						}
						s.graph.edge(q.id, id, sc.step, x.ns)
					}
					if sc.v != nil {
						s.bad = id
						return s.counterexample(sc.v, q.id, int32(n))
					}
					if live != nil {
						live.edge(s, id, sc.labelText, int32(n))
					}
					if fresh && x.opt.observe != nil {
						var nw world
						decode(&nw, b, x.ns+x.nc, x.nc)
						x.opt.observe(x, &nw)
					}
					if fresh {
						next = append(next, queued{id, len(nextArena), len(nextArena) + len(b)})
						nextArena = append(nextArena, b...)
						s.deepest = s.depth + 1
						if s.states() >= x.opt.MaxStates {
							return s.result(Incomplete, fmt.Sprintf("stopped at %d states, the limit of -max-states being %d", s.states(), x.opt.MaxStates))
						}
					}
				}
				if len(e.succ) == 0 && s.graph != nil && int(q.id) < len(s.graph.g.States) {
					s.graph.g.States[q.id].End = true
				}
				if e.end != nil {
					return s.counterexample(e.end, q.id, -1)
				}
				if s.graph != nil && s.states() > int64(s.graph.max) {
					return s.result(Incomplete, fmt.Sprintf("more than the %d states a state graph can show", s.graph.max))
				}
				if s.states() >= x.opt.MaxStates {
					return s.result(Incomplete, fmt.Sprintf("stopped at %d states, the limit of -max-states being %d", s.states(), x.opt.MaxStates))
				}
			}
		}
		if len(next) > 0 {
			s.depth++
		}
		level, next = next, level
		arena, nextArena = nextArena, arena
	}
	if r, ok := s.liveness(); ok {
		return r
	}
	return s.result(Proved, "")
}

// chunk is how many states of a level a worker expands at a time.
const chunk = 512

// worker expands states on a goroutine of its own, with an explorer of
// its own (the explorers' scratch nodes are not shared).
type worker struct {
	x     *explorer
	out   []expanded
	arena []byte // the successors' states
	acts  []action
	w     world
}

// expanded is one state's successors, in canonical order, and what the
// merge needs to know of the state.
type expanded struct {
	succ []successor
	live bool       // the state is in the liveness graph
	end  *violation // nothing can happen, and that breaks a check
}

type successor struct {
	start, end int    // its state in the worker's arena
	print      uint64 // its fingerprint
	v          *violation
	labelText  string // its action, for the liveness graph (see liveNode.edge)
	step       Step   // with a state graph
}

// expandAll expands batch, chunk states a worker, in parallel.
func expandAll(workers []*worker, batch []queued, arena []byte) {
	var wg sync.WaitGroup
	for i, wk := range workers {
		lo := i * chunk
		if lo >= len(batch) {
			wk.out = wk.out[:0]
			continue
		}
		part := batch[lo:min(lo+chunk, len(batch))]
		wg.Add(1)
		go func() {
			defer wg.Done()
			wk.expand(part, arena)
		}()
	}
	wg.Wait()
}

// expand computes the successors of each state of part.
func (wk *worker) expand(part []queued, arena []byte) {
	x := wk.x
	wk.arena = wk.arena[:0]
	wk.out = slices.Grow(wk.out[:0], len(part))[:len(part)]
	for k, q := range part {
		e := &wk.out[k]
		e.succ, e.end = e.succ[:0], nil
		w := &wk.w
		decode(w, arena[q.start:q.end], x.ns+x.nc, x.nc)
		wk.acts = x.actions(w, wk.acts[:0])
		e.live = x.clientsDone(w) && x.unsettled(w)
		var label string
		x.successors(w, wk.acts, func(nw *world, a action, st Step, v *violation) bool {
			if e.live {
				// Before renaming: the label names the action as w does.
				label = a.label(x.ch.asked)
			}
			if x.sym != nil {
				x.sym.canon(x, nw)
			}
			start := len(wk.arena)
			wk.arena = nw.encode(wk.arena)
			b := wk.arena[start:]
			sc := successor{start: start, end: len(wk.arena), step: st}
			if !x.opt.Exact {
				sc.print = fingerprint(b)
			}
			if v != nil {
				c := *v
				sc.v = &c
			}
			sc.labelText = label
			e.succ = append(e.succ, sc)
			return v == nil // what follows a violation is never merged
		})
		if len(e.succ) == 0 {
			e.end = x.endViolation(w)
		}
	}
}

func (s *search) result(v Verdict, why string) Result {
	r := Result{Verdict: v, Why: why, States: s.states(), Transitions: s.transitions, Depth: max(s.depth, s.deepest)}
	if s.graph != nil && s.states() <= int64(s.graph.max) {
		r.Graph = &s.graph.g
	}
	if !s.x.opt.Exact {
		n := float64(s.states())
		r.Collision = n * n / math.Exp2(65)
	}
	return r
}

// counterexample is the result for a violation found by the edge-th
// successor of state at (edge -1: at the state itself).
func (s *search) counterexample(v *violation, at, edge int32) Result {
	r := s.result(Counterexample, "")
	var w walk
	s.pathTo(&w, at)
	if edge >= 0 {
		s.step(&w, edge)
		if w.v == nil {
			panic("explore: the violation " + v.Check + ": " + v.What + " did not happen again in the schedule's names")
		}
		v = w.v
	} else if end := s.x.endViolation(&w.con); end != nil {
		v = end // in the schedule's names, not the representative's
	}
	r.Check, r.What, r.Path = v.Check, v.What, w.steps
	if g := r.Graph; g != nil {
		bad := at
		if edge >= 0 && s.bad >= 0 {
			bad = s.bad
		}
		for i := bad; i >= 0; i = s.parent[i] {
			g.States[i].OnPath = true
		}
		g.States[bad].Bad = true
		for i := range g.Edges {
			if e := &g.Edges[i]; g.States[e.From].OnPath && g.States[e.To].OnPath && s.parent[e.To] == int32(e.From) {
				e.OnPath = true
			}
		}
	}
	return r
}

// walk follows a path of the search, stepping again from the start: the
// search keeps only the way back to each state, parent by parent, and
// which successor of its parent it was. rep is the state as the search
// stored it, a representative (see symmetry), whose successors the edges
// number; con is the same state in the names of the schedule being
// written, which the steps use. Without symmetry they are the same.
type walk struct {
	rep, con world
	steps    []Step
	v        *violation // the last step's violation, in the schedule's names
}

// pathTo walks to state id.
func (s *search) pathTo(w *walk, id int32) {
	var chain []int32 // edges from the initial state, in order
	for i := id; i >= 0; i = s.parent[i] {
		chain = append(chain, s.edge[i])
	}
	slices.Reverse(chain)
	x := s.x
	k := int32(0)
	x.starts(func(nw *world, st []Step, _ *violation) {
		if k == chain[0] {
			w.con, w.rep = nw.clone(), nw.clone()
			if x.sym != nil {
				x.sym.canon(x, &w.rep)
			}
			w.steps = append(w.steps, st...)
		}
		k++
	})
	for _, e := range chain[1:] {
		s.step(w, e)
	}
}

// step takes the e-th successor of the walk's state.
func (s *search) step(w *walk, e int32) {
	x := s.x
	saved := x.steps
	x.steps = true
	defer func() { x.steps = saved }()
	var target world
	var targetStep Step
	var targetV *violation
	k := int32(0)
	x.successors(&w.rep, x.actions(&w.rep, nil), func(nw *world, _ action, st Step, v *violation) bool {
		if k == e {
			target, targetStep, targetV = nw.clone(), st, v
			return false
		}
		k++
		return true
	})
	if x.sym == nil {
		w.rep, w.con = target, target.clone()
		w.steps = append(w.steps, targetStep)
		w.v = targetV
		return
	}
	x.sym.canon(x, &target)
	want := target.encode(nil)
	var got []byte
	found := false
	x.successors(&w.con, x.actions(&w.con, nil), func(nw *world, _ action, st Step, v *violation) bool {
		c := nw.clone()
		x.sym.canon(x, &c)
		if got = c.encode(got[:0]); !slices.Equal(got, want) {
			return true
		}
		w.con, found = nw.clone(), true
		w.steps = append(w.steps, st)
		w.v = v
		return false
	})
	if !found {
		panic("explore: a state has no successor that is a renaming of its representative's")
	}
	w.rep = target
}
