// Package classmetrics judges a classifier's predictions with the metrics
// scikit-learn computes, to the same values: accuracy, precision, recall and
// F1 from a confusion matrix, and the area under the ROC curve from scored
// rows. The SQL aggregates accuracy_score, precision_score, recall_score,
// f1_score, roc_auc_score and confusion_matrix (udf/catalog) are built on it.
//
// Classes are labels compared as text: the caller converts its values
// (integers, integral doubles, text) to one text each, so the integer 1 and
// the text '1' are the same class.
//
// # Formulas
//
// For a class k, with C[a][p] the number of rows whose actual label is a and
// predicted label p:
//
//	tp_k = C[k][k],  predicted_k = Σ_a C[a][k],  actual_k = Σ_p C[k][p]
//	precision_k = tp_k / predicted_k   (0 when predicted_k = 0)
//	recall_k    = tp_k / actual_k      (0 when actual_k = 0)
//	F1_k        = 2·precision_k·recall_k / (precision_k + recall_k)   (0 when both are 0)
//	accuracy    = Σ_k tp_k / n
//
// The zero cases are scikit-learn 1.2.1's default zero_division="warn",
// which warns and uses 0; F1 is computed from precision and recall as
// scikit-learn does (not from the counts), so the rounding is the same. The
// macro average is the plain mean over every label of actual ∪ predicted
// (average='macro'), summed in label order so that the result does not
// depend on the order rows arrived in.
//
// The ROC AUC of scores s with a binary truth is the Mann-Whitney statistic
// with average ranks, which equals the trapezoidal area under scikit-learn's
// roc_curve (a tie between a positive and a negative counts one half):
//
//	AUC = Σ_{i positive} Σ_{j negative} ([s_i > s_j] + ½·[s_i = s_j]) / (n_pos · n_neg)
//
// computed as an exact integer numerator (twice the sum, so the halves stay
// integral) divided once, in O(n log n).
package classmetrics

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
)

const (
	// MaxLabels bounds the distinct labels one confusion matrix counts
	// (actual ∪ predicted). Counts are kept per label pair seen, so a
	// matrix costs memory per pair; a column of free text or of scores
	// passed as labels by mistake would otherwise grow without bound.
	MaxLabels = 1000
	// MaxScored bounds the rows one ROC keeps: each is one score (8 bytes),
	// so a group holds at most 256 MiB of scores.
	MaxScored = 1 << 25
)

var (
	// ErrTooManyLabels is returned when a confusion matrix would count more
	// than MaxLabels labels.
	ErrTooManyLabels = fmt.Errorf("more than %d distinct labels in actual and predicted (classmetrics.MaxLabels): "+
		"are these class labels?", MaxLabels)
	// ErrTooManyScored is returned when a ROC would keep more than MaxScored rows.
	ErrTooManyScored = fmt.Errorf("more than %d rows in one group (classmetrics.MaxScored): sample the rows or split them into groups", MaxScored)
	// ErrOneClass is returned by AUC when every row is positive or every
	// row is negative: the ROC curve is not defined (scikit-learn raises too).
	ErrOneClass = errors.New("only one class present in actual")
)

// maxScored is MaxScored, lowered by tests.
var maxScored = MaxScored

// Scores are one class's precision, recall and F1, or their macro average.
type Scores struct {
	Precision, Recall, F1 float64
}

// scores applies the formulas of the package documentation to one class.
func scores(tp, predicted, actual int64) Scores {
	var s Scores
	if predicted > 0 {
		s.Precision = float64(tp) / float64(predicted)
	}
	if actual > 0 {
		s.Recall = float64(tp) / float64(actual)
	}
	if d := s.Precision + s.Recall; d != 0 {
		s.F1 = 2 * s.Precision * s.Recall / d
	}
	return s
}

// Confusion counts (actual, predicted) label pairs. The zero value is an
// empty matrix ready to use; it is not safe for concurrent use.
type Confusion struct {
	labels []string         // in order of first appearance
	index  map[string]int32 // label → position in labels
	counts map[uint64]int64 // actual<<32 | predicted → rows
	n      int64
}

// id returns label's position, adding it (a copy: label may alias engine
// memory) when it is new.
func (c *Confusion) id(label string) (int32, error) {
	if i, ok := c.index[label]; ok {
		return i, nil
	}
	if len(c.labels) >= MaxLabels {
		return 0, ErrTooManyLabels
	}
	if c.index == nil {
		c.index, c.counts = map[string]int32{}, map[uint64]int64{}
	}
	i := int32(len(c.labels))
	label = strings.Clone(label)
	c.labels = append(c.labels, label)
	c.index[label] = i
	return i, nil
}

// Add counts one row.
func (c *Confusion) Add(actual, predicted string) error {
	return c.AddN(actual, predicted, 1)
}

// AddN counts n rows of the same pair.
func (c *Confusion) AddN(actual, predicted string, n int64) error {
	a, err := c.id(actual)
	if err != nil {
		return err
	}
	p, err := c.id(predicted)
	if err != nil {
		return err
	}
	c.counts[uint64(a)<<32|uint64(p)] += n
	c.n += n
	return nil
}

// Merge adds o's counts to c (DuckDB's parallel combine); o is unchanged.
func (c *Confusion) Merge(o *Confusion) error {
	for key, n := range o.counts {
		if err := c.AddN(o.labels[key>>32], o.labels[key&math.MaxUint32], n); err != nil {
			return err
		}
	}
	return nil
}

// Total is the number of rows counted.
func (c *Confusion) Total() int64 { return c.n }

// Labels returns the labels of actual ∪ predicted, sorted as text (byte order).
func (c *Confusion) Labels() []string {
	out := slices.Clone(c.labels)
	slices.Sort(out)
	return out
}

// Count is the number of rows with that actual and predicted label.
func (c *Confusion) Count(actual, predicted string) int64 {
	a, ok := c.index[actual]
	p, ok2 := c.index[predicted]
	if !ok || !ok2 {
		return 0
	}
	return c.counts[uint64(a)<<32|uint64(p)]
}

// Accuracy is the share of rows whose predicted label is the actual one;
// NaN when nothing was counted.
func (c *Confusion) Accuracy() float64 {
	if c.n == 0 {
		return math.NaN()
	}
	var correct int64
	for key, n := range c.counts {
		if key>>32 == key&math.MaxUint32 {
			correct += n
		}
	}
	return float64(correct) / float64(c.n)
}

// margins returns per label id its true positives, predicted and actual totals.
func (c *Confusion) margins() (tp, predicted, actual []int64) {
	L := len(c.labels)
	tp, predicted, actual = make([]int64, L), make([]int64, L), make([]int64, L)
	for key, n := range c.counts {
		a, p := key>>32, key&math.MaxUint32
		if a == p {
			tp[a] += n
		}
		predicted[p] += n
		actual[a] += n
	}
	return tp, predicted, actual
}

// Class returns label's one-vs-rest scores (scikit-learn's average=None
// entry for it; for two classes, average='binary' with pos_label=label).
// ok is false when label occurs in neither actual nor predicted.
func (c *Confusion) Class(label string) (s Scores, ok bool) {
	k, ok := c.index[label]
	if !ok {
		return Scores{}, false
	}
	tp, predicted, actual := c.margins()
	return scores(tp[k], predicted[k], actual[k]), true
}

// Macro returns the unweighted mean of every label's scores over actual ∪
// predicted (scikit-learn's average='macro'); NaN when nothing was counted.
func (c *Confusion) Macro() Scores {
	if len(c.labels) == 0 {
		return Scores{math.NaN(), math.NaN(), math.NaN()}
	}
	tp, predicted, actual := c.margins()
	var sum Scores
	for _, label := range c.Labels() {
		k := c.index[label]
		s := scores(tp[k], predicted[k], actual[k])
		sum.Precision += s.Precision
		sum.Recall += s.Recall
		sum.F1 += s.F1
	}
	L := float64(len(c.labels))
	return Scores{sum.Precision / L, sum.Recall / L, sum.F1 / L}
}

// JSON renders the matrix as {"actual": {"predicted": count}} with every
// label of actual ∪ predicted on both levels (zeros included, as
// scikit-learn's confusion_matrix), keys sorted as text.
func (c *Confusion) JSON() string {
	labels := c.Labels()
	keys := make([]string, len(labels))
	for i, l := range labels {
		b, _ := json.Marshal(l) // a string always marshals
		keys[i] = string(b)
	}
	var b strings.Builder
	b.WriteByte('{')
	for i, a := range labels {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(keys[i] + ":{")
		for j, p := range labels {
			if j > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, "%s:%d", keys[j], c.Count(a, p))
		}
		b.WriteByte('}')
	}
	b.WriteByte('}')
	return b.String()
}

// ROC keeps scored rows, split by their binary truth, for AUC. The zero
// value is empty and ready to use.
type ROC struct {
	pos, neg []float64
}

// Add keeps one row's score; NaN is an error (it has no rank).
func (r *ROC) Add(score float64, positive bool) error {
	if math.IsNaN(score) {
		return errors.New("score is NaN")
	}
	if r.Len() >= maxScored {
		return ErrTooManyScored
	}
	if positive {
		r.pos = append(r.pos, score)
	} else {
		r.neg = append(r.neg, score)
	}
	return nil
}

// Merge adds o's rows to r; o is unchanged.
func (r *ROC) Merge(o *ROC) error {
	if r.Len()+o.Len() > maxScored {
		return ErrTooManyScored
	}
	r.pos = append(r.pos, o.pos...)
	r.neg = append(r.neg, o.neg...)
	return nil
}

// Len is the number of rows kept.
func (r *ROC) Len() int { return len(r.pos) + len(r.neg) }

// Positives and Negatives count the rows of each truth.
func (r *ROC) Positives() int { return len(r.pos) }
func (r *ROC) Negatives() int { return len(r.neg) }

// AUC is the area under the ROC curve (see the package documentation);
// ErrOneClass when there are no positives or no negatives. It sorts the
// kept scores in place.
func (r *ROC) AUC() (float64, error) {
	np, nn := len(r.pos), len(r.neg)
	if np == 0 || nn == 0 {
		return 0, ErrOneClass
	}
	slices.Sort(r.pos)
	slices.Sort(r.neg)
	// Walk the distinct scores upwards; at each, the positives there beat
	// the negatives below (2 halves each) and tie those at it (1 half).
	var twice int64
	var below, i, j int
	for i < np {
		v := r.pos[i]
		for j < nn && r.neg[j] < v {
			j++
		}
		below = j
		for j < nn && r.neg[j] == v {
			j++
		}
		tied := j - below
		p := i
		for i < np && r.pos[i] == v {
			i++
		}
		p = i - p
		twice += int64(p) * (2*int64(below) + int64(tied))
	}
	// twice < 2·MaxScored² / 4 < 2^53: exact as a float64, so the one
	// division is correctly rounded.
	return float64(twice) / (2 * float64(np) * float64(nn)), nil
}

// AUC is ROC.AUC over scores with their truths.
func AUC(scores []float64, positive []bool) (float64, error) {
	if len(scores) != len(positive) {
		return 0, fmt.Errorf("classmetrics: %d scores but %d truths", len(scores), len(positive))
	}
	var r ROC
	for i, s := range scores {
		if err := r.Add(s, positive[i]); err != nil {
			return 0, err
		}
	}
	return r.AUC()
}
