package model_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"eccounter/model"
	"eccounter/scenarios"
	"eccounter/sim"
)

// runStory runs a scenario and returns its report and summary text.
func runStory(t *testing.T, sc *scenarios.Scenario) (model.Report, string) {
	t.Helper()
	c := model.NewCluster(sc.Config())
	r, err := c.Run()
	if err != nil {
		t.Fatal(err)
	}
	var text bytes.Buffer
	if err := r.WriteText(&text, c); err != nil {
		t.Fatal(err)
	}
	return r, text.String()
}

func parseScenario(t *testing.T, name, toml string) *scenarios.Scenario {
	t.Helper()
	sc, err := scenarios.Parse(name, []byte(toml))
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

func name(_ *model.Story, id sim.NodeID, servers int) string {
	if int(id) < servers {
		return model.ServerName(int(id))
	}
	return model.ClientName(int(id) - servers)
}

// TestStorySeed42 holds the story of the default run, seed 42, to what
// its golden schedule shows: every accepted set in order, each server's
// value changes with the message that made them, where 993 came from, and
// the sync that brought it to each of the others.
func TestStorySeed42(t *testing.T) {
	golden, err := os.ReadFile("../testdata/default-seed42.golden")
	if err != nil {
		t.Fatal(err)
	}
	sc := scenarios.Default()
	sc.Seed = 42
	r, _ := runStory(t, sc)
	st := &r.Story
	const servers = 3

	line := regexp.MustCompile(`^ *([0-9.]+ms)  (\S+) +(.*)$`)
	setLine := regexp.MustCompile(`^set (\d+) from (client-\d+) -> accepted`)
	update := regexp.MustCompile(`^(?:sync|set) (\d+) from (\S+) (?:-> accepted|-> updated)`)
	sends := regexp.MustCompile(`^sync timer -> sends (\d+) to`)
	final := regexp.MustCompile(`converged: +yes, on (\d+) at`)
	type fact struct{ at, node, value, from string }
	var sets []fact
	history := map[string][]fact{}
	synced := map[string][]fact{} // a server's sync rounds: when, what
	for _, l := range strings.Split(string(golden), "\n") {
		m := line.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		if s := setLine.FindStringSubmatch(m[3]); s != nil {
			sets = append(sets, fact{m[1], m[2], s[1], s[2]})
		}
		if u := update.FindStringSubmatch(m[3]); u != nil {
			history[m[2]] = append(history[m[2]], fact{m[1], m[2], u[1], u[2]})
		}
		if s := sends.FindStringSubmatch(m[3]); s != nil {
			synced[m[2]] = append(synced[m[2]], fact{m[1], m[2], s[1], ""})
		}
	}
	want := final.FindSubmatch(golden)
	if want == nil || len(sets) != 12 {
		t.Fatalf("the golden schedule shows %d accepted sets and final %q", len(sets), want)
	}
	if got := strings.TrimSpace(string(want[1])); st.Value != 993 || got != "993" {
		t.Fatalf("story value %d, golden %s", st.Value, got)
	}

	var gotSets []fact
	for _, s := range st.Sets {
		gotSets = append(gotSets, fact{s.At.String(), name(st, s.Server, servers), itoa(s.Value), name(st, s.Client, servers)})
	}
	if st.SetsLeftOut != 0 || !slices.Equal(gotSets, sets) {
		t.Errorf("sets:\n got %v (%d left out)\nwant %v", gotSets, st.SetsLeftOut, sets)
	}
	// 993's set, as the schedule shows it.
	var origin fact
	for _, s := range sets {
		if s.value == "993" {
			origin = s
		}
	}
	o := st.Origin
	if !st.HasOrigin || (fact{o.At.String(), name(st, o.Server, servers), itoa(o.Value), name(st, o.Client, servers)}) != origin {
		t.Errorf("origin %+v (known %t), the schedule says %+v", o, st.HasOrigin, origin)
	}
	if len(st.Servers) != servers {
		t.Fatalf("%d servers in the story", len(st.Servers))
	}
	for _, ss := range st.Servers {
		node := model.ServerName(int(ss.Server))
		var got []fact
		for _, c := range ss.Changes {
			got = append(got, fact{c.At.String(), node, itoa(c.Value), name(st, c.Cause.From, servers)})
		}
		if !slices.Equal(got, history[node]) {
			t.Errorf("%s changes:\n got %v\nwant %v", node, got, history[node])
		}
		h := history[node]
		last := h[len(h)-1]
		if !ss.Holds || ss.Got.String() != last.at || !ss.ChainComplete {
			t.Errorf("%s: holds %t, got %v, complete %t; the schedule says it took 993 at %s", node, ss.Holds, ss.Got, ss.ChainComplete, last.at)
		}
		end := ss.Chain[len(ss.Chain)-1]
		if end.Change.At.String() != origin.at || end.Change.Cause.Word() != "set" {
			t.Errorf("%s: the chain ends at %+v, not at the set of %+v", node, end, origin)
		}
		if node == origin.node {
			if len(ss.Chain) != 1 {
				t.Errorf("%s: chain %+v, want its own set", node, ss.Chain)
			}
			continue
		}
		// The sync that brought it: the sender's last round before it
		// arrived, which sent 993.
		var round fact
		for _, s := range synced[last.from] {
			if msOf(t, s.at) <= msOf(t, last.at) {
				round = s
			}
		}
		c := ss.Chain[0].Change.Cause
		if len(ss.Chain) != 2 || c.Word() != "sync" || name(st, c.From, servers) != last.from || !c.HasSent ||
			c.Sent.String() != round.at || round.value != "993" {
			t.Errorf("%s: chain %+v, want the sync %s sent at %s, then the set", node, ss.Chain, last.from, round.at)
		}
	}
	checkChains(t, "seed 42", st, servers)
	if st.Origins != 1 {
		t.Errorf("%d origins, want 993's one set", st.Origins)
	}
	if !st.HasLast || st.LastAt != r.ConvergedAt {
		t.Errorf("the last to take 993 did at %v, the servers converged at %v", st.LastAt, r.ConvergedAt)
	}
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }

// msOf reads a time as the schedule prints it, "406.701ms".
func msOf(t *testing.T, s string) float64 {
	f, err := strconv.ParseFloat(strings.TrimSuffix(s, "ms"), 64)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// checkChains holds every chain of a story to what a chain is: each link
// but the last was caused by a peer's message, whose sender is the next
// link's server, which took the value no later than it sent it; every
// link takes the story's value; a complete chain ends with a set.
func checkChains(t *testing.T, what string, st *model.Story, servers int) {
	t.Helper()
	var origins []sim.MsgID
	for _, ss := range st.Servers {
		if n := len(ss.Chain); n > 0 && ss.Chain[n-1].Change.Cause.Word() == "set" && !slices.Contains(origins, ss.Chain[n-1].Change.Cause.ID) {
			origins = append(origins, ss.Chain[n-1].Change.Cause.ID)
		}
	}
	if st.Origins != len(origins) {
		t.Errorf("%s: %d origins, but the chains end at %d sets", what, st.Origins, len(origins))
	}
	for _, ss := range st.Servers {
		for i, l := range ss.Chain {
			c := l.Change.Cause
			if l.Change.Value != st.Value {
				t.Errorf("%s: %s's chain link %d takes %d, not %d", what, model.ServerName(int(ss.Server)), i, l.Change.Value, st.Value)
			}
			if i == len(ss.Chain)-1 {
				if ss.ChainComplete && c.Word() != "set" && !(c.Kind == sim.Deliver && int(c.From) < servers) {
					t.Errorf("%s: %s's complete chain ends with %q", what, model.ServerName(int(ss.Server)), c.Word())
				}
				break
			}
			next := ss.Chain[i+1]
			bound := l.Change.At
			if c.HasSent {
				bound = c.Sent
			}
			if c.Kind != sim.Deliver || c.From != next.Server || next.Change.At > bound {
				t.Errorf("%s: %s's chain link %d (%+v) does not follow from link %d (%+v)", what, model.ServerName(int(ss.Server)), i, l, i+1, next)
			}
		}
		if ss.Holds && ss.HasGot && (len(ss.Chain) == 0 || ss.Chain[0].Change.At != ss.Got) {
			t.Errorf("%s: %s got the value at %v, its chain starts %+v", what, model.ServerName(int(ss.Server)), ss.Got, ss.Chain)
		}
	}
}

// relearnTOML: server-1 takes a client's set, syncs it to server-2, loses
// it in a crash without durable storage, and takes it again from
// server-2.
const relearnTOML = `
servers = 2
clients = 1
requests_per_client = 1
set_ratio = 1.0
sync_interval = "100ms"
faults_until = "1s"

[[crash]]
node = "server-1"
at = "150ms"
restart = "200ms"
durable = false
`

// TestStoryAfterWipe: a server that lost the value in a crash and took
// it again got it when it took it again, and its chain goes through the
// peer it took it from back to its own first taking of it.
func TestStoryAfterWipe(t *testing.T) {
	r, text := runStory(t, parseScenario(t, "relearn.toml", relearnTOML))
	st := &r.Story
	s1 := st.Servers[0]
	var words []string
	for _, c := range s1.Changes {
		words = append(words, c.Cause.Word())
	}
	if !slices.Equal(words, []string{"set", "wipe", "sync"}) {
		t.Fatalf("server-1 changes %v, want set, wipe, sync", words)
	}
	wipe := s1.Changes[1].At
	if !s1.HasGot || s1.Got <= wipe || s1.Got != s1.Changes[2].At {
		t.Errorf("server-1 got %v, want its taking after the wipe at %v, %v", s1.Got, wipe, s1.Changes[2].At)
	}
	var path []string
	for _, l := range s1.Chain {
		path = append(path, model.ServerName(int(l.Server))+" "+l.Change.Cause.Word())
	}
	if want := []string{"server-1 sync", "server-2 sync", "server-1 set"}; !slices.Equal(path, want) || !s1.ChainComplete {
		t.Errorf("server-1 chain %v (complete %t), want %v", path, s1.ChainComplete, want)
	}
	if s1.Chain[2].Change.At >= wipe || s1.Chain[1].Change.Cause.Sent >= wipe {
		t.Errorf("the chain's first links should come before the wipe at %v: %+v", wipe, s1.Chain)
	}
	checkChains(t, "relearn", st, 2)
	for _, want := range []string{
		"  server-1:   0 -> 545 -> 0 (wiped) -> 545\n",
		"sync from server-2 sent 200.000ms; path client-1 -> server-1 -> server-2 -> server-1\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the summary lacks %q:\n%s", want, text)
		}
	}

	// The shipped crash scenario: server-2 wipes 986, then takes 924.
	sc, err := scenarios.Load("../scenarios/crash.toml")
	if err != nil {
		t.Fatal(err)
	}
	r, _ = runStory(t, sc)
	s2 := r.Story.Servers[1]
	n := len(s2.Changes)
	if n < 2 || s2.Changes[n-2].Cause.Word() != "wipe" || s2.Got != s2.Changes[n-1].At || s2.Chain[0].Change.Cause.Word() != "sync" {
		t.Errorf("crash.toml: server-2 changes %+v, got %v, chain %+v", s2.Changes, s2.Got, s2.Chain)
	}
	checkChains(t, "crash.toml", &r.Story, 3)
}

// TestStoryCauses: the chains name the messages each strategy spreads
// values by, and hold together, in every shipped scenario.
func TestStoryCauses(t *testing.T) {
	for _, tt := range []struct {
		file  string
		seed  int64
		words []string // the causes of the chains' links but the set
	}{
		{"../scenarios/default.toml", 1, []string{"sync"}},
		{"../scenarios/rumor.toml", 2, []string{"rumor"}},
		{"../scenarios/mail.toml", 2, []string{"mail"}},
		{"../testdata/tiny-pull.toml", 1, []string{"pull_reply"}},
		{"../testdata/tiny-rumor.toml", 1, []string{"rumor"}},
		{"../testdata/tiny-ring.toml", 1, []string{"sync"}},
	} {
		sc, err := scenarios.Load(tt.file)
		if err != nil {
			t.Fatal(err)
		}
		sc.Seed = tt.seed
		r, text := runStory(t, sc)
		seen := map[string]bool{}
		for _, ss := range r.Story.Servers {
			for i, l := range ss.Chain {
				w := l.Change.Cause.Word()
				if i < len(ss.Chain)-1 {
					seen[w] = true
				}
			}
		}
		var words []string
		for w := range seen {
			words = append(words, w)
		}
		slices.Sort(words)
		if !slices.Equal(words, tt.words) {
			t.Errorf("%s: chains carried by %v, want %v", tt.file, words, tt.words)
		}
		for _, w := range tt.words {
			if !strings.Contains(text, ", "+w+" from server-") {
				t.Errorf("%s: the summary never says %q:\n%s", tt.file, w+" from", text)
			}
		}
		checkChains(t, filepath.Base(tt.file), &r.Story, sc.Servers)
	}
}

// updates counts each server's value changes and keeps every accepted
// set, independently of the story.
type updates struct {
	servers int
	changes [][]model.Change
	sets    []model.AcceptedSet
}

func (u *updates) BeforeStep(sim.Time, sim.NodeID) {}

func (u *updates) AfterStep(s *model.Step) {
	if int(s.Node) >= u.servers || s.Node < 0 {
		return
	}
	for _, n := range s.Notes {
		if n.Kind == model.Update {
			u.changes[s.Node] = append(u.changes[s.Node], model.Change{At: s.Time, Value: n.Value, Prev: n.Prev})
		}
	}
	for _, m := range s.Sends {
		if m.Msg.Type == model.SetReply && m.Msg.Accepted {
			u.sets = append(u.sets, model.AcceptedSet{At: s.Time, Client: s.In.From, Server: s.Node, Value: s.In.Msg.Value, ID: s.In.ID})
		}
	}
}

// TestStoryBounded: a run of 101 servers and thousands of sets keeps the
// first 4 and the last 16 of the sets and of each server's changes, the
// first 100 servers, and says how many it left out; the text elides the
// middle and stays narrow.
func TestStoryBounded(t *testing.T) {
	// server-1 loses its value 12 times, and takes it back each time:
	// 24 changes at least.
	toml := "servers = 101\nclients = 202\nrequests_per_client = 30\nsync_interval = \"50ms\"\nfaults_until = \"1500ms\"\n"
	for i := range 12 {
		toml += fmt.Sprintf("[[crash]]\nnode = \"server-1\"\nat = \"%dms\"\nrestart = \"%dms\"\ndurable = false\n", 130+100*i, 140+100*i)
	}
	sc := parseScenario(t, "big.toml", toml)
	c := model.NewCluster(sc.Config())
	u := &updates{servers: 101, changes: make([][]model.Change, 101)}
	c.Engine().Observe(u)
	r, err := c.Run()
	if err != nil {
		t.Fatal(err)
	}
	var text bytes.Buffer
	r.WriteText(&text, c)
	st := &r.Story
	const head, tail = 4, 16
	keep := func(n int) int { return min(n, head+tail) }
	if len(st.Sets) != keep(len(u.sets)) || st.SetsLeftOut != len(u.sets)-keep(len(u.sets)) || st.SetsLeftOut == 0 {
		t.Fatalf("%d sets kept, %d left out, of %d", len(st.Sets), st.SetsLeftOut, len(u.sets))
	}
	kept := append(slices.Clone(u.sets[:head]), u.sets[len(u.sets)-tail:]...)
	if !slices.Equal(st.Sets, kept) {
		t.Errorf("sets kept:\n got %v\nwant %v", st.Sets, kept)
	}
	if len(st.Servers) != 100 || st.ServersLeftOut != 1 {
		t.Errorf("%d servers told, %d left out", len(st.Servers), st.ServersLeftOut)
	}
	elided := 0
	for _, ss := range st.Servers {
		all := u.changes[ss.Server]
		if len(ss.Changes)+ss.ChangesLeftOut != len(all) || len(ss.Changes) != keep(len(all)) {
			t.Errorf("%s: %d changes kept, %d left out, of %d", model.ServerName(int(ss.Server)), len(ss.Changes), ss.ChangesLeftOut, len(all))
			continue
		}
		if ss.ChangesLeftOut > 0 {
			elided++
			for i, c := range ss.Changes[head:] {
				w := all[len(all)-tail+i]
				if c.At != w.At || c.Value != w.Value {
					t.Errorf("%s: change kept %d is %+v, want %+v", model.ServerName(int(ss.Server)), head+i, c, w)
				}
			}
		}
	}
	if elided == 0 {
		t.Errorf("no server changed more than %d times: the test shows no bound", head+tail)
	}
	checkChains(t, "big.toml", st, 101)
	out := text.String()
	for _, want := range []string{" more servers (the JSON summary tells the first 100)\n", "              ... "} {
		if !strings.Contains(out, want) {
			t.Errorf("the summary lacks %q:\n%s", want, out)
		}
	}
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "story:") || strings.HasPrefix(l, "  ") && !strings.HasPrefix(l, "  pass") {
			if len(l) > 130 {
				t.Errorf("a line of the story is %d wide: %s", len(l), l)
			}
		}
	}
}

// TestStoryInjected: a value server-1 holds from the start, as an
// epidemic measurement injects it, has no set to go back to: the story
// says so, and the chains end at server-1's start.
func TestStoryInjected(t *testing.T) {
	cfg := scenarios.Default().Config()
	cfg.Clients, cfg.Inject = 0, 700
	c := model.NewCluster(cfg)
	r, err := c.Run()
	if err != nil {
		t.Fatal(err)
	}
	var text bytes.Buffer
	r.WriteText(&text, c)
	st := &r.Story
	if st.HasOrigin || st.Value != 700 || st.Servers[0].HasGot || len(st.Servers[0].Chain) != 0 {
		t.Errorf("story %+v", st)
	}
	checkChains(t, "injected", st, 3)
	for _, ss := range st.Servers[1:] {
		if len(ss.Chain) != 1 || !ss.ChainComplete || ss.Chain[0].Change.Cause.From != 0 {
			t.Errorf("%s: chain %+v, complete %t", model.ServerName(int(ss.Server)), ss.Chain, ss.ChainComplete)
		}
	}
	for _, want := range []string{"story:        700 was held by server-1 from the start;", "  server-1:   700 (from the start)\n",
		"; path server-1 (from the start) -> server-2\n"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("the summary lacks %q:\n%s", want, &text)
		}
	}
}
