package sim

import (
	"io"
	"strconv"
)

// JSONLWriter is an observer that writes each step as JSON Lines: first a
// record of what happened, named by InputKind.String ("recv" for a
// delivered message, "timer", "start", "restart", and for steps no node
// handles "drop", "crash", "partition", "partition_heal", "faults_end");
// then one record per note the node made, named by the note's Event; then
// one "send" record per message it sent. So a message's recv record always
// comes before the records of what the receiver did about it. Every record
// has "t" (virtual nanoseconds), "event" and "node" ("" for the whole
// network); message records (send, recv, drop) add "id", "from", "to",
// "msg" and the message's own fields; send records add "arrive", the time
// the network will deliver it (and "duplicate_arrive", that of the second
// copy, if the network duplicates it), and drop records the "reason" (loss,
// partition, down); crash and restart records add "crash" (which of
// Faults.Crashes, from 1, as people count) and "durable"; partition records
// add "partition" (which of Faults.Partitions, from 1).
type JSONLWriter[M Message, N Note] struct {
	w     io.Writer
	names []string // node names, already quoted as JSON strings
	buf   []byte
	err   error
}

// NewJSONLWriter returns a writer of e's steps to w. Add it with e.Observe
// after all nodes are added.
func NewJSONLWriter[M Message, N Note](w io.Writer, e *Engine[M, N]) *JSONLWriter[M, N] {
	j := &JSONLWriter[M, N]{w: w}
	for _, name := range e.names {
		j.names = append(j.names, string(AppendJSONString(nil, name)))
	}
	return j
}

// Err returns the first write error, if any.
func (j *JSONLWriter[M, N]) Err() error { return j.err }

// BeforeStep does nothing: the trace records what happened, after the fact.
func (j *JSONLWriter[M, N]) BeforeStep(Time, NodeID) {}

// AfterStep writes the records of one step.
func (j *JSONLWriter[M, N]) AfterStep(s *Step[M, N]) {
	if j.err != nil {
		return
	}
	b := j.buf[:0]
	b = j.head(b, s.Time, s.In.Kind.String(), s.Node)
	switch s.In.Kind {
	case Deliver:
		b = j.message(b, s.In.ID, s.In.From, s.Node, s.In.Msg)
	case Drop:
		b = j.message(b, s.In.ID, s.In.From, s.Node, s.In.Msg)
		b = append(b, `,"reason":`...)
		b = AppendJSONString(b, s.Reason)
	case Timer:
		b = append(b, `,"timer":`...)
		b = AppendJSONString(b, s.In.Timer)
	case CrashKind, Recover:
		b = append(b, `,"crash":`...)
		b = strconv.AppendInt(b, int64(s.Crash)+1, 10)
		b = append(b, `,"durable":`...)
		b = strconv.AppendBool(b, s.In.Durable)
	case PartitionStart, PartitionEnd:
		b = append(b, `,"partition":`...)
		b = strconv.AppendInt(b, int64(s.Partition)+1, 10)
	}
	b = append(b, "}\n"...)
	for _, n := range s.Notes {
		b = j.head(b, s.Time, n.Event(), s.Node)
		b = n.AppendJSON(b)
		b = append(b, "}\n"...)
	}
	for _, m := range s.Sends {
		b = j.head(b, s.Time, "send", s.Node)
		b = j.message(b, m.ID, s.Node, m.To, m.Msg)
		b = append(b, `,"arrive":`...)
		b = strconv.AppendInt(b, int64(m.Arrive), 10)
		if m.Duplicated {
			b = append(b, `,"duplicate_arrive":`...)
			b = strconv.AppendInt(b, int64(m.Again), 10)
		}
		b = append(b, "}\n"...)
	}
	j.buf = b
	_, j.err = j.w.Write(b)
}

func (j *JSONLWriter[M, N]) head(b []byte, t Time, event string, node NodeID) []byte {
	b = append(b, `{"t":`...)
	b = strconv.AppendInt(b, int64(t), 10)
	b = append(b, `,"event":`...)
	b = AppendJSONString(b, event)
	b = append(b, `,"node":`...)
	if node == NoNode {
		return append(b, `""`...)
	}
	return append(b, j.names[node]...)
}

func (j *JSONLWriter[M, N]) message(b []byte, id MsgID, from, to NodeID, m M) []byte {
	b = append(b, `,"id":`...)
	b = strconv.AppendUint(b, uint64(id), 10)
	b = append(b, `,"from":`...)
	b = append(b, j.names[from]...)
	b = append(b, `,"to":`...)
	b = append(b, j.names[to]...)
	b = append(b, `,"msg":`...)
	b = AppendJSONString(b, m.Kind())
	return m.AppendJSON(b)
}

// AppendJSONOptInt appends v to b as a JSON number, or null if !ok: a
// figure that a run may not have, such as when it converged.
func AppendJSONOptInt(b []byte, v int64, ok bool) []byte {
	if !ok {
		return append(b, "null"...)
	}
	return strconv.AppendInt(b, v, 10)
}

// AppendJSONString appends s to b as a JSON string.
func AppendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}
