// Package sklearnref reads the scikit-learn reference values the metric
// tests compare with: testdata/sklearn/classify_metrics.json, written by
// testdata/sklearn/classify_metrics.py with Debian's scikit-learn 1.2.1
// (the tests never run Python: CI need not have scikit-learn).
package sklearnref

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
)

// Version is the scikit-learn version the references must come from.
const Version = "1.2.1"

// Scores are one label's one-vs-rest precision, recall and F1.
type Scores struct {
	Precision, Recall, F1 float64
}

// Case is one set of rows with scikit-learn's values for them. Labels are
// text: the JSON's integer labels are read as their decimal text, as the
// SQL functions compare labels.
type Case struct {
	Name           string
	Actual         []string
	Predicted      []string
	Score          []float64
	Accuracy       float64
	PrecisionMacro float64
	RecallMacro    float64
	F1Macro        float64
	PerLabel       map[string]Scores
	ROCAUC         map[string]float64 // by positive label, where both classes occur
	Confusion      map[string]map[string]int64
	// IntegerLabels is true when the JSON's labels are numbers.
	IntegerLabels bool
}

type rawCase struct {
	Name           string                      `json:"name"`
	Actual         []any                       `json:"actual"`
	Predicted      []any                       `json:"predicted"`
	Score          []float64                   `json:"score"`
	Accuracy       float64                     `json:"accuracy"`
	PrecisionMacro float64                     `json:"precision_macro"`
	RecallMacro    float64                     `json:"recall_macro"`
	F1Macro        float64                     `json:"f1_macro"`
	PerLabel       map[string]Scores           `json:"per_label"`
	ROCAUC         map[string]float64          `json:"roc_auc"`
	Confusion      map[string]map[string]int64 `json:"confusion"`
}

// Path is the JSON file, found from this source file's directory.
func Path() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..", "testdata", "sklearn", "classify_metrics.json")
}

// Load reads every case of the reference file.
func Load() ([]Case, error) {
	b, err := os.ReadFile(Path())
	if err != nil {
		return nil, err
	}
	var raw struct {
		Sklearn string    `json:"sklearn"`
		Cases   []rawCase `json:"cases"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("sklearnref: %s: %v", Path(), err)
	}
	if raw.Sklearn != Version || len(raw.Cases) == 0 {
		return nil, fmt.Errorf("sklearnref: %s holds %d cases from scikit-learn %q, want %s", Path(), len(raw.Cases), raw.Sklearn, Version)
	}
	out := make([]Case, len(raw.Cases))
	for i, r := range raw.Cases {
		c := Case{Name: r.Name, Score: r.Score, Accuracy: r.Accuracy, PrecisionMacro: r.PrecisionMacro,
			RecallMacro: r.RecallMacro, F1Macro: r.F1Macro, PerLabel: r.PerLabel, ROCAUC: r.ROCAUC, Confusion: r.Confusion}
		var isInt bool
		if c.Actual, isInt, err = labels(r.Actual); err != nil {
			return nil, fmt.Errorf("sklearnref: case %s: actual: %v", r.Name, err)
		}
		if c.Predicted, _, err = labels(r.Predicted); err != nil {
			return nil, fmt.Errorf("sklearnref: case %s: predicted: %v", r.Name, err)
		}
		if len(c.Actual) != len(c.Predicted) || len(c.Actual) != len(c.Score) {
			return nil, fmt.Errorf("sklearnref: case %s: %d actual, %d predicted, %d scores", r.Name, len(c.Actual), len(c.Predicted), len(c.Score))
		}
		c.IntegerLabels = isInt
		out[i] = c
	}
	return out, nil
}

// labels converts JSON labels (integers or strings) to text.
func labels(vs []any) ([]string, bool, error) {
	out := make([]string, len(vs))
	isInt := false
	for i, v := range vs {
		switch x := v.(type) {
		case string:
			out[i] = x
		case float64:
			if x != float64(int64(x)) {
				return nil, false, fmt.Errorf("label %v is not an integer", x)
			}
			out[i], isInt = fmt.Sprint(int64(x)), true
		default:
			return nil, false, fmt.Errorf("label %v (%T) is neither an integer nor a string", v, v)
		}
	}
	return out, isInt, nil
}
