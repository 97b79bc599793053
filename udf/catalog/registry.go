package catalog

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
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

// All returns every function of the catalog, in documentation order.
func All() []*Function { return functions }

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
