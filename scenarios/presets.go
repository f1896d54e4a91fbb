package scenarios

import (
	"embed"
	"io/fs"
	"path"
	"slices"
	"strings"
)

// MaxFileSize bounds, in bytes, the scenario file Load reads, and what
// any other reader of scenarios should take: a scenario is a few lines of
// TOML.
const MaxFileSize = 1 << 20

// shipped are the scenario files of the repository, for callers that have
// no file system (the browser playground); the command line reads the
// files themselves.
//
//go:embed *.toml variants/*.toml explore/*.toml
var shipped embed.FS

// Preset is a scenario file shipped with the simulator.
type Preset struct {
	// Name is how a run of it names it, its path from the repository's
	// root ("scenarios/crash.toml"), so that its replay line works
	// there; DefaultName for the default.
	Name string
	TOML []byte
}

// Presets returns the shipped scenario files: the default first, then
// those of scenarios/, of scenarios/variants/ (the broken servers) and of
// scenarios/explore/ (the broken servers in configurations small enough
// for -explore), each in the order of their names.
func Presets() []Preset {
	out := []Preset{{Name: DefaultName, TOML: defaultTOML}}
	for _, dir := range []string{".", "variants", "explore"} {
		names, _ := fs.Glob(shipped, path.Join(dir, "*.toml"))
		slices.Sort(names)
		for _, n := range names {
			if n == "default.toml" {
				continue
			}
			data, _ := shipped.ReadFile(n)
			out = append(out, Preset{Name: "scenarios/" + strings.TrimPrefix(n, "./"), TOML: data})
		}
	}
	return out
}
