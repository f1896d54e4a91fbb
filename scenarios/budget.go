package scenarios

import (
	"fmt"
	"math"
	"time"

	"eccounter/model"
	"eccounter/sim"
)

// The memory a run takes that a scenario decides, bounded so that a legal
// but explosive scenario is refused before it runs the machine out of
// memory, rather than after.
const (
	// MaxInFlight bounds the messages a scenario may keep in flight at
	// once, as inFlight estimates them: each is an event in the queue, of
	// about 100 bytes with its place in the heap, so ten million are
	// about a gigabyte.
	MaxInFlight = 10_000_000
	// MaxPartitionCells bounds partitions times nodes: the simulator keeps,
	// for each [[partition]], the group of every node in 4 bytes, so fifty
	// million are 200 MB.
	MaxPartitionCells = 50_000_000
)

// exponentialQuantile is how many means past the floor an exponential
// latency is taken to reach at most: ln(1000), its 99.9th percentile. The
// tail goes on for ever, but in flight at once are the messages of the
// latest rounds, and only one in a thousand outlives this.
var exponentialQuantile = math.Log(1000)

// latencyBounds returns the shortest and (for exponential: nearly) the
// longest delay of the scenario's latency.
func (s *Scenario) latencyBounds() (lo, hi time.Duration) {
	l := &s.Latency
	switch sim.Distribution(l.Distribution) {
	case sim.Uniform:
		return time.Duration(l.Min), time.Duration(l.Max)
	case sim.Exponential:
		return time.Duration(l.Floor), time.Duration(l.Floor) + time.Duration(float64(l.Mean)*exponentialQuantile)
	}
	return time.Duration(l.Fixed), time.Duration(l.Fixed)
}

// flight is one source of messages in flight, the key that sets its pace,
// and how to say so.
type flight struct {
	n   float64
	key string
	why string // "sync_interval 1ns with latency up to 10ms"
	fix string // "lengthen sync_interval or shorten latency"
}

// inFlight estimates the peak number of messages in flight at once, by
// source, from the scenario's values alone. A message is in flight for
// at most the largest latency, hi; so a source that sends n messages every
// interval keeps about n*(hi/interval + 1) in flight: the messages of the
// rounds sent in the last hi, and of the current one. The sources:
//
//   - sync rounds, every sync_interval, all servers in phase: broadcast
//     sends servers*(servers-1) a round; push and ring servers*fanout;
//     pull, push-pull and rumor mongering up to twice that (a request
//     or a rumor, and its answer); direct mail none;
//   - a backing anti-entropy (rumor mongering, direct mail), every
//     anti_entropy: a push-pull with one partner, 2*servers;
//   - direct mail: each accepted set mails servers-1 servers; a client
//     has one set out at a time, which takes at least 2*lo to answer, so
//     each client keeps the mails of up to hi/(2*lo) + 1 sets in flight
//     (and of no more than its requests_per_client);
//   - the clients: one request or reply each, plus those of requests they
//     gave up on, one every request_timeout, while they last (2*hi), and
//     no more than requests_per_client in all.
//
// Every count grows by the duplicate rate. Loss does not shrink it: a lost
// message is dropped only when it would have arrived.
func (s *Scenario) inFlight() []flight {
	lo, hi := s.latencyBounds()
	servers, clients, requests := float64(s.Servers), float64(s.Clients), float64(s.RequestsPerClient)
	rounds := func(every Duration) float64 { return math.Floor(float64(hi)/float64(every)) + 1 }
	upTo := "latency up to " + Duration(roundDuration(hi)).String()
	if sim.Distribution(s.Latency.Distribution) == sim.Exponential {
		upTo += " (its 99.9th percentile)"
	}
	st := model.Strategy(s.Sync.Strategy)
	perRound := st.MessagesPerRound(s.Servers, s.Sync.Fanout)
	fs := []flight{{
		n:   perRound * rounds(s.SyncInterval),
		key: "sync_interval",
		why: fmt.Sprintf("%d servers syncing by %s every %v with %s", s.Servers, st, s.SyncInterval, upTo),
		fix: "lengthen sync_interval, shorten latency or use fewer servers",
	}}
	if st.Backable() && s.Sync.AntiEntropy > 0 {
		fs = append(fs, flight{
			n:   2 * servers * rounds(s.Sync.AntiEntropy),
			key: "sync.anti_entropy",
			why: fmt.Sprintf("%d servers running anti-entropy every %v with %s", s.Servers, s.Sync.AntiEntropy, upTo),
			fix: "lengthen anti_entropy, shorten latency or use fewer servers",
		})
	}
	if perSet := st.MessagesPerSet(s.Servers); perSet > 0 {
		fs = append(fs, flight{
			n:   clients * perSet * min(requests, math.Floor(float64(hi)/float64(2*lo))+1),
			key: "clients",
			why: fmt.Sprintf("%d clients whose sets are each mailed to %d servers, with latency from %v up to %v", s.Clients, s.Servers-1, Duration(lo), Duration(roundDuration(hi))),
			fix: "use fewer clients or servers, or a narrower latency",
		})
	}
	fs = append(fs, flight{
		n:   clients * min(requests, math.Floor(float64(2*hi)/float64(s.RequestTimeout))+1),
		key: "request_timeout",
		why: fmt.Sprintf("%d clients giving up on requests after %v with %s", s.Clients, s.RequestTimeout, upTo),
		fix: "lengthen request_timeout, shorten latency or use fewer clients",
	})
	for i := range fs {
		fs[i].n *= 1 + s.Duplicate
	}
	return fs
}

// checkMemory refuses a scenario whose run would hold more than
// MaxInFlight messages or MaxPartitionCells partition groups, naming the
// largest source and the way out.
func (s *Scenario) checkMemory(keys map[string]position) *Error {
	nodes := int64(s.Servers) + int64(s.Clients)
	if cells := int64(len(s.Partitions)) * nodes; cells > MaxPartitionCells {
		first := MaxPartitionCells/nodes + 1 // the first partition past the limit
		return fail(keys, fmt.Sprintf("partition[%d]", first), "%d partitions over %d nodes keep %d group entries: more than the limit of %d (the simulator keeps the group of every node for each partition); use fewer partitions or fewer clients",
			len(s.Partitions), nodes, cells, MaxPartitionCells)
	}
	total, top := 0.0, flight{}
	for _, f := range s.inFlight() {
		total += f.n
		if f.n > top.n {
			top = f
		}
	}
	if total > MaxInFlight {
		return fail(keys, top.key, "%s keep about %.0f messages in flight: more than the limit of %d; %s", top.why, about(total), MaxInFlight, top.fix)
	}
	return nil
}

// about rounds an estimate to two significant digits: 61234567 is about
// 61000000.
func about(n float64) float64 {
	if n < 100 {
		return math.Round(n)
	}
	unit := math.Pow(10, math.Floor(math.Log10(n))-1)
	return math.Round(n/unit) * unit
}

// roundDuration rounds d to three significant digits, for a message:
// 6.908755279s is 6.91s.
func roundDuration(d time.Duration) time.Duration {
	if d < 1000 {
		return d
	}
	return d.Round(time.Duration(math.Pow(10, math.Floor(math.Log10(float64(d)))-2)))
}
