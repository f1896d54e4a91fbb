package main

import (
	"fmt"
	"io"
	"math"

	"eccounter/model"
	"eccounter/scenarios"
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

// runEpidemic measures, for each seed of the range, how one update spreads
// through the scenario's servers under its [sync] strategy, and writes the
// papers' figures, mean and standard deviation over the seeds, as a row of
// a markdown table: residue s, traffic m, t_ave and t_last in rounds. It
// runs the seeds one after another: the figures are sums over seeds, and
// a fixed order keeps their last digits the same on every machine.
func runEpidemic(w io.Writer, sc *scenarios.Scenario, o options) (int, error) {
	var residue, traffic, tAve, tLast stats
	failed := 0
	for i := range o.seeds.n {
		s := *sc
		s.Seed = o.seeds.first + int64(i)
		cfg := model.EpidemicConfig(s.Config())
		c := model.NewCluster(cfg)
		spread := model.NewSpread(c)
		c.Engine().Observe(spread)
		r, err := c.Run()
		if err != nil {
			return exitFail, err
		}
		if !r.Passed() {
			failed++
		}
		e := spread.Result()
		residue.add(e.Residue)
		traffic.add(e.Traffic)
		tAve.add(e.TAve)
		tLast.add(e.TLast)
	}
	strategy := sc.Sync.Strategy
	if model.Strategy(strategy) != model.StrategyBroadcast {
		strategy += fmt.Sprintf(", fanout %d", sc.Sync.Fanout)
	}
	fmt.Fprintf(w, "| strategy | servers | seeds | residue s | traffic m | t_ave (rounds) | t_last (rounds) | log2 n + ln n |\n")
	fmt.Fprintf(w, "|---|---|---|---|---|---|---|---|\n")
	n := float64(sc.Servers)
	fmt.Fprintf(w, "| %s | %d | %d | %s | %s | %s | %s | %.1f |\n", strategy, sc.Servers, residue.n,
		&residue, &traffic, &tAve, &tLast, math.Log2(n)+math.Log(n))
	if failed > 0 {
		return exitFail, fmt.Errorf("-epidemic: %d of %d runs failed a check; replay one with -seed N", failed, residue.n)
	}
	return exitPass, nil
}
