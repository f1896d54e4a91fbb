package model

import (
	"encoding/binary"
	"errors"

	"eccounter/sim"
)

// A node's state as bytes, for a search that stores millions of states and
// must tell equal ones apart (package explore): AppendState writes what a
// node holds that can change what it does next, and LoadState puts it
// back into a node of the same configuration, so that the node steps on
// from there as the one it was written from would.
//
// What is written leaves time out but for one distinction. A search has
// no clock; it steps every node at some instant, either the instant of the
// step before or a later one (see package explore). The only thing a
// node's behaviour takes from time is whether a moment it remembers (the
// instant of its last step, the start of its round) is the current
// instant or an earlier one: answerPull's value held before the instant,
// the broken servers that mishandle a coincidence. So a time is written as
// one bit, "now" or "earlier", and read back as now or as the distant
// past. Everything else a node remembers of time (when it started, when
// it sent a request) is for the trace and the timer delays, which a
// search ignores.

// Past is the time LoadState gives what happened at an earlier instant:
// far enough before any now a search uses that no window of the protocol
// (see syncRaceWindow) spans it.
const Past sim.Time = 0

// errShort is LoadState's answer to bytes that AppendState did not write.
var errShort = errors.New("model: node state cut short")

// stateful is a broken server with state of its own besides the real
// server's (see Variant): it writes and reads it after the server's.
type stateful interface {
	appendExtra(b []byte, now sim.Time) []byte
	loadExtra(b []byte, now sim.Time) ([]byte, error)
}

// based is every server node: the real server, or a variant embedding it.
type based interface{ base() *Server }

func (s *Server) base() *Server { return s }

// AppendState appends the state of server r, as of virtual time now, to b.
func AppendState(b []byte, r Replica, now sim.Time) []byte {
	s := r.(based).base()
	var flags byte
	if s.News {
		flags |= 1
	}
	if s.awake {
		flags |= 2
	}
	if s.round.news {
		flags |= 4
	}
	same := s.stepped && s.instant == now
	if same {
		flags |= 8
	}
	b = append(b, flags)
	b = binary.AppendVarint(b, s.Value)
	b = binary.AppendUvarint(b, uint64(s.Counted))
	if same {
		b = binary.AppendVarint(b, s.held)
	}
	if s.Strategy.IsRumor() {
		// A round's contacts count only as none or some (newRound), so
		// they are written as 0 or 1: a server that answers pull after
		// pull in a round that never ends would otherwise count for ever,
		// and no search of it would end.
		r := &s.round
		b = binary.AppendVarint(b, r.value)
		b = append(b, byte(min(r.contacts, 1)), byte(min(r.necessary, 1)))
	}
	if x, ok := r.(stateful); ok {
		b = x.appendExtra(b, now)
	}
	return b
}

// LoadState reads the state AppendState wrote of a server of the same
// configuration into r, as of virtual time now, and returns the bytes
// after it.
func LoadState(b []byte, r Replica, now sim.Time) ([]byte, error) {
	s := r.(based).base()
	if len(b) == 0 {
		return nil, errShort
	}
	flags := b[0]
	b = b[1:]
	s.News, s.awake, s.round.news = flags&1 != 0, flags&2 != 0, flags&4 != 0
	s.origin = Past
	var err error
	if s.Value, b, err = varint(b); err != nil {
		return nil, err
	}
	var n uint64
	if n, b, err = uvarint(b); err != nil {
		return nil, err
	}
	s.Counted = int(n)
	s.stepped, s.instant, s.held = true, Past, s.Value
	if flags&8 != 0 {
		s.instant = now
		if s.held, b, err = varint(b); err != nil {
			return nil, err
		}
	}
	if s.Strategy.IsRumor() {
		r := &s.round
		if r.value, b, err = varint(b); err != nil {
			return nil, err
		}
		if len(b) < 2 {
			return nil, errShort
		}
		r.contacts, r.necessary, b = int(b[0]), int(b[1]), b[2:]
	} else {
		s.round = round{}
	}
	if x, ok := r.(stateful); ok {
		return x.loadExtra(b, now)
	}
	return b, nil
}

// AppendState appends the state of the client to b: where it is in its
// requests, and the one outstanding. The time it sent it is left out (see
// above): only the trace reads it.
func (c *Client) AppendState(b []byte) []byte {
	var flags byte
	if c.Waiting {
		flags |= 1
	}
	if c.Done {
		flags |= 2
	}
	b = append(b, flags, byte(c.Pending.Type))
	b = binary.AppendUvarint(b, uint64(c.Sent))
	b = binary.AppendVarint(b, c.Pending.Value)
	return binary.AppendUvarint(b, uint64(c.Timer))
}

// LoadState reads the state AppendState wrote of a client of the same
// configuration, and returns the bytes after it.
func (c *Client) LoadState(b []byte) ([]byte, error) {
	if len(b) < 2 {
		return nil, errShort
	}
	c.Waiting, c.Done, c.Pending.Type = b[0]&1 != 0, b[0]&2 != 0, MsgType(b[1])
	b = b[2:]
	n, b, err := uvarint(b)
	if err != nil {
		return nil, err
	}
	c.Sent = int(n)
	c.Pending.Req = uint32(n)
	if c.Pending.Value, b, err = varint(b); err != nil {
		return nil, err
	}
	if n, b, err = uvarint(b); err != nil {
		return nil, err
	}
	c.Timer, c.Invoked = sim.TimerID(n), Past
	return b, nil
}

func varint(b []byte) (int64, []byte, error) {
	v, n := binary.Varint(b)
	if n <= 0 {
		return 0, nil, errShort
	}
	return v, b[n:], nil
}

func uvarint(b []byte) (uint64, []byte, error) {
	v, n := binary.Uvarint(b)
	if n <= 0 {
		return 0, nil, errShort
	}
	return v, b[n:], nil
}

// appendTime writes a time the way the state does: 1 if it is now.
func appendTime(b []byte, t, now sim.Time) []byte {
	if t == now {
		return append(b, 1)
	}
	return append(b, 0)
}

// loadTime reads what appendTime wrote.
func loadTime(b []byte, now sim.Time) (sim.Time, []byte, error) {
	if len(b) == 0 {
		return 0, nil, errShort
	}
	if b[0] == 1 {
		return now, b[1:], nil
	}
	return Past, b[1:], nil
}

// The broken servers' own state.

func (s *earlyReplyServer) appendExtra(b []byte, _ sim.Time) []byte {
	return binary.AppendVarint(b, s.disk)
}

func (s *earlyReplyServer) loadExtra(b []byte, _ sim.Time) (rest []byte, err error) {
	s.disk, rest, err = varint(b)
	return rest, err
}

func (s *hoarderServer) appendExtra(b []byte, _ sim.Time) []byte {
	return binary.AppendVarint(b, s.fromPeers)
}

func (s *hoarderServer) loadExtra(b []byte, _ sim.Time) (rest []byte, err error) {
	s.fromPeers, rest, err = varint(b)
	return rest, err
}

func (s *noRelayServer) appendExtra(b []byte, _ sim.Time) []byte {
	return binary.AppendVarint(b, s.fromClients)
}

func (s *noRelayServer) loadExtra(b []byte, _ sim.Time) (rest []byte, err error) {
	s.fromClients, rest, err = varint(b)
	return rest, err
}

func (s *staleCacheServer) appendExtra(b []byte, _ sim.Time) []byte {
	return binary.AppendVarint(b, s.cache)
}

func (s *staleCacheServer) loadExtra(b []byte, _ sim.Time) (rest []byte, err error) {
	s.cache, rest, err = varint(b)
	return rest, err
}

func (s *onceServer) appendExtra(b []byte, _ sim.Time) []byte {
	if s.synced {
		return append(b, 1)
	}
	return append(b, 0)
}

func (s *onceServer) loadExtra(b []byte, _ sim.Time) ([]byte, error) {
	if len(b) == 0 {
		return nil, errShort
	}
	s.synced = b[0] == 1
	return b[1:], nil
}

func (s *syncRaceServer) appendExtra(b []byte, now sim.Time) []byte {
	if !s.rounds {
		return append(b, 2)
	}
	return appendTime(b, s.round, now)
}

func (s *syncRaceServer) loadExtra(b []byte, now sim.Time) (rest []byte, err error) {
	if len(b) > 0 && b[0] == 2 {
		s.rounds, s.round = false, Past
		return b[1:], nil
	}
	s.rounds = true
	s.round, rest, err = loadTime(b, now)
	return rest, err
}
