package sim

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// Distribution names a shape of message latency.
type Distribution string

// The latency distributions the network can draw from.
const (
	// Fixed: every message takes exactly Latency.Fixed.
	Fixed Distribution = "fixed"
	// Uniform: a latency drawn uniformly from [Latency.Min, Latency.Max].
	Uniform Distribution = "uniform"
	// Exponential: Latency.Floor plus an exponential draw of mean
	// Latency.Mean, the usual model of queueing delay on top of a
	// propagation delay. It has no upper bound, so it reorders messages
	// more than Uniform does.
	Exponential Distribution = "exponential"
)

// Latency describes how long the simulated network takes to deliver a
// message. Only the fields of the chosen Distribution are read.
type Latency struct {
	Distribution Distribution
	Fixed        time.Duration
	Min, Max     time.Duration
	Floor, Mean  time.Duration
}

// Validate reports whether l describes a usable distribution.
func (l Latency) Validate() error {
	switch l.Distribution {
	case Fixed:
		if l.Fixed < 0 {
			return fmt.Errorf("sim: fixed latency %v is negative", l.Fixed)
		}
	case Uniform:
		if l.Min < 0 || l.Min > l.Max {
			return fmt.Errorf("sim: uniform latency needs 0 <= min <= max, have min %v, max %v", l.Min, l.Max)
		}
	case Exponential:
		if l.Floor < 0 || l.Mean <= 0 {
			return fmt.Errorf("sim: exponential latency needs floor >= 0 and mean > 0, have floor %v, mean %v", l.Floor, l.Mean)
		}
	default:
		return fmt.Errorf("sim: unknown latency distribution %q", l.Distribution)
	}
	return nil
}

// Sample draws one latency from r.
func (l Latency) Sample(r *rand.Rand) time.Duration {
	switch l.Distribution {
	case Uniform:
		return l.Min + time.Duration(r.Int64N(int64(l.Max-l.Min)+1))
	case Exponential:
		return l.Floor + time.Duration(r.ExpFloat64()*float64(l.Mean))
	default:
		return l.Fixed
	}
}
