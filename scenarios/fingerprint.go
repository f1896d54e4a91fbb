package scenarios

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// FingerprintPrefix starts every fingerprint: it names the hash, so that
// a later kind of fingerprint cannot be taken for this one.
const FingerprintPrefix = "sha256:"

// fingerprintDigits is how many hexadecimal digits of the SHA-256 a
// fingerprint keeps: 64 bits, enough that two scenarios a person has at
// hand never share one by chance, short enough to read in an error.
const fingerprintDigits = 16

// Fingerprint names what the scenario means, whatever file or words it came
// from: FingerprintPrefix, then the first 16 hexadecimal digits of the
// SHA-256 of its canonical text, TOML, with the seed set to 0.
//
// TOML writes every key resolved, in a fixed order and notation, without
// comments and without the keys its choices do not read (the latency of
// other distributions, the [sync] keys of other strategies), so comments,
// key order, a default written out or left out, "1s" for "1000ms", change
// nothing; any value that changes the runs changes it. The seed is left
// out because it is each run's own: every record of a sweep, whatever
// seed or shard, and a run of any one seed, carry the scenario's one
// fingerprint. A swarm scenario (swarm = true, or -swarm) is
// fingerprinted as it is, before a seed draws its faults: what it draws
// follows from the seed and these keys alone.
func (s *Scenario) Fingerprint() string {
	c := *s
	c.Seed = 0
	sum := sha256.Sum256(c.TOML())
	return FingerprintPrefix + hex.EncodeToString(sum[:])[:fingerprintDigits]
}

// IsFingerprint reports whether fp is written as Fingerprint writes one.
func IsFingerprint(fp string) bool {
	digits, ok := strings.CutPrefix(fp, FingerprintPrefix)
	return ok && len(digits) == fingerprintDigits && strings.Trim(digits, "0123456789abcdef") == ""
}
