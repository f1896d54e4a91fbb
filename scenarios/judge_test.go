package scenarios

import (
	"reflect"
	"strings"
	"testing"
)

// TestParseJSONRoundTrip: a trace's scenario record reads back as the
// scenario that ran, so that a judge of the trace runs the same checks.
func TestParseJSONRoundTrip(t *testing.T) {
	for name, sc := range roundTripCases(t) {
		t.Run(name, func(t *testing.T) {
			want := sc.Resolved()
			got, err := ParseJSON(want.AppendJSON(nil))
			if err != nil {
				t.Fatalf("ParseJSON(AppendJSON()): %v\n%s", err, want.AppendJSON(nil))
			}
			got.Name = want.Name
			if !reflect.DeepEqual(got, want) {
				t.Errorf("ParseJSON(AppendJSON()) =\n%+v\nwant\n%+v", *got, *want)
			}
		})
	}
}

func TestParseJSONBad(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{`[1]`, "is not a JSON object"},
		{`{"servers":"three"}`, "servers"},
		{`{"partition":{"at":"1s"}}`, "partition"},
	} {
		_, err := ParseJSON([]byte(tt.in))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseJSON(%s): %v; want an error containing %q", tt.in, err, tt.want)
		}
	}
}
