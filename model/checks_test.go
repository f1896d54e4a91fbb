package model_test

import (
	"strings"
	"testing"
	"time"

	"eccounter/model"
	"eccounter/scenarios"
	"eccounter/sim"
)

// strayClient sends every other request to the server after its own: a
// broken client (the catalogue of broken servers is model.Variants).
type strayClient struct {
	*model.Client
	servers int
}

func (c strayClient) Step(env *model.Env, in model.Input) {
	c.Client.Step(env, in)
	if c.Sent == 2 && in.Kind == sim.Deliver {
		// Resend the request just sent, to the wrong server.
		env.Send((c.Subject+1)%sim.NodeID(c.servers), c.Pending)
	}
}

// TestChecksCatchBrokenNodes shows that every check has teeth: each broken
// node (a server variant of the catalogue, by name, or a broken client)
// makes its check fail, on the default scenario, and the run's verdict
// with it.
func TestChecksCatchBrokenNodes(t *testing.T) {
	tests := []struct {
		name    string
		check   string
		variant string
		client  func(*model.Client) sim.Node[model.Msg, model.Note]
		first   string // in the first violation's description
		// clients overrides the default scenario's 5 clients.
		clients int
	}{
		{"replace on sync", "values-never-decrease", "replace", nil, "went from", 0},
		{"accept equal set", "set-accepted-iff-larger", "eager", nil, "accepted=true", 0},
		{"stale get", "get-returns-current", "stale-cache", nil, "with 0 while holding", 0},
		// One client: only server-1 takes sets, so the others depend on
		// syncs to catch up.
		{"sync only once", "converged-to-max", "once", nil, "holds", 1},
		{"invent values", "no-invented-values", "inventor", nil, "which no client set", 0},
		{"stray client", "clients-use-own-server", "",
			func(c *model.Client) sim.Node[model.Msg, model.Note] { return strayClient{c, 3} }, "but may send only to", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := scenarios.Default()
			// Sets of equal values happen often in a narrow range.
			sc.MaxValue = 20
			sc.MaxTime = scenarios.Duration(10 * time.Second)
			if tt.clients > 0 {
				sc.Clients = tt.clients
			}
			cfg := sc.Config()
			cfg.Variant, cfg.WrapClient = tt.variant, tt.client

			r, err := model.NewCluster(cfg).Run()
			if err != nil {
				t.Fatal(err)
			}
			if r.Passed() {
				t.Fatalf("every check passed with a broken node")
			}
			c, ok := r.Check(tt.check)
			if !ok {
				t.Fatalf("no check named %s", tt.check)
			}
			if c.Passed() {
				t.Fatalf("check %s passed", tt.check)
			}
			if !strings.Contains(c.First, tt.first) {
				t.Errorf("first violation %q does not mention %q", c.First, tt.first)
			}

			// The correct nodes pass the same check on the same run.
			ok2, err := model.NewCluster(sc.Config()).Run()
			if err != nil {
				t.Fatal(err)
			}
			if c, _ := ok2.Check(tt.check); !c.Passed() {
				t.Errorf("the real protocol fails %s too: %s", tt.check, c.First)
			}
		})
	}
}

// TestAnomalyIsNotAPass: in crash.toml a server restarts without durable
// storage and loses the largest value. The checks that this breaks are
// anomalies: not passes, not failures. The run still passes, and the
// summary, the verdict and the JSON say which is which.
func TestAnomalyIsNotAPass(t *testing.T) {
	sc, err := scenarios.Load("../scenarios/crash.toml")
	if err != nil {
		t.Fatal(err)
	}
	c := model.NewCluster(sc.Config())
	r, err := c.Run()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]model.Status{"converged-to-max": model.StatusAnomaly, "acknowledged-sets-kept": model.StatusAnomaly,
		"monotonic-reads": model.StatusAnomaly, "liveness": model.StatusPass, "values-never-decrease": model.StatusPass}
	for name, st := range want {
		if ch, _ := r.Check(name); ch.Status() != st {
			t.Errorf("%s: %s, want %s", name, ch.Status().Word(), st.Word())
		}
	}
	if !r.Passed() {
		t.Error("anomalies failed the run")
	}
	var text strings.Builder
	r.WriteText(&text, c)
	js := string(r.AppendJSON(nil))
	for _, w := range []string{"\n  anomaly  converged-to-max ", "\nverdict:      7 passed, 3 anomalies (explained, so not failures)\n"} {
		if !strings.Contains(text.String(), w) {
			t.Errorf("the summary lacks %q:\n%s", w, &text)
		}
	}
	for _, w := range []string{`"converged-to-max":"anomaly"`, `"monotonic-reads":"anomaly"`, `"liveness":true`, `"passed":true`} {
		if !strings.Contains(js, w) {
			t.Errorf("the JSON summary lacks %s:\n%s", w, js)
		}
	}
}

// TestLivenessNotCheckedWhateverTheStop: rumor mongering alone promises
// no convergence, so liveness is not checked, whether the run ended by
// itself or was cut off at max_time.
func TestLivenessNotCheckedWhateverTheStop(t *testing.T) {
	for _, maxTime := range []string{"1h", "30ms"} {
		sc := mustParse(t, "rumor.toml", `
servers = 12
clients = 6
requests_per_client = 20
max_time = "`+maxTime+`"

[sync]
strategy = "rumor-push"
k = 2
`)
		r, err := model.NewCluster(sc.Config()).Run()
		if err != nil {
			t.Fatal(err)
		}
		if ch, _ := r.Check("liveness"); ch.Status() != model.StatusSkipped {
			t.Errorf("max_time %s, stopped %v: liveness %s, want not checked", maxTime, r.Reason, ch.Status().Word())
		}
		if js := string(r.AppendJSON(nil)); !strings.Contains(js, `"liveness":null`) {
			t.Errorf("max_time %s: the JSON summary lacks \"liveness\":null:\n%s", maxTime, js)
		}
	}
}
