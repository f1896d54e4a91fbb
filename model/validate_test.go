package model_test

import (
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"eccounter/model"
	"eccounter/scenarios"
	"eccounter/sim"
)

// TestValidate: a Config built in Go that the protocol cannot make sense
// of is refused, with a message that says what is wrong.
func TestValidate(t *testing.T) {
	base := scenarios.Default().Config()
	if err := base.Validate(); err != nil {
		t.Fatalf("the default scenario: %v", err)
	}
	tests := []struct {
		name string
		edit func(c *model.Config)
		want string
	}{
		{"negative servers", func(c *model.Config) { c.Servers = -1 }, "servers -1, clients 5, requests 100: none may be negative"},
		{"clients without servers", func(c *model.Config) { c.Servers = 0 }, "5 clients but no servers"},
		{"set ratio above 1", func(c *model.Config) { c.SetRatio = 1.5 }, "set ratio 1.5 is not a probability"},
		{"set ratio NaN", func(c *model.Config) { c.SetRatio = math.NaN() }, "set ratio NaN is not a probability"},
		{"max value 0", func(c *model.Config) { c.MaxValue = 0 }, "max value 0: sets draw values from [0, max value)"},
		{"no sync interval", func(c *model.Config) { c.SyncInterval = 0 }, "strategy broadcast with 3 servers needs a positive sync interval"},
		{"negative sync interval", func(c *model.Config) { c.SyncInterval = -time.Second }, "sync interval -1s is negative"},
		{"assignment", func(c *model.Config) { c.Assignment = "lottery" }, `assignment "lottery": allowed "round_robin" or "random"`},
		{"negative timeout", func(c *model.Config) { c.RequestTimeout = -1 }, "request timeout -1ns"},
		{"latency", func(c *model.Config) { c.Latency.Min = time.Second }, "uniform latency needs 0 <= min <= max"},
		{"strategy", func(c *model.Config) { c.Strategy = "gossip" }, `unknown strategy "gossip"`},
		{"push without partners", func(c *model.Config) { c.Strategy, c.Fanout = model.StrategyPush, 0 },
			"strategy push with fanout 0: allowed 1 to 16 partners a round"},
		{"ring past the others", func(c *model.Config) { c.Strategy, c.Fanout = model.StrategyRing, 3 },
			"strategy ring with fanout 3, but each of the 3 servers has only 2 others"},
		{"rumor without k", func(c *model.Config) { c.Strategy, c.Fanout, c.Rumor.K = model.StrategyRumorPull, 1, 0 },
			"strategy rumor-pull with k 0"},
		{"negative anti-entropy", func(c *model.Config) { c.Rumor.AntiEntropy = -time.Second }, "anti-entropy interval -1s is negative"},
		{"loss", func(c *model.Config) { c.Faults.Loss = 2 }, "faults: loss 2, duplicate 0: each must be a probability"},
		{"partition of a stranger", func(c *model.Config) {
			c.Faults.Partitions = []sim.Partition{{At: 0, Groups: [][]sim.NodeID{{0}, {8}}}}
		}, "partition 1: node 8 does not exist (there are 8)"},
		{"partition overlap", func(c *model.Config) {
			c.Faults.Partitions = []sim.Partition{{At: 0, Groups: [][]sim.NodeID{{0, 1}, {1}}}}
		}, "partition 1: node 1 is in two groups"},
		{"partition heals first", func(c *model.Config) {
			c.Faults.Partitions = []sim.Partition{{At: ms(5), Heal: ms(5), Groups: [][]sim.NodeID{{0}}}}
		}, "partition 1: at 5ms, heal 5ms"},
		{"client crash", func(c *model.Config) { c.Faults.Crashes = []sim.Crash{{Node: 3}} },
			"crash 1: node 3 is not a server (there are 3)"},
		{"restart before crash", func(c *model.Config) { c.Faults.Crashes = []sim.Crash{{Node: 1, At: ms(9), Restart: ms(3)}} },
			"crash 1: at 9ms, restart 3ms"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := base
			tt.edit(&c)
			err := c.Validate()
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "model: invalid Config: ") {
				t.Fatalf("Validate() = %v, want a message with %q", err, tt.want)
			}
			defer func() {
				if r := recover(); fmt.Sprint(r) != err.Error() {
					t.Errorf("NewCluster panicked with %v, want %v", r, err)
				}
			}()
			model.NewCluster(c)
		})
	}

	// What a strategy does not read needs no value: broadcast's fanout,
	// push's k, a sync interval where no server has a peer.
	ok := []func(c *model.Config){
		func(c *model.Config) { c.Fanout = 0 },
		func(c *model.Config) { c.Strategy, c.Fanout, c.Rumor.K = model.StrategyPush, 2, 0 },
		func(c *model.Config) { c.Servers, c.SyncInterval = 1, 0 },
		func(c *model.Config) { c.Strategy, c.SyncInterval = model.StrategyDirectMail, 0 },
		func(c *model.Config) { c.SetRatio, c.MaxValue = 0, 0 },
	}
	for i, edit := range ok {
		c := base
		edit(&c)
		if err := c.Validate(); err != nil {
			t.Errorf("valid config %d: %v", i, err)
		}
	}
}

// TestScenariosValidate: whatever package scenarios accepts, Validate
// does, swarms and every shipped scenario included, over many seeds.
func TestScenariosValidate(t *testing.T) {
	files, err := filepath.Glob("../scenarios/*.toml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scenarios: %v", err)
	}
	files = append(files, "../testdata/tiny-pull.toml", "../testdata/tiny-rumor.toml", "../testdata/tiny-ring.toml")
	for _, f := range files {
		sc, err := scenarios.Load(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, swarm := range []bool{false, true} {
			s := *sc
			if swarm && (s.SetSwarm() != nil) {
				continue
			}
			for seed := int64(1); seed <= 50; seed++ {
				s.Seed = seed
				cfg := s.Config()
				if err := cfg.Validate(); err != nil {
					t.Fatalf("%s seed %d (swarm %t): %v", f, seed, swarm, err)
				}
			}
		}
	}
}

func ms(n int) sim.Time { return sim.Time(time.Duration(n) * time.Millisecond) }
