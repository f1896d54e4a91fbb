package model

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"eccounter/sim"
)

// replyDelay is how long fakeServer takes to answer, so that a client that
// did not wait for its reply would have two requests outstanding.
const replyDelay = 500 * time.Microsecond

// fakeServer answers the k-th request (from 1) after replyDelay: a get
// with 100+k, a set with 200+k, accepted when k is odd. It keeps every
// request and how many were outstanding when each arrived.
type fakeServer struct {
	requests    []fakeRequest
	outstanding []sim.NodeID // clients waiting for a reply, oldest first
}

type fakeRequest struct {
	at          sim.Time
	from        sim.NodeID
	msg         Msg
	outstanding int // requests received and not yet answered, before this one
}

func (f *fakeServer) Step(env *Env, in Input) {
	switch in.Kind {
	case sim.Deliver:
		f.requests = append(f.requests, fakeRequest{env.Now(), in.From, in.Msg, len(f.outstanding)})
		f.outstanding = append(f.outstanding, in.From)
		env.After(replyDelay, "reply")
	case sim.Timer:
		k := int64(len(f.requests) - len(f.outstanding) + 1)
		to := f.outstanding[0]
		f.outstanding = f.outstanding[1:]
		req := f.requests[k-1].msg.Req // a reply names its request
		switch f.requests[k-1].msg.Type {
		case Get:
			env.Send(to, Msg{Type: GetReply, Value: 100 + k, Req: req})
		case Set:
			env.Send(to, Msg{Type: SetReply, Value: 200 + k, Accepted: k%2 == 1, Req: req})
		}
	}
}

// doneWatcher reads a client's Done after each of its steps.
type doneWatcher struct {
	id   sim.NodeID
	c    *Client
	done []bool
}

func (w *doneWatcher) BeforeStep(sim.Time, sim.NodeID) {}

func (w *doneWatcher) AfterStep(s *Step) {
	if s.Node == w.id {
		w.done = append(w.done, w.c.Done)
	}
}

// clientRun is a client (node 2) talking to fakeServer node 1, next to
// fakeServer node 0, which it must never address.
type clientRun struct {
	client        *Client
	subject, stay *fakeServer
	rec           *stepRecorder
	watch         *doneWatcher
	res           sim.Result
}

func runClient(t *testing.T, c Client, seed int64, lat time.Duration) clientRun {
	t.Helper()
	e := sim.New[Msg, Note](sim.Config{Seed: seed, Latency: sim.Latency{Distribution: sim.Fixed, Fixed: lat}, MaxTime: sim.Time(time.Minute)})
	r := clientRun{client: &c, subject: &fakeServer{}, stay: &fakeServer{}, rec: &stepRecorder{}}
	e.Add("other-server", r.stay)
	e.Add("server", r.subject)
	id := e.Add("client", r.client)
	r.watch = &doneWatcher{id: id, c: r.client}
	e.Observe(r.rec)
	e.Observe(r.watch)
	res, err := e.Run(never)
	if err != nil {
		t.Fatal(err)
	}
	r.res = res
	return r
}

// TestClient checks a client's requests and what it records, against a
// fake server that answers each request after replyDelay.
func TestClient(t *testing.T) {
	tests := []struct {
		name       string
		requests   int
		setRatio   float64
		maxValue   int64
		gets, sets int // -1: some
	}{
		{"no requests", 0, 0.5, 10, 0, 0},
		{"one get", 1, 0, 10, 1, 0},
		{"only gets", 20, 0, 1000, 20, 0},
		{"only sets", 20, 1, 10, 0, 20},
		{"sets of a single value", 5, 1, 1, 0, 5},
		{"mixed", 60, 0.5, 1000, -1, -1},
		{"mostly gets", 60, 0.1, 1000, -1, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runClient(t, Client{Subject: 1, Requests: tt.requests, SetRatio: tt.setRatio, MaxValue: tt.maxValue}, 5, latency)
			c := r.client

			if len(r.stay.requests) != 0 {
				t.Errorf("client sent %d requests to a server other than its subject", len(r.stay.requests))
			}
			reqs := r.subject.requests
			if len(reqs) != tt.requests || c.Sent != tt.requests {
				t.Fatalf("server received %d requests, client counts %d sent, want %d", len(reqs), c.Sent, tt.requests)
			}
			if !c.Done {
				t.Errorf("client not done after its last reply")
			}
			if r.res.Reason != sim.Idle {
				t.Errorf("run ended %v, want idle", r.res.Reason)
			}

			// One at a time: request k is sent when reply k-1 arrives,
			// so it arrives at 1ms + (k-1)*(2ms + replyDelay), with
			// nothing outstanding.
			round := 2*latency + replyDelay
			gets, sets := 0, 0
			values := map[int64]bool{}
			for k, q := range reqs {
				if want := sim.Time(latency + time.Duration(k)*round); q.at != want {
					t.Errorf("request %d arrived at %v, want %v", k+1, q.at, want)
				}
				if q.outstanding != 0 {
					t.Errorf("request %d arrived with %d outstanding", k+1, q.outstanding)
				}
				if q.from != 2 {
					t.Errorf("request %d from node %d", k+1, q.from)
				}
				switch q.msg.Type {
				case Get:
					gets++
				case Set:
					sets++
					values[q.msg.Value] = true
					if q.msg.Value < 0 || q.msg.Value >= tt.maxValue {
						t.Errorf("request %d sets %d, outside [0, %d)", k+1, q.msg.Value, tt.maxValue)
					}
				default:
					t.Errorf("request %d is a %v", k+1, q.msg.Type)
				}
			}
			if (tt.gets >= 0 && gets != tt.gets) || (tt.gets < 0 && gets == 0) ||
				(tt.sets >= 0 && sets != tt.sets) || (tt.sets < 0 && sets == 0) {
				t.Errorf("%d gets and %d sets, want %d and %d (-1: some)", gets, sets, tt.gets, tt.sets)
			}
			if sets >= 10 && tt.maxValue >= 10 && len(values) < 2 {
				t.Errorf("%d sets all of the same value", sets)
			}

			// The notes: an op per reply, then finished after the last.
			steps := r.rec.of(2)
			if len(steps) != tt.requests+1 {
				t.Fatalf("client stepped %d times, want %d", len(steps), tt.requests+1)
			}
			for k, s := range steps {
				last := k == len(steps)-1
				var want []Note
				if k > 0 {
					q := reqs[k-1]
					op := Note{Kind: Op, Op: q.msg.Type, Seq: k, Invoked: q.at - sim.Time(latency)}
					if q.msg.Type == Get {
						op.Value = 100 + int64(k)
					} else {
						op.Value, op.Prev, op.Accepted = q.msg.Value, 200+int64(k), k%2 == 1
					}
					want = append(want, op)
					if wantAt := op.Invoked.Add(round); s.t != wantAt {
						t.Errorf("reply %d at %v, want %v", k, s.t, wantAt)
					}
				}
				if last {
					want = append(want, Note{Kind: Finished, Seq: tt.requests})
				}
				if !slices.Equal(s.notes, want) {
					t.Errorf("step %d (%v at %v) recorded %+v, want %+v", k, s.in.Kind, s.t, s.notes, want)
				}
				if r.watch.done[k] != last {
					t.Errorf("after step %d of %d, Done = %t", k+1, len(steps), r.watch.done[k])
				}
				switch {
				case last && len(s.sends) != 0:
					t.Errorf("client sent %d requests after finishing", len(s.sends))
				case !last && (len(s.sends) != 1 || s.sends[0].To != 1):
					t.Errorf("step %d sent %v, want one request to node 1", k+1, s.sends)
				}
			}
		})
	}
}

// TestClientRequestsIgnoreTiming: the requests a client makes come from its
// own random stream, so they do not change with the network's timing, but
// do with the seed.
func TestClientRequestsIgnoreTiming(t *testing.T) {
	requests := func(seed int64, lat time.Duration) []Msg {
		r := runClient(t, Client{Subject: 1, Requests: 30, SetRatio: 0.5, MaxValue: 1000}, seed, lat)
		var out []Msg
		for _, q := range r.subject.requests {
			out = append(out, q.msg)
		}
		return out
	}
	base := requests(3, time.Millisecond)
	if got := requests(3, 7*time.Millisecond); !slices.Equal(got, base) {
		t.Errorf("latency changed the requests:\n%v\nwant\n%v", got, base)
	}
	if got := requests(4, time.Millisecond); slices.Equal(got, base) {
		t.Errorf("seeds 3 and 4 gave the same requests %v", got)
	}
}

func clusterConfig(seed int64, servers, clients int, a Assignment) Config {
	return Config{
		Seed:         seed,
		Servers:      servers,
		Clients:      clients,
		Requests:     3,
		SetRatio:     0.5,
		MaxValue:     100,
		SyncInterval: 10 * time.Millisecond,
		Assignment:   a,
		Latency:      sim.Latency{Distribution: sim.Uniform, Min: time.Millisecond, Max: 3 * time.Millisecond},
		MaxTime:      time.Minute,
	}
}

func subjects(c *Cluster) []sim.NodeID {
	out := make([]sim.NodeID, c.Config().Clients)
	for i := range out {
		out[i] = c.Subject(i)
	}
	return out
}

// TestClusterRoundRobin: client i (from 0) talks to server i mod Servers,
// and only to it, in a real run.
func TestClusterRoundRobin(t *testing.T) {
	tests := []struct{ servers, clients int }{
		{1, 3}, {3, 7}, {4, 4}, {5, 2},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d servers, %d clients", tt.servers, tt.clients), func(t *testing.T) {
			c := NewCluster(clusterConfig(1, tt.servers, tt.clients, RoundRobin))
			var want []sim.NodeID
			for i := range tt.clients {
				want = append(want, sim.NodeID(i%tt.servers))
			}
			if got := subjects(c); !slices.Equal(got, want) {
				t.Fatalf("subjects %v, want %v", got, want)
			}
			rec := &stepRecorder{}
			c.Engine().Observe(rec)
			r, err := c.Run()
			if err != nil {
				t.Fatal(err)
			}
			if !r.Passed() || r.Reason != sim.Done {
				t.Errorf("run ended %v, passed %t", r.Reason, r.Passed())
			}
			sent := 0
			for i := range tt.clients {
				id := sim.NodeID(tt.servers + i)
				for _, s := range rec.of(id) {
					for _, m := range s.sends {
						sent++
						if m.To != want[i] {
							t.Errorf("client %d sent %v to node %d, want %d", i, m.Msg.Type, m.To, want[i])
						}
					}
				}
			}
			if sent != tt.clients*3 {
				t.Errorf("clients sent %d requests, want %d", sent, tt.clients*3)
			}
		})
	}
}

// TestClusterRandom: each client gets a valid server drawn from the seed.
func TestClusterRandom(t *testing.T) {
	const servers, clients = 4, 30
	bySeed := map[int64][]sim.NodeID{}
	notRoundRobin := false
	for seed := range int64(10) {
		got := subjects(NewCluster(clusterConfig(seed, servers, clients, Random)))
		used := map[sim.NodeID]bool{}
		for i, s := range got {
			if s < 0 || int(s) >= servers {
				t.Fatalf("seed %d: client %d has subject %d, not a server", seed, i, s)
			}
			used[s] = true
			notRoundRobin = notRoundRobin || int(s) != i%servers
		}
		if len(used) < 2 {
			t.Errorf("seed %d: %d clients all on server %v", seed, clients, got[0])
		}
		if again := subjects(NewCluster(clusterConfig(seed, servers, clients, Random))); !slices.Equal(again, got) {
			t.Errorf("seed %d: assignment %v, then %v", seed, got, again)
		}
		bySeed[seed] = got
	}
	if !notRoundRobin {
		t.Errorf("random assignment is round robin for every seed")
	}
	differ := false
	for seed := int64(1); seed < 10; seed++ {
		differ = differ || !slices.Equal(bySeed[seed], bySeed[0])
	}
	if !differ {
		t.Errorf("every seed gives the same assignment %v", bySeed[0])
	}

	// One server: nothing to choose.
	for i, s := range subjects(NewCluster(clusterConfig(3, 1, 5, Random))) {
		if s != 0 {
			t.Errorf("client %d of a one-server cluster has subject %d", i, s)
		}
	}

	// A random cluster runs: its clients talk to their subjects only.
	r, err := NewCluster(clusterConfig(7, servers, 12, Random)).Run()
	if err != nil {
		t.Fatal(err)
	}
	if !r.Passed() || r.Reason != sim.Done {
		t.Errorf("random cluster ended %v, passed %t", r.Reason, r.Passed())
	}
}
