package main

import (
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
