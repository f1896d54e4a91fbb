package scenarios

import (
	"path/filepath"
	"testing"
)

// TestInFlight: the estimate of messages in flight, source by source, for
// each strategy and latency: see inFlight for the reasoning.
func TestInFlight(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want float64
	}{
		// 3*2 a round, one round in flight (10ms < 100ms); 5 clients.
		{"default", "", 6 + 5},
		// 10ms of latency spans 11 rounds of 1ms.
		{"rounds in flight", "sync_interval = \"1ms\"\n", 6*11 + 5},
		{"push", "servers = 10\n[sync]\nstrategy = \"push\"\nfanout = 2\n", 20 + 5},
		{"ring", "servers = 9\n[sync]\nstrategy = \"ring\"\nfanout = 3\n", 27 + 5},
		{"pull", "servers = 10\n[sync]\nstrategy = \"pull\"\nfanout = 2\n", 40 + 5},
		{"push-pull", "servers = 10\n[sync]\nstrategy = \"push-pull\"\n", 20 + 5},
		{"rumor-push", "servers = 10\n[sync]\nstrategy = \"rumor-push\"\n", 20 + 5},
		// A push-pull with one partner every 1ms: 2*10 for 11 rounds.
		{"rumor with anti-entropy", "servers = 10\n[sync]\nstrategy = \"rumor-pull\"\nanti_entropy = \"1ms\"\n", 20 + 220 + 5},
		// Mails to 5 servers from each of 4 clients, up to 10ms/(2*1ms)+1
		// sets each; and the anti-entropy.
		{"direct mail", "servers = 6\nclients = 4\n[sync]\nstrategy = \"direct-mail\"\nanti_entropy = \"1s\"\n", 12 + 4*5*6 + 4},
		{"direct mail, few requests", "servers = 6\nclients = 4\nrequests_per_client = 2\n[sync]\nstrategy = \"direct-mail\"\n", 4*5*2 + 4},
		{"fixed latency", "[latency]\ndistribution = \"fixed\"\nfixed = \"250ms\"\n", 6*3 + 5},
		// 20ms + 80ms*ln(1000) = 572.6ms: 12 rounds of 50ms; a request
		// and its replies last up to 1.145s, two timeouts of 1s.
		{"exponential", "servers = 4\nclients = 6\nsync_interval = \"50ms\"\n[latency]\ndistribution = \"exponential\"\nfloor = \"20ms\"\nmean = \"80ms\"\n", 12*12 + 6*2},
		// A request every 1ms for 20ms: 21 each, but only 3 requests.
		{"impatient clients", "request_timeout = \"1ms\"\nrequests_per_client = 3\n", 6 + 5*3},
		{"duplicates", "duplicate = 0.5\n", (6 + 5) * 1.5},
		{"no servers", "servers = 0\nclients = 0\n", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc, err := Parse(tt.name, []byte(tt.doc))
			if err != nil {
				t.Fatal(err)
			}
			got := 0.0
			for _, f := range sc.inFlight() {
				got += f.n
			}
			if got != tt.want {
				t.Errorf("inFlight = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestShippedScenariosWithinMemory: every scenario shipped or used by the
// golden tests is far inside the limits, so that the estimate can be
// conservative without refusing them.
func TestShippedScenariosWithinMemory(t *testing.T) {
	files, err := filepath.Glob("*.toml")
	if err != nil {
		t.Fatal(err)
	}
	golden, err := filepath.Glob("../testdata/*.toml")
	if err != nil || len(golden) == 0 {
		t.Fatalf("glob ../testdata/*.toml = %v, %v", golden, err)
	}
	for _, path := range append(files, golden...) {
		sc, err := Load(path)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		total := 0.0
		for _, f := range sc.inFlight() {
			total += f.n
		}
		if total > MaxInFlight/100 {
			t.Errorf("%s keeps about %v messages in flight: more than a hundredth of the limit of %d", path, total, MaxInFlight)
		}
	}
}
