package scenarios

import (
	"strings"
	"testing"
)

// TestServerVariant: [server] variant picks a server of the catalogue;
// an unknown name is an error at its place that lists the catalogue and
// suggests the name it is closest to; the scenario's TOML and JSON carry
// the table only for a variant other than the real server, which
// therefore writes what it wrote before there were variants.
func TestServerVariant(t *testing.T) {
	sc, err := Parse("v.toml", []byte("servers = 2\n\n[server]\nvariant = \"replace\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := sc.Config().Variant; got != "replace" {
		t.Errorf("Config().Variant = %q", got)
	}
	text := string(sc.TOML())
	if !strings.HasSuffix(text, "\n[server]\nvariant = \"replace\"\n") {
		t.Errorf("TOML() lacks the variant:\n%s", text)
	}
	if back, err := Parse("v.toml", []byte(text)); err != nil || back.Server.Variant != "replace" {
		t.Errorf("the TOML does not read back: %v", err)
	}
	if js := string(sc.AppendJSON(nil)); !strings.Contains(js, `"sync":{"strategy":"broadcast"},"server":{"variant":"replace"},"partition"`) {
		t.Errorf("AppendJSON lacks the variant: %s", js)
	}
	def := Default()
	if def.Server.Variant != "correct" || strings.Contains(string(def.TOML()), "server]") || strings.Contains(string(def.AppendJSON(nil)), `"server"`) {
		t.Errorf("the default scenario writes a [server] table")
	}
	for _, tc := range []struct{ src, want string }{
		{"[server]\nvariant = \"replcae\"\n", `v.toml:2:11: server.variant: "replcae" is not a server variant: allowed "correct", "replace", `},
		{"[server]\nvariant = \"replcae\"\n", `, "same-instant" or "sync-race"; did you mean "replace"?`},
		{"[server]\nvariant = \"Eager\"\n", `did you mean "eager"?`},
		{"[server]\nvariant = \"\"\n", `v.toml:2:11: server.variant: "" is not a server variant`},
		{"[server]\nvariant = \"wrong-in-every-way\"\n", `or "sync-race"` + "\n"},
		{"[server]\nvarient = \"replace\"\n", "v.toml:2:1: server.varient: unknown key; the keys allowed in [server] are variant; did you mean variant?"},
		{"[sever]\n", "did you mean the table [server]?"},
	} {
		_, err := Parse("v.toml", []byte(tc.src))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want it to contain %q", tc.src, err, tc.want)
		}
	}
}
