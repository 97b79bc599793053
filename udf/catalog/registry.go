package catalog

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
)

// functions holds every SQL function, in documentation order. Files in this
// package add to it with register() from init functions.
var functions []*Function

func register(fs ...*Function) {
	for _, f := range fs {
		if Lookup(f.Name) != nil {
			panic("catalog: duplicate function " + f.Name)
		}
		if (f.Kind == Scalar) != (f.Scalar != nil) || (f.Kind == Aggregate) != (f.NewAggregate != nil) {
			panic("catalog: " + f.Name + ": implementation does not match its kind")
		}
		functions = append(functions, f)
	}
}

// docOrder is the order functions are documented and registered in: the
// workflow's order (score RFM, assign segments, judge them, watch drift,
// classify customers and judge the classifier),
// not the order Go happens to run this package's init functions. Functions
// not listed follow, by name.
var docOrder = []string{
	"rfm_score", "rfm_segment",
	"assign_segment", "segment_distance", "segment_name", "segment_coordinate",
	"silhouette", "segment_silhouette", "silhouette_simplified", "davies_bouldin", "calinski_harabasz", "inertia",
	"psi", "psi_bin",
	"classify", "classify_proba", "classify_path",
	"accuracy_score", "precision_score", "recall_score", "f1_score", "roc_auc_score", "confusion_matrix",
}

var sortOnce sync.Once

// All returns every function of the catalog, in documentation order.
func All() []*Function {
	sortOnce.Do(func() {
		rank := func(name string) int {
			for i, n := range docOrder {
				if n == name {
					return i
				}
			}
			return len(docOrder)
		}
		sort.SliceStable(functions, func(i, j int) bool {
			ri, rj := rank(functions[i].Name), rank(functions[j].Name)
			if ri != rj {
				return ri < rj
			}
			return functions[i].Name < functions[j].Name
		})
	})
	return functions
}

// Lookup returns the function with the given (case-insensitive) name, or nil.
func Lookup(name string) *Function {
	for _, f := range functions {
		if strings.EqualFold(f.Name, name) {
			return f
		}
	}
	return nil
}

// Names returns the sorted function names.
func Names() []string {
	out := make([]string, 0, len(functions))
	for _, f := range functions {
		out = append(out, f.Name)
	}
	sort.Strings(out)
	return out
}

// specKind reads the top-level "kind" of a model's JSON spec.
func specKind(spec string) (string, error) {
	var head struct {
		Kind string `json:"kind"`
	}
	if err := json.Unmarshal([]byte(spec), &head); err != nil {
		return "", fmt.Errorf("corrupt model JSON: %v", err)
	}
	if head.Kind == "" {
		return "", fmt.Errorf("corrupt model JSON: no \"kind\" field")
	}
	return head.Kind, nil
}
