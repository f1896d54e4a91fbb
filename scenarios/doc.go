// Package scenarios reads, validates and renders ec-counter scenarios: TOML
// files that say how many servers and clients to simulate, what the
// network is like and when to stop.
//
// Decoding is strict: an unknown key is an error, every key has a default,
// and every error names the file, the line, the column and the key, and
// says what is allowed. default.toml in this directory is the reference for
// every key; it is also embedded in the binary as the default scenario.
//
// A caller loads a scenario and turns it into a model configuration:
//
//	sc, err := scenarios.Load("scenarios/large.toml") // or scenarios.Default()
//	cluster := model.NewCluster(sc.Config())
package scenarios
