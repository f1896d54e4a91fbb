package main

import (
	"fmt"
	"io"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"eccounter/model"
	"eccounter/scenarios"
	"eccounter/viz"
)

// stats keeps a running mean and variance (Welford's method), so that the
// figures do not depend on summing large numbers first.
type stats struct {
	n        int
	mean, m2 float64
}

func (s *stats) add(x float64) {
	s.n++
	d := x - s.mean
	s.mean += d / float64(s.n)
	s.m2 += d * (x - s.mean)
}

// sd is the sample standard deviation.
func (s *stats) sd() float64 {
	if s.n < 2 {
		return 0
	}
	return math.Sqrt(s.m2 / float64(s.n-1))
}

func (s *stats) String() string { return fmt.Sprintf("%.3f ± %.3f", s.mean, s.sd()) }

// residueString writes a residue, which rumor mongering can make as small
// as 1e-6, with three significant digits.
func residueString(s *stats) string { return fmt.Sprintf("%.3g ± %.2g", s.mean, s.sd()) }

// measurement is what -epidemic found for one scenario over the seeds.
type measurement struct {
	residue, traffic, tAve, tLast stats
	// holding sums over the seeds, per round, the fraction of servers
	// holding the update at its end.
	holding []float64
	failed  int
}

// runEpidemic measures, for each scenario and each seed of the range, how
// one update spreads through the servers under the scenario's [sync]
// strategy, and writes a markdown table of the papers' figures, mean and
// standard deviation over the seeds: residue s, traffic m, t_ave and t_last
// in rounds, and what theory says. With -chart it also draws each
// scenario's mean spread, round by round.
//
// Seeds run in parallel (-jobs), but the figures are added up in seed
// order, so that their last digits are the same on every machine.
func runEpidemic(w io.Writer, scs []*scenarios.Scenario, o options) (int, error) {
	fmt.Fprintf(w, "| scenario | strategy | servers | seeds | residue s | traffic m | t_ave (rounds) | t_last (rounds) | theory |\n")
	fmt.Fprintf(w, "|---|---|---|---|---|---|---|---|---|\n")
	// The chart names a count of servers only if all the scenarios share
	// it; otherwise each curve names its own.
	same := !slices.ContainsFunc(scs, func(sc *scenarios.Scenario) bool { return sc.Servers != scs[0].Servers })
	var curves []viz.Curve
	failed, total := 0, 0
	for _, sc := range scs {
		m, err := measure(sc, o)
		if err != nil {
			return exitFail, err
		}
		failed += m.failed
		total += m.residue.n
		cfg := sc.Config()
		fmt.Fprintf(w, "| %s | %s | %d | %d | %s | %s | %s | %s | %s |\n", markdownCell(filepath.Base(sc.Name)), cfg.DescribeSync(), sc.Servers, m.residue.n,
			residueString(&m.residue), &m.traffic, &m.tAve, &m.tLast, cfg.Theory(m.traffic.mean))
		curve := viz.Curve{Label: cfg.DescribeSync()}
		if !same {
			curve.Label += ", " + model.Count(sc.Servers, "server")
		}
		for _, h := range m.holding {
			curve.Fraction = append(curve.Fraction, h/float64(m.residue.n))
		}
		curves = append(curves, curve)
	}
	if o.chart != "" {
		title := fmt.Sprintf("How one update spreads: mean of %s", model.Count(int(o.seeds.n), "seed"))
		if same {
			title = fmt.Sprintf("How one update spreads: %s, mean of %s", model.Count(scs[0].Servers, "server"), model.Count(int(o.seeds.n), "seed"))
		}
		if err := writeFile(o.outs.get("chart"), func(w io.Writer) error { return viz.Curves(w, title, curves) }); err != nil {
			return exitUsage, err
		}
	}
	if failed > 0 {
		return exitFail, fmt.Errorf("-epidemic: %d of %d runs failed a check; replay one with -seed N", failed, total)
	}
	return exitPass, nil
}

// markdownCell makes text safe in a cell of a Markdown table: a file
// name may hold a bar.
func markdownCell(text string) string { return strings.ReplaceAll(text, "|", `\|`) }

// measureWindow is how many seeds measure runs at a time. Their results
// wait until the window is done to be added up in seed order, so memory
// does not grow with -seeds: a window of results is a few hundred KB,
// where -seeds 1..99999999 held 8 GB of them.
const measureWindow = 4096

// measure runs the seeds of one scenario with o.jobs workers.
func measure(sc *scenarios.Scenario, o options) (*measurement, error) {
	type result struct {
		e      model.Epidemic
		passed bool
		err    error
	}
	n := o.seeds.n
	results := make([]result, min(n, measureWindow))
	m := &measurement{}
	// The sum, over the seeds added so far, of the fraction holding the
	// update at the end of each one's epidemic: what those seeds add to
	// any later round, since after its epidemic ended a seed stays at
	// its last figure.
	var ended float64
	for first := uint64(0); first < n; first += uint64(len(results)) {
		batch := results[:min(uint64(len(results)), n-first)]
		var wg sync.WaitGroup
		next := make(chan int)
		for range min(max(o.jobs, 1), len(batch)) {
			wg.Go(func() {
				for i := range next {
					s := *sc
					s.Seed = o.seeds.seed(first + uint64(i))
					c := model.NewCluster(model.EpidemicConfig(s.Config()))
					spread := model.NewSpread(c)
					c.Engine().Observe(spread)
					r, err := c.Run()
					batch[i] = result{spread.Result(), r.Passed(), err}
				}
			})
		}
		for i := range batch {
			next <- i
		}
		close(next)
		wg.Wait()

		for _, r := range batch {
			if r.err != nil {
				return nil, r.err
			}
			if !r.passed {
				m.failed++
			}
			e := r.e
			m.residue.add(e.Residue)
			m.traffic.add(e.Traffic)
			m.tAve.add(e.TAve)
			m.tLast.add(e.TLast)
			if len(e.Holding) == 0 {
				continue
			}
			// A round no seed before reached starts at what those
			// seeds ended on: the same sums, in the same order, as
			// adding every seed's figure round by round.
			for len(m.holding) < len(e.Holding) {
				m.holding = append(m.holding, ended)
			}
			for i := range m.holding {
				h := e.Holding[min(i, len(e.Holding)-1)]
				m.holding[i] += float64(h) / float64(sc.Servers)
			}
			ended += float64(e.Holding[len(e.Holding)-1]) / float64(sc.Servers)
		}
	}
	return m, nil
}
