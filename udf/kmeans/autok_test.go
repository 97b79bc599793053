package kmeans

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/custseg/custseg/internal/retailfixture"
	"github.com/custseg/custseg/udf/rfm"
)

// kneedle finds the knee of curves whose knee is known, and none on curves
// without a bend.
func TestKneedle(t *testing.T) {
	xs := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	curve := func(f func(x float64) float64) []float64 {
		y := make([]float64, len(xs))
		for i, x := range xs {
			y[i] = f(x)
		}
		return y
	}
	for _, c := range []struct {
		name string
		y    []float64
		knee int // index into xs, -1 for none
	}{
		// Two straight pieces meeting at x = 4: steep, then flat.
		{"bend at 4", curve(func(x float64) float64 {
			if x <= 4 {
				return 100 - 25*(x-1)
			}
			return 25 - 2*(x-4)
		}), 3},
		// Bend at 3 (a sharper one than the gentle slope after it).
		{"bend at 3", curve(func(x float64) float64 { return math.Max(90-40*(x-1), 10-(x-3)) }), 2},
		// y = 1/x on 1..10: normalised, the difference (1 − y_n) − x_n is
		// largest at x = 3 (0.4444 against 0.4383 at 2 and 0.4167 at 4).
		{"1/x", curve(func(x float64) float64 { return 1 / x }), 2},
		{"straight", curve(func(x float64) float64 { return 100 - 5*x }), -1},
		{"concave", curve(func(x float64) float64 { return 100 - x*x }), -1},
		{"flat", curve(func(float64) float64 { return 7 }), -1},
	} {
		diff, knee := kneedle(xs, c.y)
		if knee != c.knee {
			t.Errorf("%s: knee at index %d, want %d (difference curve %.4f)", c.name, knee, c.knee, diff)
		}
	}
	if _, knee := kneedle([]float64{1, 2}, []float64{2, 1}); knee != -1 {
		t.Errorf("two points have no knee, got %d", knee)
	}
}

// chooseK applies the documented rule: the elbow unless its silhouette is
// more than the tolerance below the best; the silhouette when inertia has
// no knee.
func TestChooseK(t *testing.T) {
	// Inertia with a clear elbow at k = 4 (k = 1 is the total 1000).
	inertia := map[int]float64{3: 600, 4: 200, 5: 180, 6: 165, 7: 150, 8: 140}
	table := func(sil map[int]float64, se float64) []KRow {
		var rows []KRow
		for k := 3; k <= 8; k++ {
			rows = append(rows, KRow{K: k, Inertia: inertia[k], Silhouette: sil[k], SilhouetteSE: se})
		}
		return rows
	}
	for _, c := range []struct {
		name   string
		sil    map[int]float64
		se     float64
		k      int
		method string
		picks  map[int][]string
	}{
		{"agree", map[int]float64{3: .3, 4: .5, 5: .4, 6: .3, 7: .3, 8: .2}, 0, 4, "elbow+silhouette",
			map[int][]string{4: {KByElbow, KBySilhouette}}},
		{"elbow within tolerance", map[int]float64{3: .51, 4: .50, 5: .4, 6: .3, 7: .3, 8: .2}, 0, 4, KByElbow,
			map[int][]string{3: {KBySilhouette}, 4: {KByElbow}}},
		{"elbow just within tolerance", map[int]float64{3: .519, 4: .50, 5: .4, 6: .3, 7: .3, 8: .2}, 0, 4, KByElbow,
			map[int][]string{3: {KBySilhouette}, 4: {KByElbow}}},
		{"silhouette clearly better", map[int]float64{3: .60, 4: .50, 5: .4, 6: .3, 7: .3, 8: .2}, 0, 3, KBySilhouette,
			map[int][]string{3: {KBySilhouette}, 4: {KByElbow}}},
		// Sampled: 2·√2·0.02 ≈ 0.057 widens the tolerance past the 0.05 gap.
		{"within sampling error", map[int]float64{3: .55, 4: .50, 5: .4, 6: .3, 7: .3, 8: .2}, 0.02, 4, KByElbow,
			map[int][]string{3: {KBySilhouette}, 4: {KByElbow}}},
	} {
		rows := table(c.sil, c.se)
		i, method, reason := chooseK(rows, 1000)
		if rows[i].K != c.k || method != c.method {
			t.Errorf("%s: chose k=%d by %s (%s), want k=%d by %s", c.name, rows[i].K, method, reason, c.k, c.method)
		}
		for _, r := range rows {
			if !slices.Equal(r.Picks, c.picks[r.K]) {
				t.Errorf("%s: k=%d picks %v, want %v", c.name, r.K, r.Picks, c.picks[r.K])
			}
		}
		if !strings.Contains(reason, "k=4") || !strings.Contains(reason, "k=3..8") {
			t.Errorf("%s: reason %q does not name the elbow and the range", c.name, reason)
		}
	}
	// Straight inertia: no knee, the silhouette decides.
	rows := []KRow{{K: 3, Inertia: 300, Silhouette: .2}, {K: 4, Inertia: 200, Silhouette: .4}, {K: 5, Inertia: 100, Silhouette: .3}}
	if i, method, reason := chooseK(rows, 500); rows[i].K != 4 || method != KBySilhouette || !strings.Contains(reason, "no knee") {
		t.Errorf("no knee: chose k=%d by %s (%s)", rows[i].K, method, reason)
	}
}

// On the three real datasets, --k auto's default range gives a k that is not
// 2, lies in DefaultKMin..DefaultKMax and follows AutoK's rule, and every
// segment's name agrees with its centroid's levels (also at k = 2 and at
// DefaultKMax).
func TestAutoKRealData(t *testing.T) {
	if testing.Short() {
		t.Skip("reads the three real files")
	}
	features := []string{"recency_days", "frequency", "monetary"}
	for _, ds := range retailfixture.Datasets {
		t.Run(ds.Name, func(t *testing.T) {
			rows, n := ds.Customers(t)
			m, table, reason, err := AutoK(rows, n, features, DefaultKMin, DefaultKMax, TrainOptions{})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("k=%d by %s: %s", m.K, m.KSelectionMethod, reason)
			if m.K == 2 || m.K < DefaultKMin || m.K > DefaultKMax {
				t.Errorf("chose k=%d, want a k in %d..%d", m.K, DefaultKMin, DefaultKMax)
			}
			if len(table) != DefaultKMax-DefaultKMin+1 {
				t.Fatalf("%d rows in the k table", len(table))
			}
			// The rule, recomputed from the table.
			elbow, sil := 0, 0
			for i, r := range table {
				if r.Elbow > table[elbow].Elbow {
					elbow = i
				}
				if r.Silhouette > table[sil].Silhouette {
					sil = i
				}
			}
			e, s := table[elbow], table[sil]
			want := s.K
			if s.Silhouette-e.Silhouette <= math.Max(KSilhouetteTolerance, 2*math.Hypot(e.SilhouetteSE, s.SilhouetteSE)) {
				want = e.K
			}
			if m.K != want || !slices.Contains(e.Picks, KByElbow) || !slices.Contains(s.Picks, KBySilhouette) {
				t.Errorf("chose k=%d, the rule gives k=%d (elbow k=%d, silhouette k=%d; table %+v)", m.K, want, e.K, s.K, table)
			}
			checkNames(t, m)
			for _, k := range []int{2, DefaultKMax} {
				mk, err := Train(rows, n, features, TrainOptions{K: k})
				if err != nil {
					t.Fatal(err)
				}
				checkNames(t, mk)
			}
		})
	}
}

// Quintile bounds of the standard normal (20, 40, 60, 80 %), the scale the
// README's score ranges are read on for centroids (NameSegments).
var testBounds = [4]float64{-0.8416212335729143, -0.2533471031357997, 0.2533471031357997, 0.8416212335729143}

// checkNames checks every name of m against the centroid's R, F, M levels
// relative to the others: a standard name's README ranges (widened by
// NameTolerance) contain the levels; a profile name's words say the levels.
func checkNames(t *testing.T, m *Model) {
	t.Helper()
	rules := map[string]rfm.Rule{}
	for _, r := range rfm.DefaultRules() {
		rules[r.Segment] = r
	}
	levels := centroidLevels(m)
	if len(m.SegmentNameSources) != m.K {
		t.Fatalf("%d name sources for k=%d", len(m.SegmentNameSources), m.K)
	}
	for c, name := range m.SegmentNames {
		lv := levels[c]
		desc := func() string { return fmt.Sprintf("centroid %.0f", m.CentroidsOriginal[c]) }
		switch m.SegmentNameSources[c] {
		case NameStandard:
			rule, ok := rules[name]
			if !ok {
				t.Errorf("k=%d: %q is marked standard but is not a segment of the README's table", m.K, name)
				continue
			}
			for i, r := range []rfm.Range{rule.R, rule.F, rule.M} {
				lo, hi := math.Inf(-1), math.Inf(1)
				if r[0] > 1 {
					lo = testBounds[r[0]-2] - NameTolerance
				}
				if r[1] < 5 {
					hi = testBounds[r[1]-1] + NameTolerance
				}
				if lv[i] < lo || lv[i] > hi {
					t.Errorf("k=%d: %q (%s) has %c level %.3f outside its range %d–%d (%.3f..%.3f)", m.K, name, desc(), "RFM"[i], lv[i], r[0], r[1], lo, hi)
				}
			}
		case NameProfile:
			words := strings.Fields(strings.ToLower(name))
			has := func(w string) bool { return slices.Contains(words, w) }
			check := func(what string, v float64, high, low bool) {
				switch {
				case high && v <= testBounds[2], low && v >= testBounds[1],
					!high && !low && (v > testBounds[2] || v < testBounds[1]):
					t.Errorf("k=%d: %q (%s): %s level %.3f disagrees", m.K, name, desc(), what, v)
				}
			}
			check("recency", lv[0], has("recent"), has("lapsed"))
			check("frequency", lv[1], has("frequent"), has("infrequent") || has("one-time"))
			check("spend", lv[2], has("big"), has("low"))
			if has("one-time") && m.CentroidsOriginal[c][1] >= oneTimeFrequency {
				t.Errorf("k=%d: %q but frequency %.2f", m.K, name, m.CentroidsOriginal[c][1])
			}
		default:
			t.Errorf("k=%d: %q has name source %q", m.K, name, m.SegmentNameSources[c])
		}
	}
	t.Logf("k=%d: %q %v", m.K, m.SegmentNames, m.SegmentNameSources)
}

// Synthetic centroids: the profile once named "About To Sleep" (one
// purchase, big spend, long ago) gets a name that says big spend, and every
// name agrees with its levels, for several k.
func TestNamesAgreeWithLevels(t *testing.T) {
	// Original units (recency days, frequency, spend), standard scaling on
	// log1p like Train's: centroids are the scaled log1p of these.
	profiles := [][]float64{
		{10, 20, 5000}, // champions
		{300, 1, 80},   // lost
		{20, 1, 150},   // new
		{150, 1, 4600}, // big one-time spender, long ago
		{60, 4, 900},   // middling
		{400, 6, 2500}, // frequent big spenders, long ago
		{5, 2, 300},    // recent, few purchases
		{200, 2, 200},  // fading
	}
	for k := 2; k <= len(profiles); k++ {
		m := &Model{Kind: Kind, Features: rfmFeatures, Transform: TransformLog1p, K: k, Scaler: identity(3)}
		m.Scaler.Method = ScaleStandard
		for _, p := range profiles[:k] {
			var z []float64
			for _, v := range p {
				z = append(z, math.Log1p(v))
			}
			m.Centroids, m.CentroidsOriginal = append(m.Centroids, z), append(m.CentroidsOriginal, p)
		}
		// Centre the scaled centroids (standard scaling: the training mean is 0).
		for j := 0; j < 3; j++ {
			mean := 0.0
			for _, c := range m.Centroids {
				mean += c[j] / float64(k)
			}
			for _, c := range m.Centroids {
				c[j] -= mean
			}
		}
		m.SegmentNames, m.SegmentNameSources = nameSegments(m)
		checkNames(t, m)
		if k > 3 {
			if got := m.SegmentNames[3]; got == "About To Sleep" || rulesM(got) && !strings.Contains(strings.ToLower(got), "big") {
				t.Errorf("k=%d: the big one-time spender is named %q", k, got)
			}
		}
		if m.SegmentNames[0] != "Champions" {
			t.Errorf("k=%d: champions named %q (%q)", k, m.SegmentNames[0], m.SegmentNames)
		}
	}
}

// rulesM reports whether name is a profile name or a standard segment whose
// M range is not high (then it must not name a big spender).
func rulesM(name string) bool {
	for _, r := range rfm.DefaultRules() {
		if r.Segment == name {
			return r.M[0] < 4
		}
	}
	return true
}

// Train refuses fewer than MinK segments, as the CLI does.
func TestTrainRefusesKBelowMinK(t *testing.T) {
	rows := rfmRows(100, 3)
	for _, k := range []int{-1, 0, 1} {
		_, err := Train(rows, 100, rfmFeatures, TrainOptions{K: k})
		if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("kmeans: k = %d: need at least %d segments", k, MinK)) {
			t.Errorf("k=%d: error %v", k, err)
		}
	}
	if _, err := Train(rows, 100, rfmFeatures, TrainOptions{K: MinK}); err != nil {
		t.Errorf("k=%d refused: %v", MinK, err)
	}
}
