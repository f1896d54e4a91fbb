// Package viz draws pictures of one run of the ec-counter protocol as
// self-contained SVG: a space-time diagram of the messages ([Diagram]) and a
// chart of each server's counter over virtual time ([Chart]).
//
// A caller records the run with a [Recorder], an observer, then draws it
// with the run's report:
//
//	c := model.NewCluster(cfg)
//	rec := viz.NewRecorder(c)
//	c.Engine().Observe(rec)
//	report, err := c.Run()
//	err = viz.Diagram(w, rec, report, viz.DiagramOptions{})
//	err = viz.Chart(w, rec, report)
//
// The recorder keeps only what a picture needs: one record per message
// (who, what, when sent, when each copy arrived or was dropped), the value
// changes of the servers, crashes and restarts, partitions and the end of
// the faults. A long run has millions of messages, and a diagram draws a
// few thousand at most: [Recorder.Keep], called before the run with the
// diagram's options, keeps only the messages that diagram can show and
// counts the rest, and [Recorder.NoMessages] keeps none, for a chart. The pictures are written by hand rather than with a plotting
// library, so that the same run gives the same bytes (golden files compare
// them) and so that a page embedding a chart can mark an instant on it:
// the chart's plot area carries its time range and pixel range as data-
// attributes.
//
// [WriteStateGraph] draws another kind of picture: not one run but every
// run of a tiny configuration, the state graph an exhaustive explorer
// found, which the caller hands over as a plain [StateGraph] value.
//
// Package viz imports model and sim; neither imports it.
package viz
