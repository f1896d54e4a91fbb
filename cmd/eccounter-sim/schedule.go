package main

import (
	"errors"
	"fmt"
	"io"
	"strconv"

	"eccounter/model"
	"eccounter/scenarios"
)

// loadSchedule reads the -schedule file (- for standard input) for the
// scenario's nodes; what is wrong with it is bad input.
func loadSchedule(path string, sc *scenarios.Scenario) (model.Schedule, error) {
	r, name := stdin, "standard input"
	if path != "-" {
		f, err := openRecords("-schedule", path)
		if err != nil {
			return model.Schedule{}, err
		}
		defer f.Close()
		r, name = f, path
	}
	cfg := sc.Config()
	s, err := model.ParseSchedule(name, r, &cfg)
	if err != nil {
		return model.Schedule{}, badInputError{"-schedule: " + err.Error()}
	}
	return s, nil
}

// runOrReplay runs c, or replays schedule s on it if s is not nil. A
// schedule that does not fit the scenario is bad input, as a scenario
// that does not parse is.
func runOrReplay(c *model.Cluster, s *model.Schedule) (model.Report, error) {
	if s == nil {
		rep, err := c.Run()
		if err != nil {
			return rep, fmt.Errorf("simulation aborted: %w", err)
		}
		return rep, nil
	}
	rep, err := c.Replay(*s)
	var unfit *model.ScheduleError
	if errors.As(err, &unfit) {
		return rep, badInputError{"-schedule: " + unfit.Error()}
	}
	if err != nil {
		return rep, fmt.Errorf("simulation aborted: %w", err)
	}
	return rep, nil
}

// scheduleCommand is the command line that replays the schedule at path
// on the scenario.
func scheduleCommand(sc *scenarios.Scenario, path string) string {
	cmd := "eccounter-sim -seed " + strconv.FormatInt(sc.Seed, 10) + " -schedule "
	if path == "-" {
		cmd += "-"
	} else {
		cmd += scenarios.ShellQuote(path)
	}
	if sc.Name != scenarios.DefaultName {
		cmd += " " + scenarios.ShellQuote(sc.Name)
	}
	return cmd
}

// writeScheduleLine says, in the summary, that the run followed a
// schedule, and how far.
func writeScheduleLine(w io.Writer, o options) {
	name := scenarios.ShellQuote(o.schedule)
	if o.schedule == "-" {
		name = "standard input"
	}
	fmt.Fprintf(w, "schedule:     %s (%d steps, then the simulator's order)\n", name, len(o.sched.Steps))
}
