package sim

import "math/rand/v2"

// Stream numbers for the random streams derived from a seed. Nodes use
// streamNode+id, so every stream is distinct and stable as nodes are added.
const (
	streamNetwork = 1
	streamNode    = 1 << 32
)

// NewRand returns the random stream number stream derived from seed. Callers
// outside the engine use it for choices made before a run starts (such as
// assigning clients to servers) so that those too follow from the seed.
func NewRand(seed int64, stream uint64) *rand.Rand {
	// splitmix64 spreads nearby seeds and stream numbers over the whole
	// 128-bit PCG state, so seeds 42 and 43 give unrelated runs.
	return rand.New(newPCG(seed, stream))
}

func newPCG(seed int64, stream uint64) *rand.PCG {
	return rand.NewPCG(splitmix64(uint64(seed)^0x9e3779b97f4a7c15), splitmix64(stream))
}

func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}
