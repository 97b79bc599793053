package catalog

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/custseg/custseg/udf/dataset"
	"github.com/custseg/custseg/udf/forest"
	"github.com/custseg/custseg/udf/knn"
	"github.com/custseg/custseg/udf/oner"
	"github.com/custseg/custseg/udf/tree"
)

// A model decoder turns a stored JSON spec into the value functions use
// (an *rfm.Model, a *kmeans.Model, ...). Each family registers its kind from
// an init function in this package, so the resolver needs no central switch.
var decoders = struct {
	sync.RWMutex
	m map[string]func(spec string) (any, error)
}{m: map[string]func(string) (any, error){}}

// RegisterModelKind makes DecodeModel handle kind.
func RegisterModelKind(kind string, decode func(spec string) (any, error)) {
	decoders.Lock()
	defer decoders.Unlock()
	decoders.m[kind] = decode
}

// DecodeModel decodes a model spec of the given kind.
func DecodeModel(kind, spec string) (any, error) {
	decoders.RLock()
	decode := decoders.m[kind]
	decoders.RUnlock()
	if decode == nil {
		return nil, fmt.Errorf("unknown model kind %q", kind)
	}
	return decode(spec)
}

// ClassifierKind is the registry kind of every classifier model, whatever
// its algorithm (udf/tree and udf/oner name it alike).
const ClassifierKind = dataset.ClassifierKind

// Classifier is a decoded classifier model as classify, classify_proba and
// classify_path use it, whatever the algorithm behind it.
type Classifier struct {
	Algorithm string
	Features  []dataset.Feature // in the order the functions take them
	Classes   []string          // in the order of Predict's proba
	// Predict classifies one row (missing values as dataset.Value defines
	// them); path is the rule that decided, "" for an algorithm without
	// one (Paths false).
	Predict func(x []dataset.Value) (label string, proba []float64, path string, err error)
	// Paths says whether Predict's path is a rule (trees, 1R).
	Paths bool
}

// classifiers maps a classifier spec's "algorithm" to its decoder, so that
// an algorithm is added by one RegisterClassifier call.
var classifiers = struct {
	sync.RWMutex
	m map[string]func(spec []byte) (*Classifier, error)
}{m: map[string]func([]byte) (*Classifier, error){}}

// RegisterClassifier makes the classifier kind decode specs whose
// "algorithm" is algorithm.
func RegisterClassifier(algorithm string, decode func(spec []byte) (*Classifier, error)) {
	classifiers.Lock()
	defer classifiers.Unlock()
	classifiers.m[algorithm] = decode
}

// decodeClassifier reads a classifier spec's "algorithm" and hands the spec
// to that algorithm's decoder.
func decodeClassifier(spec string) (any, error) {
	var head struct {
		Algorithm string `json:"algorithm"`
	}
	if err := json.Unmarshal([]byte(spec), &head); err != nil {
		return nil, fmt.Errorf("corrupt classifier JSON: %v", err)
	}
	classifiers.RLock()
	decode := classifiers.m[head.Algorithm]
	known := make([]string, 0, len(classifiers.m))
	for a := range classifiers.m {
		known = append(known, a)
	}
	classifiers.RUnlock()
	if decode == nil {
		sort.Strings(known)
		if head.Algorithm == "" {
			return nil, fmt.Errorf("classifier JSON has no \"algorithm\" field (known: %s)", strings.Join(known, ", "))
		}
		return nil, fmt.Errorf("unknown classifier algorithm %.40q (known: %s)", head.Algorithm, strings.Join(known, ", "))
	}
	c, err := decode([]byte(spec))
	if err != nil && len(err.Error()) > maxDecodeError {
		err = errors.New(strings.ToValidUTF8(err.Error()[:maxDecodeError], "") + "…")
	}
	return c, err
}

// maxDecodeError bounds a classifier decoder's error: validation messages
// quote the spec's values (a category, a class), which a hostile spec makes
// megabytes long.
const maxDecodeError = 300

func init() {
	RegisterModelKind(ClassifierKind, decodeClassifier)
	for _, a := range []tree.Algorithm{tree.CART, tree.C45, tree.ID3} {
		RegisterClassifier(string(a), func(spec []byte) (*Classifier, error) {
			m, err := tree.Parse(spec)
			if err != nil {
				return nil, err
			}
			return &Classifier{Algorithm: string(m.Algorithm), Features: m.Features, Classes: m.Classes, Predict: m.Predict, Paths: true}, nil
		})
	}
	RegisterClassifier(oner.Algorithm, func(spec []byte) (*Classifier, error) {
		m, err := oner.Parse(spec)
		if err != nil {
			return nil, err
		}
		return &Classifier{Algorithm: m.Algorithm, Features: m.Features, Classes: m.Classes, Predict: m.Predict, Paths: true}, nil
	})
	RegisterClassifier(forest.Algorithm, func(spec []byte) (*Classifier, error) {
		m, err := forest.Parse(spec)
		if err != nil {
			return nil, err
		}
		predict := func(x []dataset.Value) (string, []float64, string, error) {
			label, proba, err := m.Predict(x)
			return label, proba, "", err
		}
		return &Classifier{Algorithm: m.Algorithm, Features: m.Features, Classes: m.Classes, Predict: predict}, nil
	})
	RegisterClassifier(knn.Algorithm, func(spec []byte) (*Classifier, error) {
		m, err := knn.Parse(spec)
		if err != nil {
			return nil, err
		}
		// kNN features are numeric only; a missing value (NaN) is refused
		// by the model's stored policy, with an error naming the feature.
		predict := func(x []dataset.Value) (string, []float64, string, error) {
			row := make([]float64, len(x))
			for i, v := range x {
				row[i] = v.Num
			}
			label, proba, err := m.Predict(row)
			return label, proba, "", err
		}
		return &Classifier{Algorithm: m.Algorithm, Features: m.Features, Classes: m.Classes, Predict: predict}, nil
	})
}
