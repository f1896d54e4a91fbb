package explore

import (
	"fmt"
	"slices"
)

// Liveness: once every client has finished, every fair path converges
// (see fairCycle for the fairness); or, for rumor mongering and direct mail
// alone, which promise no convergence, every fair path comes to an end of
// the news (see explorer.unsettled). A violation is a fair path that never
// converges: in a finite graph, a cycle of states where every client has
// finished and the servers disagree, reachable from the start, that takes
// every action enabled on it.
//
// The search keeps those states and their edges, and judges them once it
// has seen every state, on strongly connected components (Tarjan), since
// a cycle's states lie in one component. Flags carried along paths would
// miss cycles that close on states reached by other paths; components do
// not.

// liveNode is a state of the liveness graph.
type liveNode struct {
	edges   []liveEdge
	enabled []int32 // labels of the actions enabled, sorted, distinct
}

// liveEdge is one step from a state: to the state it leads to, by an
// action of the label, the n-th successor of its state.
type liveEdge struct {
	to, label, n int32
}

// edge records the ord-th successor of the node, by an action labelled
// text (see action.label).
func (n *liveNode) edge(s *search, to int32, text string, ord int32) {
	l := s.label(text)
	n.edges = append(n.edges, liveEdge{to, l, ord})
	if i, found := slices.BinarySearch(n.enabled, l); !found {
		n.enabled = slices.Insert(n.enabled, i, l)
	}
}

func (s *search) label(k string) int32 {
	if l, ok := s.labels[k]; ok {
		return l
	}
	l := int32(len(s.labels))
	s.labels[k] = l
	return l
}

// liveness looks for a fair cycle that never converges; if it finds one,
// it returns the counterexample.
func (s *search) liveness() (Result, bool) {
	ids := make([]int32, 0, len(s.live))
	for id := range s.live {
		ids = append(ids, id)
	}
	slices.Sort(ids) // components in an order that does not depend on the map
	all := func(int32) bool { return true }
	for _, comp := range s.components(ids, all) {
		if s.x.sym != nil {
			if s.hasInner(comp) {
				s.liveCycle = true
				return Result{}, false // judged again without symmetry
			}
			continue
		}
		if entry, cycle, ok := s.fairCycle(comp); ok {
			r := s.result(Counterexample, "")
			r.Check = "liveness"
			r.What = fmt.Sprintf("every client has finished, yet a fair schedule of %d step%s repeats for ever without the servers converging", len(cycle), plural(len(cycle)))
			if s.x.unbacked {
				// What the run's checker fails when such a run never
				// stops: it ends at max_time, not by its stop rule.
				r.Check = "converged-to-max"
				r.What = fmt.Sprintf("every client has finished, yet a fair schedule of %d step%s repeats for ever with a server still spreading news: the rumor never dies out", len(cycle), plural(len(cycle)))
			}
			var w walk
			s.pathTo(&w, entry)
			r.Path, w.steps = w.steps, nil
			for _, e := range cycle {
				s.step(&w, e)
			}
			r.Cycle = w.steps
			return r, true
		}
	}
	return Result{}, false
}

// components returns the strongly connected components of the liveness
// graph, each sorted, in a deterministic order: Tarjan's algorithm,
// without recursion.
func (s *search) components(ids []int32, keep func(int32) bool) [][]int32 {
	index := map[int32]int32{}
	low := map[int32]int32{}
	on := map[int32]bool{}
	var stack []int32
	var comps [][]int32
	type frame struct {
		v int32
		i int
	}
	next := int32(0)
	for _, root := range ids {
		if _, seen := index[root]; seen {
			continue
		}
		call := []frame{{root, 0}}
		index[root], low[root] = next, next
		next++
		stack = append(stack, root)
		on[root] = true
		for len(call) > 0 {
			f := &call[len(call)-1]
			edges := s.live[f.v].edges
			if f.i < len(edges) {
				w := edges[f.i].to
				f.i++
				if s.live[w] == nil || !keep(w) {
					continue // leaves the graph (converged, or a client not done), or the part judged
				}
				if _, seen := index[w]; !seen {
					index[w], low[w] = next, next
					next++
					stack = append(stack, w)
					on[w] = true
					call = append(call, frame{w, 0})
				} else if on[w] {
					low[f.v] = min(low[f.v], index[w])
				}
				continue
			}
			v := f.v
			call = call[:len(call)-1]
			if len(call) > 0 {
				u := call[len(call)-1].v
				low[u] = min(low[u], low[v])
			}
			if low[v] == index[v] {
				var comp []int32
				for {
					w := stack[len(stack)-1]
					stack = stack[:len(stack)-1]
					on[w] = false
					comp = append(comp, w)
					if w == v {
						break
					}
				}
				slices.Sort(comp)
				comps = append(comps, comp)
			}
		}
	}
	slices.SortFunc(comps, func(a, b []int32) int { return int(a[0] - b[0]) })
	return comps
}

// hasInner reports whether component comp has an edge inside it: a
// cycle.
func (s *search) hasInner(comp []int32) bool {
	for _, v := range comp {
		for _, e := range s.live[v].edges {
			if _, found := slices.BinarySearch(comp, e.to); found {
				return true
			}
		}
	}
	return false
}

// fairCycle reports whether component comp holds a fair cycle, and if so
// returns a state of it and the edges (successor numbers) of one such
// cycle from that state.
//
// Fairness is strong, per action: an action enabled again and again is
// taken again and again. For a message in flight that is the weak
// fairness the docs promise (it stays enabled until it arrives); for a
// round it is what the bounds need: a round is held back while its links
// are full, so it is enabled on and off, and under weak fairness another
// server's rounds could keep taking the links for ever, a starvation that
// the bound makes and no run has (a real timer goes off whatever the
// links hold).
//
// A component holds a fair cycle if every action enabled in one of its
// states labels one of its inner edges: a cycle through every state and
// inner edge is then fair. If some action enabled in it is never taken
// inside it, a fair cycle cannot pass the states where that action is
// enabled; the search drops them and judges the components of what is
// left, until a component passes or nothing is left (the algorithm for
// Streett conditions of Emerson and Lei).
func (s *search) fairCycle(comp []int32) (int32, []int32, bool) {
	in := map[int32]bool{}
	for _, v := range comp {
		in[v] = true
	}
	inner := map[int32]bool{} // labels of inner edges
	hasInner := false
	for _, v := range comp {
		for _, e := range s.live[v].edges {
			if in[e.to] {
				inner[e.label], hasInner = true, true
			}
		}
	}
	if !hasInner {
		return 0, nil, false
	}
	var enabled []int32 // in some state of comp
	for _, v := range comp {
		for _, l := range s.live[v].enabled {
			if i, found := slices.BinarySearch(enabled, l); !found {
				enabled = slices.Insert(enabled, i, l)
			}
		}
	}
	var never []int32 // enabled in comp, never taken inside it
	for _, l := range enabled {
		if !inner[l] {
			never = append(never, l)
		}
	}
	if len(never) > 0 {
		var rest []int32
		for _, v := range comp {
			if !slices.ContainsFunc(s.live[v].enabled, func(l int32) bool { _, f := slices.BinarySearch(never, l); return f }) {
				rest = append(rest, v)
			}
		}
		keep := map[int32]bool{}
		for _, v := range rest {
			keep[v] = true
		}
		for _, sub := range s.components(rest, func(v int32) bool { return keep[v] }) {
			if entry, cycle, ok := s.fairCycle(sub); ok {
				return entry, cycle, true
			}
		}
		return 0, nil, false
	}
	entry := comp[0]
	var cycle []int32
	at := entry
	for _, l := range enabled {
		var p []int32
		p, at = s.walk(at, in, func(v int32, e liveEdge) bool { return e.label == l })
		cycle = append(cycle, p...)
	}
	p, _ := s.walk(at, in, func(v int32, e liveEdge) bool { return e.to == entry })
	cycle = append(cycle, p...)
	return entry, cycle, true
}

// walk finds, breadth first within the component in, the shortest way
// from state from that ends with an inner edge for which want is true,
// and returns its edges' numbers and the state it ends at.
func (s *search) walk(from int32, in map[int32]bool, want func(v int32, e liveEdge) bool) ([]int32, int32) {
	type prev struct {
		v int32
		n int32
	}
	back := map[int32]prev{from: {-1, -1}}
	queue := []int32{from}
	for len(queue) > 0 {
		v := queue[0]
		queue = queue[1:]
		for _, e := range s.live[v].edges {
			if !in[e.to] {
				continue
			}
			if want(v, e) {
				ns := []int32{e.n}
				for u := v; u != from; u = back[u].v {
					ns = append(ns, back[u].n)
				}
				slices.Reverse(ns)
				return ns, e.to
			}
			if _, seen := back[e.to]; !seen {
				back[e.to] = prev{v, e.n}
				queue = append(queue, e.to)
			}
		}
	}
	panic("explore: no way within a strongly connected component")
}
