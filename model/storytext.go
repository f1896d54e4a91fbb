package model

import (
	"strconv"

	"eccounter/sim"
)

// How much of the story the summary's text tells: the sets and the
// history of each server keep their first and last few, and with more
// than textServers servers only the first few and the last to take the
// value are told.
const (
	textSets    = 3 // first and last, 3 to a line
	textHistory = 3 // first and last values of a history
	textPath    = 4 // nodes of a path, the middle ones elided
	textServers = 8
)

// storyIndent starts the continuation lines of the story, as wide as the
// labels of the summary.
const storyIndent = "              "

// appendText appends the story as lines of the summary, for example:
//
//	story:        993 was set by client-2 at server-2 at 334.426ms; server-3 got it last, at 407.312ms
//	  sets:       1.457ms client-5@server-2 373, 2.577ms client-2@server-2 535, 8.226ms client-1@server-1 522
//	              ... 6 more ...
//	              104.279ms client-1@server-1 930, 214.802ms client-3@server-3 991, 334.426ms client-2@server-2 993
//	  server-2:   0 -> 373 -> 535 -> 856 -> 958 -> 991 -> 993
//	              993 at 334.426ms, set by client-2
//	  server-3:   0 -> 365 -> 797 -> 911 -> 958 -> 991 -> 993
//	              993 at 407.312ms, sync from server-2 sent 400.000ms; path client-2 -> server-2 -> server-3
func (st *Story) appendText(b []byte) []byte {
	b = append(b, "story:        "...)
	if !st.Changed {
		return append(b, "no server's value ever changed\n"...)
	}
	b = strconv.AppendInt(b, st.Value, 10)
	switch {
	case st.HasOrigin:
		b = append(b, " was set by "...)
		b = append(b, st.name(st.Origin.Client)...)
		b = append(b, " at "...)
		b = append(b, st.name(st.Origin.Server)...)
		b = append(b, " at "...)
		b = st.Origin.At.AppendText(b)
		if st.Origins > 1 {
			b = append(b, " (first of "...)
			b = strconv.AppendInt(b, int64(st.Origins), 10)
			b = append(b, " such sets)"...)
		}
	case st.startedWith():
		b = append(b, " was held by server-1 from the start"...)
	default:
		b = append(b, ": where it came from is not kept"...)
	}
	switch {
	case st.Missed > 0:
		b = append(b, "; "...)
		b = strconv.AppendInt(b, int64(st.Missed), 10)
		b = append(b, " of "...)
		b = appendCount(b, len(st.Servers)+st.ServersLeftOut, "server")
		b = append(b, " never got it"...)
	case st.HasLast && len(st.Servers) > 1:
		b = append(b, "; "...)
		b = append(b, st.name(st.Last)...)
		b = append(b, " got it last, at "...)
		b = st.LastAt.AppendText(b)
	}
	b = append(b, '\n')
	b = st.appendSets(b)
	n := len(st.Servers) + st.ServersLeftOut
	if n <= textServers {
		for i := range st.Servers {
			b = st.appendServer(b, &st.Servers[i])
		}
		return b
	}
	// The first few, and the last to take the value, which decided
	// when the servers converged.
	first := textServers - 2
	for i := range first {
		b = st.appendServer(b, &st.Servers[i])
	}
	last := st.HasLast && int(st.Last) >= first && int(st.Last) < len(st.Servers)
	told := first
	if last {
		told++
	}
	b = append(b, "  ...         "...)
	b = appendCount(b, n-told, "more server")
	b = append(b, " (the JSON summary tells the first "...)
	b = strconv.AppendInt(b, int64(min(n, storyServers)), 10)
	b = append(b, ")\n"...)
	if last {
		b = st.appendServer(b, &st.Servers[st.Last])
	}
	return b
}

// startedWith reports whether the value was held from the start (injected).
func (st *Story) startedWith() bool {
	return len(st.Servers) > 0 && st.Servers[0].Start == st.Value && st.Value != 0
}

// appendSets appends the accepted sets, three to a line, the middle
// elided.
func (st *Story) appendSets(b []byte) []byte {
	b = append(b, "  sets:       "...)
	if len(st.Sets) == 0 {
		return append(b, "none accepted\n"...)
	}
	total := len(st.Sets) + st.SetsLeftOut
	show := func(i int) bool { return total <= 2*textSets+1 || i < textSets || i >= total-textSets }
	onLine := 0
	for i := range total {
		if !show(i) {
			if i == textSets {
				b = append(b, '\n')
				b = append(b, storyIndent...)
				b = append(b, "... "...)
				b = strconv.AppendInt(b, int64(total-2*textSets), 10)
				b = append(b, " more ..."...)
				onLine = textSets
			}
			continue
		}
		if onLine == textSets {
			b = append(b, '\n')
			b = append(b, storyIndent...)
			onLine = 0
		} else if onLine > 0 {
			b = append(b, ", "...)
		}
		onLine++
		s := st.Sets[keptIndex(i, total, len(st.Sets))]
		b = s.At.AppendText(b)
		b = append(b, ' ')
		b = append(b, st.name(s.Client)...)
		b = append(b, '@')
		b = append(b, st.name(s.Server)...)
		b = append(b, ' ')
		b = strconv.AppendInt(b, s.Value, 10)
	}
	return append(b, '\n')
}

// keptIndex is where the i-th of total items is among the kept of a
// bounded list: the first storyHead, then the last, counted from the end.
// The i-th must be kept.
func keptIndex(i, total, kept int) int {
	if i < storyHead {
		return i
	}
	return kept - (total - i)
}

// appendServer appends a server's history and how it got the value.
func (st *Story) appendServer(b []byte, ss *ServerStory) []byte {
	label := "  " + st.name(ss.Server) + ":"
	b = append(b, label...)
	for i := len(label); i < len(storyIndent); i++ {
		b = append(b, ' ')
	}
	if len(label) >= len(storyIndent) {
		b = append(b, ' ')
	}
	b = strconv.AppendInt(b, ss.Start, 10)
	total := len(ss.Changes) + ss.ChangesLeftOut
	for i := range total {
		// Eliding one would save nothing.
		if total > 2*textHistory+1 && i >= textHistory && i < total-textHistory {
			if i == textHistory {
				b = append(b, " -> ... "...)
				b = strconv.AppendInt(b, int64(total-2*textHistory), 10)
				b = append(b, " more"...)
			}
			continue
		}
		c := ss.Changes[keptIndex(i, total, len(ss.Changes))]
		b = append(b, " -> "...)
		b = strconv.AppendInt(b, c.Value, 10)
		if c.Cause.Word() == "wipe" {
			b = append(b, " (wiped)"...)
		}
	}
	if !ss.Holds {
		b = append(b, " (never got "...)
		b = strconv.AppendInt(b, st.Value, 10)
		return append(b, ")\n"...)
	}
	if !ss.HasGot {
		return append(b, " (from the start)\n"...)
	}
	b = append(b, '\n')
	b = append(b, storyIndent...)
	b = strconv.AppendInt(b, st.Value, 10)
	b = append(b, " at "...)
	b = ss.Got.AppendText(b)
	if len(ss.Chain) > 0 {
		b = append(b, ", "...)
		b = st.appendCause(b, ss.Chain[0].Change)
	}
	// A path says more than the cause when the value went through
	// another server, or came from a start.
	if n := len(ss.Chain); n > 1 || !ss.ChainComplete || n == 1 && ss.Chain[0].Change.Cause.peer(st.servers) {
		b = append(b, "; path "...)
		b = st.appendPath(b, ss)
	}
	return append(b, '\n')
}

// appendPath appends the servers the value went through to reach ss,
// from the client that set it: "client-4 -> server-2 -> server-3", the
// middle elided when long.
func (st *Story) appendPath(b []byte, ss *ServerStory) []byte {
	var path []string
	switch end := ss.Chain[len(ss.Chain)-1]; {
	case !ss.ChainComplete:
		path = append(path, "... (earlier links not kept)")
	case end.Change.Cause.Kind == sim.Deliver && end.Change.Cause.Msg == Set:
		path = append(path, st.name(end.Change.Cause.From))
	case end.Change.Cause.peer(st.servers):
		path = append(path, st.name(end.Change.Cause.From)+" (from the start)")
	}
	for i := len(ss.Chain) - 1; i >= 0; i-- {
		path = append(path, st.name(ss.Chain[i].Server))
	}
	for i, name := range path {
		if len(path) > textPath+1 && i >= textPath/2 && i < len(path)-textPath/2 {
			if i == textPath/2 {
				b = append(b, " -> ... "...)
				b = strconv.AppendInt(b, int64(len(path)-textPath/2*2), 10)
				b = append(b, " more"...)
			}
			continue
		}
		if i > 0 {
			b = append(b, " -> "...)
		}
		b = append(b, name...)
	}
	return b
}

// appendCause says what made a server take a value: "set by client-4",
// "sync from server-2 sent 335.120ms", "restart" (a broken server).
func (st *Story) appendCause(b []byte, c Change) []byte {
	cause := c.Cause
	switch {
	case cause.Kind == sim.Deliver && cause.Msg == Set:
		b = append(b, "set by "...)
		return append(b, st.name(cause.From)...)
	case cause.Kind == sim.Deliver:
		b = append(b, cause.Word()...)
		b = append(b, " from "...)
		b = append(b, st.name(cause.From)...)
		if cause.HasSent {
			b = append(b, " sent "...)
			b = cause.Sent.AppendText(b)
		}
		return b
	}
	return append(b, cause.Word()...)
}

// appendJSON appends the story as the summary record's "story" object.
func (st *Story) appendJSON(b []byte) []byte {
	b = append(b, `{"value":`...)
	b = strconv.AppendInt(b, st.Value, 10)
	b = append(b, `,"origin":`...)
	if st.HasOrigin {
		b = st.appendSetJSON(b, st.Origin)
	} else {
		b = append(b, "null"...)
	}
	b = append(b, `,"origins":`...)
	b = strconv.AppendInt(b, int64(st.Origins), 10)
	b = append(b, `,"sets":[`...)
	for i, s := range st.Sets {
		if i > 0 {
			b = append(b, ',')
		}
		b = st.appendSetJSON(b, s)
	}
	b = append(b, `],"sets_left_out":`...)
	b = strconv.AppendInt(b, int64(st.SetsLeftOut), 10)
	b = append(b, `,"servers":[`...)
	for i := range st.Servers {
		ss := &st.Servers[i]
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"server":`...)
		b = sim.AppendJSONString(b, st.name(ss.Server))
		b = append(b, `,"start":`...)
		b = strconv.AppendInt(b, ss.Start, 10)
		b = append(b, `,"changes":[`...)
		for j, c := range ss.Changes {
			if j > 0 {
				b = append(b, ',')
			}
			b = append(b, '{')
			b = st.appendChangeJSON(b, c)
			b = append(b, '}')
		}
		b = append(b, `],"changes_left_out":`...)
		b = strconv.AppendInt(b, int64(ss.ChangesLeftOut), 10)
		b = append(b, `,"holds":`...)
		b = strconv.AppendBool(b, ss.Holds)
		b = append(b, `,"got":`...)
		b = sim.AppendJSONOptInt(b, int64(ss.Got), ss.HasGot)
		b = append(b, `,"chain":[`...)
		for j, l := range ss.Chain {
			if j > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"server":`...)
			b = sim.AppendJSONString(b, st.name(l.Server))
			b = append(b, ',')
			b = st.appendChangeJSON(b, l.Change)
			b = append(b, '}')
		}
		b = append(b, `],"chain_complete":`...)
		b = strconv.AppendBool(b, ss.ChainComplete)
		b = append(b, '}')
	}
	b = append(b, `],"servers_left_out":`...)
	b = strconv.AppendInt(b, int64(st.ServersLeftOut), 10)
	return append(b, '}')
}

func (st *Story) appendSetJSON(b []byte, s AcceptedSet) []byte {
	b = append(b, `{"t":`...)
	b = strconv.AppendInt(b, int64(s.At), 10)
	b = append(b, `,"client":`...)
	b = sim.AppendJSONString(b, st.name(s.Client))
	b = append(b, `,"server":`...)
	b = sim.AppendJSONString(b, st.name(s.Server))
	b = append(b, `,"value":`...)
	b = strconv.AppendInt(b, s.Value, 10)
	b = append(b, `,"id":`...)
	b = strconv.AppendUint(b, uint64(s.ID), 10)
	return append(b, '}')
}

// appendChangeJSON appends the members of a change: "t", "value",
// "cause", "from", "id" and "sent".
func (st *Story) appendChangeJSON(b []byte, c Change) []byte {
	b = append(b, `"t":`...)
	b = strconv.AppendInt(b, int64(c.At), 10)
	b = append(b, `,"value":`...)
	b = strconv.AppendInt(b, c.Value, 10)
	b = append(b, `,"cause":`...)
	b = sim.AppendJSONString(b, c.Cause.Word())
	msg := c.Cause.Kind == sim.Deliver
	b = append(b, `,"from":`...)
	if msg {
		b = sim.AppendJSONString(b, st.name(c.Cause.From))
	} else {
		b = append(b, "null"...)
	}
	b = append(b, `,"id":`...)
	b = sim.AppendJSONOptInt(b, int64(c.Cause.ID), msg)
	b = append(b, `,"sent":`...)
	return sim.AppendJSONOptInt(b, int64(c.Cause.Sent), c.Cause.HasSent)
}
