package scenarios

import (
	"reflect"
	"strings"
	"testing"
)

// TestFingerprintOfMeaning: the same scenario written another way (comments,
// key order, defaults written out or left out, durations and floats in
// other notations, another file name, another seed) has the same
// fingerprint; swarm = true and SetSwarm are the same scenario too.
func TestFingerprintOfMeaning(t *testing.T) {
	const plain = "servers = 4\nloss = 0.2\n\n[latency]\ndistribution = \"uniform\"\nmax = \"40ms\"\n"
	ways := map[string]string{
		"comments and another order": "# a lossy network\nloss = 0.2 # one in five\n\n# the rest\nservers = 4\n\n" +
			"[latency]\nmax = \"40ms\" # the worst\ndistribution = \"uniform\"\n",
		"defaults written out": "seed = 1\nservers = 4\nclients = 5\nrequests_per_client = 100\nset_ratio = 0.5\nloss = 0.2\nduplicate = 0.0\n" +
			"swarm = false\n[latency]\ndistribution = \"uniform\"\nmin = \"1ms\"\nmax = \"40ms\"\n[sync]\nstrategy = \"broadcast\"\n[server]\nvariant = \"correct\"\n",
		"other notations": "servers = 4\nloss = 2e-1\nmax_time = \"60m\"\nsync_interval = \"0.1s\"\n[latency]\nmax = \"40000us\"\n",
		"another seed":    "seed = 77\nservers = 4\nloss = 0.20\n[latency]\nmax = \"40ms\"\n",
	}
	want := mustParse(t, "plain.toml", plain).Fingerprint()
	if !IsFingerprint(want) {
		t.Fatalf("Fingerprint() = %q: not a fingerprint", want)
	}
	for name, doc := range ways {
		if got := mustParse(t, "other/"+name+".toml", doc).Fingerprint(); got != want {
			t.Errorf("%s: fingerprint %s, want the plain file's %s:\n%s", name, got, want, doc)
		}
	}
	// Values a choice does not read (a scenario file may not set them):
	// the latency of another distribution, the rumor keys of broadcast.
	unread := mustParse(t, "plain.toml", plain)
	unread.Latency.Fixed, unread.Latency.Mean, unread.Sync.K, unread.Sync.Coin = 1, 2, 3, true
	if got := unread.Fingerprint(); got != want {
		t.Errorf("values the runs do not read: fingerprint %s, want %s", got, want)
	}
	flag := mustParse(t, "a.toml", "clients = 3\n")
	if err := flag.SetSwarm(); err != nil {
		t.Fatal(err)
	}
	if got, want := flag.Fingerprint(), mustParse(t, "b.toml", "clients = 3\nswarm = true\n").Fingerprint(); got != want {
		t.Errorf("-swarm: fingerprint %s, want swarm = true's %s", got, want)
	}
	if flag.Fingerprint() == mustParse(t, "a.toml", "clients = 3\n").Fingerprint() {
		t.Error("a swarm has the fingerprint of the same scenario without it")
	}
}

// TestFingerprintOfEveryValue: changing any one value of a scenario that
// its runs read changes the fingerprint; the name and the seed never do.
// Each field of Scenario is changed in turn, by reflection, in scenarios
// that between them read every field.
func TestFingerprintOfEveryValue(t *testing.T) {
	bases := []string{
		// uniform latency, broadcast, a variant, every fault
		"servers = 3\nclients = 2\nfaults_until = \"2s\"\nliveness_bound = \"1s\"\nloss = 0.1\nduplicate = 0.1\n" +
			"[latency]\ndistribution = \"uniform\"\n[server]\nvariant = \"eager\"\n" +
			"[[partition]]\nat = \"10ms\"\nheal = \"20ms\"\ngroups = [[\"server-1\"], [\"server-2\", \"client-1\"]]\n" +
			"[[crash]]\nnode = \"server-2\"\nat = \"30ms\"\nrestart = \"40ms\"\ndurable = true\n",
		// exponential latency, rumor mongering with every key of it
		"servers = 4\n[latency]\ndistribution = \"exponential\"\n[sync]\nstrategy = \"rumor-push\"\nfanout = 2\nk = 3\nfeedback = false\ncoin = true\nanti_entropy = \"1s\"\n",
		// fixed latency, a swarm
		"swarm = true\n[latency]\ndistribution = \"fixed\"\n",
	}
	changed := map[string]bool{}
	for _, doc := range bases {
		base := mustParse(t, "base.toml", doc)
		want := base.Fingerprint()
		for i := 0; ; i++ {
			sc := mustParse(t, "base.toml", doc) // a deep copy to change
			path, ok := changeLeaf(reflect.ValueOf(sc).Elem(), "", new(int), i)
			if !ok {
				break
			}
			if sc.Fingerprint() != want {
				changed[path] = true
			}
		}
	}
	var all []string
	changeLeaf(reflect.ValueOf(mustParse(t, "base.toml", bases[0])).Elem(), "", new(int), -1, &all)
	for _, path := range all {
		// -swarm and swarm = true are one scenario (SwarmFlag).
		switch ignored := path == "Name" || path == "Seed" || path == "SwarmFlag"; {
		case ignored && changed[path]:
			t.Errorf("changing %s changes the fingerprint", path)
		case !ignored && !changed[path]:
			t.Errorf("changing %s changes no fingerprint", path)
		}
	}
	if len(all) < 30 {
		t.Errorf("only %d fields found: %v", len(all), all)
	}
}

// changeLeaf walks the fields of v, a struct, depth first, counting leaves
// (numbers, strings, booleans) in *n, and changes the want-th: it returns
// its path and true, or false once there are no more. With want -1 it
// changes nothing and lists every leaf's path in *paths (slices by their
// first element).
func changeLeaf(v reflect.Value, path string, n *int, want int, paths ...*[]string) (string, bool) {
	switch v.Kind() {
	case reflect.Struct:
		for i := range v.NumField() {
			p := v.Type().Field(i).Name
			if path != "" {
				p = path + "." + p
			}
			if got, ok := changeLeaf(v.Field(i), p, n, want, paths...); ok {
				return got, true
			}
		}
		return "", false
	case reflect.Slice:
		for i := range v.Len() {
			if got, ok := changeLeaf(v.Index(i), path+"[]", n, want, paths...); ok {
				return got, true
			}
			if want < 0 {
				break // one element is enough to name the fields
			}
		}
		return "", false
	}
	if want < 0 {
		*paths[0] = append(*paths[0], path)
		return "", false
	}
	if *n != want {
		*n++
		return "", false
	}
	switch v.Kind() {
	case reflect.Int, reflect.Int64:
		v.SetInt(v.Int() + 1_000_000) // a millisecond, for a Duration
	case reflect.Float64:
		v.SetFloat(v.Float() + 0.125)
	case reflect.Bool:
		v.SetBool(!v.Bool())
	case reflect.String:
		v.SetString(v.String() + "x")
	default:
		panic("changeLeaf: a field of kind " + v.Kind().String() + " at " + path)
	}
	return path, true
}

// TestFingerprintStable pins the default scenario's fingerprint. It changes
// only if TOML does (a new key, a new notation), and then the records of
// every sweep run before no longer match their scenario: say so in the
// release notes.
func TestFingerprintStable(t *testing.T) {
	got := Default().Fingerprint()
	if !IsFingerprint(got) {
		t.Fatalf("%q is not a fingerprint", got)
	}
	const want = "sha256:a77e3d668e315746"
	if got != want {
		t.Errorf("the default scenario's fingerprint is %s, was %s", got, want)
	}
}

func TestIsFingerprint(t *testing.T) {
	for fp, want := range map[string]bool{
		"sha256:0123456789abcdef": true, "sha256:0123456789ABCDEF": false, "sha256:0123456789abcde": false,
		"sha256:0123456789abcdef0": false, "0123456789abcdef": false, "": false, "sha256:": false,
		"md5:0123456789abcdef": false, "sha256:0123456789abcdeg": false, "sha256:" + strings.Repeat("a", 64): false,
	} {
		if got := IsFingerprint(fp); got != want {
			t.Errorf("IsFingerprint(%q) = %v, want %v", fp, got, want)
		}
	}
}

func mustParse(t *testing.T, name, doc string) *Scenario {
	t.Helper()
	sc, err := Parse(name, []byte(doc))
	if err != nil {
		t.Fatalf("%s: %v\n%s", name, err, doc)
	}
	return sc
}
