package sqltest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/custseg/custseg/udf/catalog"
)

// Case is one query of a cross-engine check: it returns Want, or fails
// with an error containing every fragment of Err.
type Case struct {
	SQL  string
	Want any
	Err  []string
}

// features lists n feature columns x, x+1, ... of a metric aggregate call.
func features(n int) string {
	cols := make([]string, n)
	for i := range cols {
		cols[i] = fmt.Sprintf("x + %d", i)
	}
	return strings.Join(cols, ", ")
}

// ConversionCases are the value conversions every engine applies alike
// (docs/FUNCTIONS.md): an integral DOUBLE or DECIMAL is an integer, a
// fractional one is not, and a text where a number belongs is refused
// naming the argument, even when it spells a number. rfmSpec is an inline
// rfm model for which (12, 4, 800) scores 444. The last case checks that
// catalog.MaxAggregateFeatures features are accepted.
func ConversionCases(rfmSpec string) []Case {
	points := `FROM (SELECT 0 AS label, 0.0 AS x UNION ALL SELECT 0, 2.0 UNION ALL SELECT 1, 10.0 UNION ALL SELECT 1, 12.0) AS t`
	return []Case{
		{SQL: `SELECT rfm_segment(155)`, Want: "Can't Lose Them"},
		{SQL: `SELECT rfm_segment(155.0)`, Want: "Can't Lose Them"},
		{SQL: `SELECT rfm_segment(CAST(155 AS DOUBLE))`, Want: "Can't Lose Them"},
		{SQL: `SELECT rfm_segment('155')`, Err: []string{"rfm_segment: rfm_code must be an integer, got text \"155\""}},
		{SQL: `SELECT rfm_segment(155.5)`, Err: []string{"rfm_segment: rfm_code must be an integer, got 155.5"}},
		{SQL: `SELECT rfm_score('` + rfmSpec + `', 12.0, 4, 800)`, Want: int64(444)},
		{SQL: `SELECT rfm_score('` + rfmSpec + `', '12', 4, 800)`, Err: []string{"rfm_score: recency_days must be a number, got text \"12\""}},
		{SQL: `SELECT rfm_score('` + rfmSpec + `', 12, 4, '800.0')`, Err: []string{"rfm_score: monetary must be a number, got text \"800.0\""}},
		{SQL: `SELECT silhouette(label, x) ` + points, Want: 158.0 / 198},                                                        // (9/11 + 7/9) / 2
		{SQL: fmt.Sprintf(`SELECT silhouette(label, %s) %s`, features(catalog.MaxAggregateFeatures), points), Want: 158.0 / 198}, // (9/11 + 7/9) / 2
	}
}

// TooManyFeatures is a metric aggregate call with one feature more than
// catalog.MaxAggregateFeatures, refused by every engine.
func TooManyFeatures() string {
	return fmt.Sprintf(`SELECT silhouette(label, %s) FROM (SELECT 0 AS label, 0.0 AS x) AS t`, features(catalog.MaxAggregateFeatures+1))
}

// CheckCases runs every case on db.
func CheckCases(t *testing.T, db Queryer, cases []Case) {
	t.Helper()
	for _, c := range cases {
		v, err := QueryValue(db, c.SQL)
		if c.Err != nil {
			if err == nil {
				t.Errorf("%s: got %v, want an error mentioning %q", c.SQL, v, c.Err)
				continue
			}
			for _, f := range c.Err {
				if !strings.Contains(err.Error(), f) {
					t.Errorf("%s: error %q does not mention %q", c.SQL, err, f)
				}
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.SQL, err)
			continue
		}
		if f, ok := c.Want.(float64); ok {
			if g, ok := v.(float64); !ok || g-f > 1e-12 || f-g > 1e-12 {
				t.Errorf("%s = %v (%T), want %v", c.SQL, v, v, c.Want)
			}
			continue
		}
		if v != c.Want {
			t.Errorf("%s = %v (%T), want %v (%T)", c.SQL, v, v, c.Want, c.Want)
		}
	}
}
