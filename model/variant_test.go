package model_test

import (
	"slices"
	"testing"

	"eccounter/model"
)

// TestVariantCatalogue: the catalogue starts with the real protocol, its
// names are unique, and each broken variant names a real check.
func TestVariantCatalogue(t *testing.T) {
	if v, ok := model.LookupVariant(""); !ok || v.Name != model.VariantCorrect || model.Variants[0].Name != model.VariantCorrect {
		t.Errorf(`"" does not name the real protocol first in the catalogue`)
	}
	if _, ok := model.LookupVariant("nosuch"); ok {
		t.Error("an unknown name found a variant")
	}
	seen := map[string]bool{}
	for _, v := range model.Variants[1:] {
		if seen[v.Name] {
			t.Errorf("%s twice", v.Name)
		}
		seen[v.Name] = true
		if !slices.Contains(model.CheckNames(), v.Check) {
			t.Errorf("%s: no check named %q", v.Name, v.Check)
		}
	}
}

// TestRareVariantsFailWhenForced: the rare variants, which a sweep of
// random seeds almost never catches, fail at once in a scenario that
// forces their coincidence: with a fixed latency, every round's syncs
// arrive at one instant (same-instant), and with a 15ms round and 5ms
// latency, server-1's client lands a set at the instant its round begins
// (sync-race). The real server passes both.
func TestRareVariantsFailWhenForced(t *testing.T) {
	for _, tc := range []struct{ variant, scenario string }{
		{"same-instant", "servers = 3\nclients = 3\nrequests_per_client = 100\n[latency]\ndistribution = \"fixed\"\n"},
		{"sync-race", "servers = 2\nclients = 1\nrequests_per_client = 100\nset_ratio = 1.0\nsync_interval = \"15ms\"\n[latency]\ndistribution = \"fixed\"\n"},
	} {
		sc := mustParse(t, tc.variant+".toml", tc.scenario)
		v, _ := model.LookupVariant(tc.variant)
		for _, name := range []string{model.VariantCorrect, tc.variant} {
			cfg := sc.Config()
			cfg.Variant = name
			r, err := model.NewCluster(cfg).Run()
			if err != nil {
				t.Fatal(err)
			}
			c, _ := r.Check(v.Check)
			if broken := name != model.VariantCorrect; c.Passed() == broken {
				t.Errorf("%s, server %s: %s passed=%t: %s", tc.variant, name, v.Check, c.Passed(), c.First)
			}
		}
	}
}

// TestUnknownVariantPanics: a Config is assumed valid, and a name not in
// the catalogue is a bug of the caller, not a silent fallback to the real
// server.
func TestUnknownVariantPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("no panic")
		}
	}()
	model.NewCluster(model.Config{Servers: 1, Variant: "nosuch"})
}
