package main

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"eccounter/model"
	"eccounter/scenarios"
)

// firstFailure runs a scenario and returns the name of its first failing
// check, or "" if every check passes.
func firstFailure(sc *scenarios.Scenario) string {
	r, err := model.NewCluster(sc.Config()).Run()
	if err != nil {
		return "aborted"
	}
	for _, c := range r.Checks {
		if !c.Passed() {
			return c.Name
		}
	}
	return ""
}

// shrink makes a failing run smaller while it keeps failing the same check,
// with the same seed: fewer faults, clients, requests and servers. It is
// greedy delta debugging over the scenario's keys, as rapid shrinks a
// generated case: try each smaller candidate in turn, keep the first that
// still fails, start again, stop when none does. Every candidate is
// validated as a scenario file would be, so the result replays as one.
// It returns the smallest failing scenario and how many runs it took.
func shrink(sc *scenarios.Scenario, check string, maxRuns int) (*scenarios.Scenario, int) {
	cur := sc.Resolved() // a swarm's faults become keys that can shrink
	runs := 0
	for improved := true; improved && runs < maxRuns; {
		improved = false
		for _, cand := range candidates(cur) {
			valid, err := scenarios.Parse(cur.Name, cand.TOML())
			if err != nil {
				continue // e.g. faults left with no clients to end them
			}
			runs++
			if firstFailure(valid) == check {
				cur, improved = valid, true
				break
			}
			if runs >= maxRuns {
				break
			}
		}
	}
	return cur, runs
}

// candidates lists scenarios one step smaller than sc, most promising
// first: removing a whole fault removes most of a schedule.
func candidates(sc *scenarios.Scenario) []*scenarios.Scenario {
	var out []*scenarios.Scenario
	with := func(change func(c *scenarios.Scenario)) {
		c := *sc
		c.Partitions = slices.Clone(sc.Partitions)
		c.Crashes = slices.Clone(sc.Crashes)
		change(&c)
		out = append(out, &c)
	}
	for i := range sc.Partitions {
		with(func(c *scenarios.Scenario) { c.Partitions = slices.Delete(c.Partitions, i, i+1) })
	}
	for i := range sc.Crashes {
		with(func(c *scenarios.Scenario) { c.Crashes = slices.Delete(c.Crashes, i, i+1) })
	}
	if sc.Loss > 0 {
		with(func(c *scenarios.Scenario) { c.Loss = 0 })
	}
	if sc.Duplicate > 0 {
		with(func(c *scenarios.Scenario) { c.Duplicate = 0 })
	}
	for _, n := range smaller(sc.Clients) {
		with(func(c *scenarios.Scenario) { c.Clients = n; dropNodes(c) })
	}
	for _, n := range smaller(sc.RequestsPerClient) {
		with(func(c *scenarios.Scenario) { c.RequestsPerClient = n })
	}
	for _, n := range smaller(sc.Servers) {
		with(func(c *scenarios.Scenario) { c.Servers = n; dropNodes(c) })
	}
	return out
}

// smaller lists the sizes to try below n: its half, then one less.
func smaller(n int) []int {
	switch {
	case n <= 1:
		return nil
	case n/2 < n-1:
		return []int{n / 2, n - 1}
	}
	return []int{n - 1}
}

// dropNodes removes from the faults the nodes a smaller cluster no longer
// has, and the faults left with nothing to act on.
func dropNodes(c *scenarios.Scenario) {
	exists := c.HasNode
	var parts []scenarios.Partition
	for _, p := range c.Partitions {
		var groups [][]string
		for _, g := range p.Groups {
			if g = slices.DeleteFunc(slices.Clone(g), func(n string) bool { return !exists(n) }); len(g) > 0 {
				groups = append(groups, g)
			}
		}
		if len(groups) > 0 {
			p.Groups = groups
			parts = append(parts, p)
		}
	}
	c.Partitions = parts
	c.Crashes = slices.DeleteFunc(c.Crashes, func(x scenarios.Crash) bool { return !exists(x.Node) })
}

// describe sums up a scenario's size for the shrink report.
func describe(sc *scenarios.Scenario) string {
	n := func(k int, one, many string) string {
		if k == 1 {
			return "1 " + one
		}
		return fmt.Sprintf("%d %s", k, many)
	}
	return fmt.Sprintf("%s, %s of %s, loss %v, duplicate %v, %s, %s",
		n(sc.Servers, "server", "servers"), n(sc.Clients, "client", "clients"),
		n(sc.RequestsPerClient, "request", "requests"), sc.Loss, sc.Duplicate,
		n(len(sc.Partitions), "partition", "partitions"), n(len(sc.Crashes), "crash", "crashes"))
}

// maxShrinkRuns bounds the work of -shrink; each run is a full simulation.
const maxShrinkRuns = 5000

// runShrink shrinks the failing run of sc, writes the result to out, and
// reports on w. A run that passes has nothing to shrink, and out is left
// as it was.
func runShrink(w io.Writer, sc *scenarios.Scenario, out *output) (int, error) {
	check := firstFailure(sc)
	if check == "" {
		fmt.Fprintf(w, "%s passes every check with seed %d: nothing to shrink\n", sc.Name, sc.Seed)
		return exitPass, nil
	}
	small, runs := shrink(sc, check, maxShrinkRuns)
	var b strings.Builder
	fmt.Fprintf(&b, "# Shrunk by eccounter-sim -shrink from %s, seed %d, which fails %s.\n", sc.Name, sc.Seed, check)
	fmt.Fprintf(&b, "# Smallest scenario found that still fails it, with the same seed.\n")
	b.Write(small.TOML())
	if err := writeFile(out, func(w io.Writer) error { _, err := io.WriteString(w, b.String()); return err }); err != nil {
		return exitUsage, err
	}
	fmt.Fprintf(w, "fails:   %s\nfrom:    %s\nto:      %s\nruns:    %d\nwritten: %s\nreplay:  eccounter-sim %s\n",
		check, describe(sc.Resolved()), describe(small), runs, out.path, scenarios.ShellQuote(out.path))
	return exitFail, nil
}
