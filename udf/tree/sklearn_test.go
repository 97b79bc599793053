package tree

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/custseg/custseg/udf/dataset"
	"github.com/custseg/custseg/udf/internal/sklearnsplit"
)

// sklearnDir holds the references testdata/sklearn/tree_reference.py wrote
// with scikit-learn 1.2.1.
const sklearnDir = "../../testdata/sklearn"

type sklearnTree struct {
	RandomState int     `json:"random_state"`
	Accuracy    float64 `json:"accuracy"`
	Depth       int     `json:"depth"`
	Leaves      int     `json:"leaves"`
	Predictions string  `json:"predictions"` // one class digit per test row
}

type sklearnRun struct {
	Criterion      string `json:"criterion"`
	MaxDepth       int    `json:"max_depth"`
	MinSamplesLeaf int    `json:"min_samples_leaf"`
	sklearnTree
	OtherSeeds []sklearnTree `json:"other_seeds"`
}

// readSplit reads the train and test sets of reference data set name.
func readSplit(t testing.TB, name string) (train, test *dataset.Dataset) {
	return sklearnsplit.MustRead(t, sklearnDir, name)
}

// TestCARTMatchesScikitLearn trains CART with the hyper-parameters of each
// reference run on the same training rows and requires the test accuracy
// within 1 point of DecisionTreeClassifier(random_state=0)'s (issue #12
// §5), or else predictions identical to those of scikit-learn's own tree
// for another random_state: scikit-learn breaks ties between equally good
// splits by a seeded random feature order, CART here by the lowest feature
// index (see Train), and a tie can move the accuracy of a deep tree by more
// than a point on a few hundred test rows. It reports how often the
// predictions and the tree shapes are identical.
func TestCARTMatchesScikitLearn(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(sklearnDir, "tree_reference.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ref struct {
		Sklearn  string                  `json:"sklearn"`
		Datasets map[string][]sklearnRun `json:"datasets"`
	}
	if err := json.Unmarshal(raw, &ref); err != nil {
		t.Fatal(err)
	}
	if len(ref.Datasets) < 3 {
		t.Fatalf("%d reference data sets, want at least 3", len(ref.Datasets))
	}
	same, total, sameShape, anySeed, runs := 0, 0, 0, 0, 0
	for name, rs := range ref.Datasets {
		train, test := readSplit(t, name)
		for _, r := range rs {
			t.Run(fmt.Sprintf("%s/%s/depth%d/leaf%d", name, r.Criterion, r.MaxDepth, r.MinSamplesLeaf), func(t *testing.T) {
				m, err := Train(train, CART, Params{Criterion: r.Criterion, MaxDepth: r.MaxDepth, MinSamplesLeaf: r.MinSamplesLeaf})
				if err != nil {
					t.Fatal(err)
				}
				if len(r.Predictions) != len(test.Rows) {
					t.Fatalf("%d reference predictions for %d test rows", len(r.Predictions), len(test.Rows))
				}
				hit, agree := 0, 0
				pred := make([]byte, 0, len(test.Rows))
				for i, x := range test.Rows {
					label, _, _, err := m.Predict(x)
					if err != nil {
						t.Fatal(err)
					}
					if label == test.Labels[i] {
						hit++
					}
					if label == r.Predictions[i:i+1] {
						agree++
					}
					pred = append(pred, label...)
				}
				acc := float64(hit) / float64(len(test.Rows))
				if math.Abs(acc-r.Accuracy) > 0.01 {
					seed := slices.IndexFunc(r.OtherSeeds, func(o sklearnTree) bool { return o.Predictions == string(pred) })
					if seed < 0 {
						t.Errorf("accuracy %.4f, scikit-learn %s %.4f: more than 1 point apart, and no other random_state grows this tree", acc, ref.Sklearn, r.Accuracy)
					} else {
						t.Logf("accuracy %.4f is more than 1 point from random_state=0's, but scikit-learn with random_state=%d predicts exactly as CART here (a tie)", acc, r.OtherSeeds[seed].RandomState)
					}
				}
				shape := m.Tree.Depth() == r.Depth && m.Tree.Leaves() == r.Leaves
				t.Logf("accuracy %.4f (scikit-learn %.4f); identical predictions %d/%d; depth %d leaves %d (scikit-learn %d, %d)",
					acc, r.Accuracy, agree, len(test.Rows), m.Tree.Depth(), m.Tree.Leaves(), r.Depth, r.Leaves)
				same += agree
				total += len(test.Rows)
				runs++
				if shape && agree == len(test.Rows) {
					sameShape++
				}
				if string(pred) == r.Predictions || slices.ContainsFunc(r.OtherSeeds, func(o sklearnTree) bool { return o.Predictions == string(pred) }) {
					anySeed++
				}
			})
		}
	}
	t.Logf("CART vs scikit-learn %s: %d of %d runs give the same tree shape and identical test predictions as random_state=0, %d predict exactly as some random_state in 0..9; predictions identical to random_state=0 on %d of %d test rows (%.2f%%)",
		ref.Sklearn, sameShape, runs, anySeed, same, total, 100*float64(same)/float64(total))
}
