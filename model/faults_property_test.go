package model_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"

	"eccounter/model"
	"eccounter/scenarios"
)

// genFaultyScenario adds a random fault schedule to genScenario's: loss,
// duplication, up to two partitions and up to two crashes (durable or not),
// with a request timeout so that clients survive them. rapid shrinks a
// failing schedule too, so a failure replays with the fewest faults that
// still break the run.
func genFaultyScenario() *rapid.Generator[*scenarios.Scenario] {
	return rapid.Custom(func(t *rapid.T) *scenarios.Scenario {
		sc := genScenario().Draw(t, "base")
		ms := func(hi int64, label string) scenarios.Duration {
			return scenarios.Duration(time.Duration(rapid.Int64Range(0, hi).Draw(t, label)) * time.Millisecond)
		}
		sc.Clients = max(sc.Clients, 1) // faults end when the last client finishes
		sc.RequestTimeout = ms(500, "request_timeout_ms") + scenarios.Duration(time.Millisecond)
		sc.Loss = float64(rapid.IntRange(0, 40).Draw(t, "loss_percent")) / 100
		sc.Duplicate = float64(rapid.IntRange(0, 30).Draw(t, "duplicate_percent")) / 100
		for i := range rapid.IntRange(0, 2).Draw(t, "partitions") {
			p := scenarios.Partition{At: ms(2000, fmt.Sprintf("partition%d_at_ms", i))}
			if rapid.Bool().Draw(t, fmt.Sprintf("partition%d_heals", i)) {
				p.Heal = p.At + ms(1000, fmt.Sprintf("partition%d_length_ms", i)) + scenarios.Duration(time.Millisecond)
			}
			var group []string
			for s := range sc.Servers {
				if rapid.Bool().Draw(t, fmt.Sprintf("partition%d_server%d", i, s+1)) {
					group = append(group, fmt.Sprintf("server-%d", s+1))
				}
			}
			if len(group) > 0 {
				p.Groups = [][]string{group}
				sc.Partitions = append(sc.Partitions, p)
			}
		}
		crashed := make(map[int]bool)
		for i := range rapid.IntRange(0, 2).Draw(t, "crashes") {
			s := rapid.IntRange(1, sc.Servers).Draw(t, fmt.Sprintf("crash%d_server", i))
			if crashed[s] {
				continue
			}
			crashed[s] = true
			c := scenarios.Crash{Node: fmt.Sprintf("server-%d", s), At: ms(2000, fmt.Sprintf("crash%d_at_ms", i)),
				Durable: rapid.Bool().Draw(t, fmt.Sprintf("crash%d_durable", i))}
			if rapid.Bool().Draw(t, fmt.Sprintf("crash%d_restarts", i)) {
				c.Restart = c.At + ms(1000, fmt.Sprintf("crash%d_down_ms", i)) + scenarios.Duration(time.Millisecond)
			}
			sc.Crashes = append(sc.Crashes, c)
		}
		back, err := scenarios.Parse(sc.Name, sc.TOML())
		if err != nil {
			t.Fatalf("generated an invalid scenario: %v\n%s", err, sc.TOML())
		}
		return back
	})
}

// TestSafetyAndLivenessUnderFaults: whatever the faults, every run ends,
// every safety check holds in every phase (breaks that a crash without
// durable storage explains are anomalies, not failures), and after the
// faults end the servers converge within the liveness bound.
func TestSafetyAndLivenessUnderFaults(t *testing.T) {
	rapid.Check(t, property(genFaultyScenario(), ""))
}

// TestChecksCatchAmnesia: a server that does not re-arm its sync timer
// after a restart (the variant amnesiac) keeps the value only it holds to itself, and the checks
// say so.
func TestChecksCatchAmnesia(t *testing.T) {
	// One client sets values on server-1, which crashes (durably) before
	// its first sync, so its value is on no other server; it restarts
	// with it, and only a sync can pass it on.
	sc, err := scenarios.Parse("amnesia.toml", []byte(`
servers = 2
clients = 1
requests_per_client = 10
set_ratio = 1.0
sync_interval = "500ms"
max_time = "10s"

[[crash]]
node = "server-1"
at = "50ms"
restart = "60ms"
durable = true
`))
	if err != nil {
		t.Fatal(err)
	}
	if err := checkRun(sc, ""); err != nil {
		t.Fatalf("the real protocol fails: %v", err)
	}
	broken := checkRun(sc, "amnesiac")
	if broken == nil || !strings.Contains(broken.Error(), "max_time") {
		t.Fatalf("a server that never syncs after its restart: %v, want a run that never converges", broken)
	}
	cfg := sc.Config()
	cfg.Variant = "amnesiac"
	r, err := model.NewCluster(cfg).Run()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"liveness", "converged-to-max"} {
		if c, _ := r.Check(name); c.Passed() {
			t.Errorf("check %s passed with a server that never syncs after its restart", name)
		}
	}
}

// TestPropertyCatchesAmnesia: the fault property test finds the same bug
// by itself, and says how to replay what it found.
func TestPropertyCatchesAmnesia(t *testing.T) {
	requireFailure(t, property(genFaultyScenario(), "amnesiac"),
		"servers that never sync after a restart")
}
