package explore

import (
	"fmt"
	"slices"
)

// Liveness: once every client has finished, every fair path converges.
// A path is fair under per-action weak fairness: an action that stays
// enabled (a message in flight, a timer whose round its links allow) is
// eventually taken. A violation is a fair path that never converges: in a
// finite graph, a cycle of states where every client has finished and the
// servers disagree, reachable from the start, in which every action
// enabled in all of its states is taken somewhere on it.
//
// The search keeps those states and their edges, and judges them once it
// has seen every state, on strongly connected components (Tarjan): a
// component with an edge inside it holds such a cycle if and only if each
// action enabled in all of its states labels one of its inner edges (then
// a cycle through every state and every inner edge of the component is
// fair; and a fair cycle's states lie in one component, where an action
// enabled throughout the component is enabled throughout the cycle, so
// the cycle takes it). Flags carried along paths would miss cycles that
// close on states reached by other paths; components do not.

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
	for _, comp := range s.components(ids) {
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
func (s *search) components(ids []int32) [][]int32 {
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
				if s.live[w] == nil {
					continue // leaves the graph: converged, or a client not done
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
// cycle from that state: it takes in turn an inner edge of each action
// enabled throughout the component, then comes back.
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
	always := slices.Clone(s.live[comp[0]].enabled)
	for _, v := range comp[1:] {
		always = slices.DeleteFunc(always, func(l int32) bool {
			_, found := slices.BinarySearch(s.live[v].enabled, l)
			return !found
		})
	}
	for _, l := range always {
		if !inner[l] {
			return 0, nil, false // a fair path must leave: l keeps it from staying
		}
	}
	entry := comp[0]
	var cycle []int32
	at := entry
	for _, l := range always {
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
