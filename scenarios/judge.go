package scenarios

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/pelletier/go-toml/v2"

	"eccounter/model"
)

// traceScenarioName is how errors name the scenario a trace holds: its
// lines are those of the TOML it is read as, which the error shows.
const traceScenarioName = "the trace's scenario, as TOML"

// ParseJSON reads a resolved scenario as the JSON Lines trace writes it
// (the scenario record's "scenario" object, see AppendJSON), with the
// same validation as Parse: its keys and values are those of the TOML
// file, so it is read as one.
func ParseJSON(data []byte) (*Scenario, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil {
		return nil, fmt.Errorf("%s is not a JSON object", traceScenarioName)
	}
	for _, k := range []string{"partition", "crash"} {
		// TOML writes none of these tables as no [[partition]] at all.
		if list, ok := obj[k].([]any); ok && len(list) == 0 {
			delete(obj, k)
		}
	}
	text, err := toml.Marshal(tomlValues(obj))
	if err != nil {
		return nil, fmt.Errorf("%s cannot be written as TOML: %v", traceScenarioName, err)
	}
	return Parse(traceScenarioName, text)
}

// tomlValues turns JSON numbers back into the integers and floats that
// TOML tells apart, as AppendJSON writes them (floats with a fraction).
func tomlValues(v any) any {
	switch v := v.(type) {
	case json.Number:
		if !strings.ContainsAny(string(v), ".eE") {
			if i, err := v.Int64(); err == nil {
				return i
			}
		}
		f, _ := v.Float64()
		return f
	case map[string]any:
		for k, x := range v {
			v[k] = tomlValues(x)
		}
	case []any:
		for i, x := range v {
			v[i] = tomlValues(x)
		}
	}
	return v
}

// JudgeTrace judges a saved JSON Lines trace (see model.JudgeTrace),
// reading its scenario record as ParseJSON does.
func JudgeTrace(r io.Reader) (model.Judgement, error) {
	return model.JudgeTrace(r, func(data []byte) (model.Config, error) {
		sc, err := ParseJSON(data)
		if err != nil {
			return model.Config{}, err
		}
		return sc.Config(), nil
	})
}
