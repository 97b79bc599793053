package forest

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/custseg/custseg/udf/classmetrics"
	"github.com/custseg/custseg/udf/dataset"
	"github.com/custseg/custseg/udf/internal/sklearnsplit"
)

// sklearnDir holds the data sets of testdata/sklearn/tree_reference.py and
// the references testdata/sklearn/forest_reference.py wrote with
// scikit-learn 1.2.1.
const sklearnDir = "../../testdata/sklearn"

// readSplit reads the train and test sets of reference data set name.
func readSplit(t testing.TB, name string) (train, test *dataset.Dataset) {
	return sklearnsplit.MustRead(t, sklearnDir, name)
}

// TestForestMatchesScikitLearn trains 100 trees on each reference data
// set and requires the test accuracy within 1.5 points of
// RandomForestClassifier(n_estimators=100, random_state=0)'s and, on
// binary sets, the ROC AUC of the larger class's probability within 0.02
// (issue #12 §5). The two forests draw different bootstraps, so only
// their quality can agree.
func TestForestMatchesScikitLearn(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(sklearnDir, "forest_reference.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ref struct {
		Sklearn     string `json:"sklearn"`
		NEstimators int    `json:"n_estimators"`
		Datasets    map[string]struct {
			Accuracy    float64  `json:"accuracy"`
			AUC         *float64 `json:"auc"`
			OOBAccuracy float64  `json:"oob_accuracy"`
		} `json:"datasets"`
	}
	if err := json.Unmarshal(raw, &ref); err != nil {
		t.Fatal(err)
	}
	if len(ref.Datasets) < 3 {
		t.Fatalf("%d reference data sets, want at least 3", len(ref.Datasets))
	}
	for name, r := range ref.Datasets {
		t.Run(name, func(t *testing.T) {
			train, test := readSplit(t, name)
			m, err := Train(train, Params{NTrees: ref.NEstimators})
			if err != nil {
				t.Fatal(err)
			}
			hit := 0
			var scores []float64
			var positive []bool
			for i, x := range test.Rows {
				label, proba, err := m.Predict(x)
				if err != nil {
					t.Fatal(err)
				}
				if label == test.Labels[i] {
					hit++
				}
				if len(m.Classes) == 2 {
					scores = append(scores, proba[1])
					positive = append(positive, test.Labels[i] == m.Classes[1])
				}
			}
			acc := float64(hit) / float64(len(test.Rows))
			if math.Abs(acc-r.Accuracy) > 0.015 {
				t.Errorf("accuracy %.4f, scikit-learn %s %.4f: more than 1.5 points apart", acc, ref.Sklearn, r.Accuracy)
			}
			if (r.AUC != nil) != (len(m.Classes) == 2) {
				t.Fatalf("%d classes but reference AUC %v", len(m.Classes), r.AUC)
			}
			msg := ""
			if r.AUC != nil {
				auc, err := classmetrics.AUC(scores, positive)
				if err != nil {
					t.Fatal(err)
				}
				if math.Abs(auc-*r.AUC) > 0.02 {
					t.Errorf("AUC %.4f, scikit-learn %.4f: more than 0.02 apart", auc, *r.AUC)
				}
				msg = " AUC " + strconv.FormatFloat(auc, 'f', 4, 64) + " (scikit-learn " + strconv.FormatFloat(*r.AUC, 'f', 4, 64) + ")"
			}
			t.Logf("accuracy %.4f (scikit-learn %.4f)%s; out-of-bag accuracy %.4f (scikit-learn %.4f)",
				acc, r.Accuracy, msg, *m.OOBAccuracy, r.OOBAccuracy)
		})
	}
}
