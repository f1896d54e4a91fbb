// Package report writes a run of the simulator as one self-contained HTML
// page: the resolved scenario, the verdict of every check, the space-time
// diagram and the value chart, the schedule as a filterable table, and a
// time scrubber that shows every node's state at the chosen instant (its
// value, what it waits for, the faults in force, the messages in flight
// and which of them a fault will drop) and marks the instant on the
// diagram and the chart. The instant is an exact nanosecond: the page
// steps from event to event, takes a typed instant or a click on a line
// of the schedule, and keeps the instant in its address (#t=<ns>).
//
// The page fetches nothing: its script, styles and data are inline, so it
// can be mailed, archived or opened from disk. A Collector and a
// viz.Recorder observe the run and keep what the page needs; Write renders
// it after the run.
//
//	c := model.NewCluster(cfg)
//	col, rec := report.NewCollector(c), viz.NewRecorder(c)
//	c.Engine().Observe(col)
//	c.Engine().Observe(rec)
//	r, _ := c.Run()
//	report.Write(w, col, rec, &r, report.Page{...})
package report
