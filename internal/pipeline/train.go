package pipeline

import (
	"context"
	"database/sql/driver"
	"fmt"
	"io"
	"math/big"
	"regexp"
	"strings"
	"time"

	"github.com/custseg/custseg/internal/engine"
	"github.com/custseg/custseg/internal/registry"
	"github.com/custseg/custseg/udf/kmeans"
)

// DefaultFeatures are the columns of customer_features a segment model uses
// unless told otherwise.
var DefaultFeatures = []string{"recency_days", "frequency", "monetary"}

// TrainOptions configures Train.
type TrainOptions struct {
	Model      string   // registry name
	K          int      // clusters; 0 chooses k in [KMin, KMax] by silhouette
	KMin, KMax int      // range for automatic k
	Features   []string // feature columns (default DefaultFeatures)
	Transform  string   // log1p | none
	Scale      string   // standard | robust | none
	NInit      int
	Seed       int64
	// From is a table name or a query (SELECT ... / WITH ...) providing the
	// feature columns; default customer_features.
	From string
	// Progress, if set, hears about each k tried by automatic k.
	Progress func(kmeans.KRow)
}

// TrainResult reports what Train stored.
type TrainResult struct {
	Version  registry.Version
	Model    *kmeans.Model
	Rows     int
	Duration time.Duration
	ReadTime time.Duration
}

var identifier = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// checkIdentifiers accepts plain column names only, since they are spliced
// into SQL text.
func checkIdentifiers(what string, names []string) error {
	if len(names) == 0 {
		return fmt.Errorf("%s: none given", what)
	}
	seen := map[string]bool{}
	for _, n := range names {
		if !identifier.MatchString(n) {
			return fmt.Errorf("%s: %q is not a plain column name", what, n)
		}
		if seen[strings.ToLower(n)] {
			return fmt.Errorf("%s: %q appears twice", what, n)
		}
		seen[strings.ToLower(n)] = true
	}
	return nil
}

// fromClause turns --from into an SQL FROM item.
func fromClause(from string) (string, error) {
	from = strings.TrimSpace(from)
	if from == "" {
		return "customer_features", nil
	}
	if identifier.MatchString(from) {
		return from, nil
	}
	lower := strings.ToLower(from)
	if strings.HasPrefix(lower, "select") || strings.HasPrefix(lower, "with") {
		return "(" + strings.TrimSuffix(from, ";") + ") AS custseg_training_rows", nil
	}
	return "", fmt.Errorf("--from %q: give a table name or a query starting with SELECT or WITH", from)
}

// ReadRows reads the feature columns of every row of from (row-major), with
// a clear error for NULLs or non-numeric values naming the row and column.
func ReadRows(ctx context.Context, db *engine.DB, from string, features []string) ([]float64, int, error) {
	if err := checkIdentifiers("features", features); err != nil {
		return nil, 0, err
	}
	src, err := fromClause(from)
	if err != nil {
		return nil, 0, err
	}
	q := "SELECT " + strings.Join(features, ", ") + " FROM " + src
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer conn.Close()
	var out []float64
	n := 0
	// Below database/sql: the driver's rows into one reused []driver.Value,
	// no Scan per row (reading 1M rows was a fifth of a whole train).
	err = conn.Raw(func(dc any) error {
		queryer, ok := dc.(driver.QueryerContext)
		if !ok {
			return fmt.Errorf("the %s driver cannot run queries directly", db.Kind)
		}
		rows, err := queryer.QueryContext(ctx, q, nil)
		if err != nil {
			return fmt.Errorf("reading training rows (%s): %w", q, err)
		}
		defer rows.Close()
		d := len(features)
		dest := make([]driver.Value, d)
		for {
			if err := rows.Next(dest); err == io.EOF {
				return nil
			} else if err != nil {
				return fmt.Errorf("reading training rows: %w", err)
			}
			n++
			for j, v := range dest {
				f, ok := numeric(v)
				if !ok {
					if v == nil {
						return fmt.Errorf("training row %d: %s is NULL (filter NULLs out with --from \"SELECT ... WHERE %s IS NOT NULL\")", n, features[j], features[j])
					}
					return fmt.Errorf("training row %d: %s is %T %v, not a number (features must be numeric)", n, features[j], v, v)
				}
				out = append(out, f)
			}
		}
	})
	if err != nil {
		return nil, 0, err
	}
	if n == 0 {
		return nil, 0, fmt.Errorf("no training rows in %s (run custseg features first?)", src)
	}
	return out, n, nil
}

// numeric converts a driver value to float64: the engines' integer and
// floating types, and DuckDB's DECIMAL and HUGEINT (which have Float64).
func numeric(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case int64:
		return float64(x), true
	case float32:
		return float64(x), true
	case int32:
		return float64(x), true
	case int16:
		return float64(x), true
	case int8:
		return float64(x), true
	case int:
		return float64(x), true
	case uint64:
		return float64(x), true
	case uint32:
		return float64(x), true
	case uint16:
		return float64(x), true
	case uint8:
		return float64(x), true
	case *big.Int:
		f, _ := new(big.Float).SetInt(x).Float64()
		return f, true
	case interface{ Float64() float64 }:
		return x.Float64(), true
	}
	return 0, false
}

// Train reads the training rows with SQL, fits k-means (or chooses k) and
// stores the model as the new active version.
func Train(ctx context.Context, db *engine.DB, opts TrainOptions) (TrainResult, error) {
	start := time.Now()
	if opts.Model == "" {
		return TrainResult{}, fmt.Errorf("train: a model name is required (--model NAME)")
	}
	if len(opts.Features) == 0 {
		opts.Features = DefaultFeatures
	}
	rows, n, err := ReadRows(ctx, db, opts.From, opts.Features)
	if err != nil {
		return TrainResult{}, fmt.Errorf("train: %w", err)
	}
	readTime := time.Since(start)
	to := kmeans.TrainOptions{K: opts.K, Transform: opts.Transform, Scaler: opts.Scale, Seed: opts.Seed, NInit: opts.NInit, Progress: opts.Progress}
	var m *kmeans.Model
	if opts.K > 0 {
		if n < opts.K {
			return TrainResult{}, fmt.Errorf("train: k = %d is larger than the %d training rows", opts.K, n)
		}
		m, err = kmeans.Train(rows, n, opts.Features, to)
	} else {
		if opts.KMin == 0 {
			opts.KMin = 2
		}
		if opts.KMax == 0 {
			opts.KMax = 10
		}
		m, _, _, err = kmeans.AutoK(rows, n, opts.Features, opts.KMin, opts.KMax, to)
	}
	if err != nil {
		return TrainResult{}, fmt.Errorf("train: %w", err)
	}
	if err := addBaseline(m, rows, n); err != nil {
		return TrainResult{}, fmt.Errorf("train: %w", err)
	}
	spec, err := m.JSON()
	if err != nil {
		return TrainResult{}, fmt.Errorf("train: %w", err)
	}
	note := fmt.Sprintf("k=%d on %d rows", m.K, n)
	v, err := registry.Add(ctx, db.DB, opts.Model, kmeans.Kind, spec, note)
	if err != nil {
		return TrainResult{}, err
	}
	return TrainResult{Version: v, Model: m, Rows: n, Duration: time.Since(start), ReadTime: readTime}, nil
}

// Score writes customer_segments and segment_profiles with the model ref
// (name or name@version; a bare name means its active version), and
// returns the version used.
func Score(ctx context.Context, db *engine.DB, ref string) (registry.Version, error) {
	if _, _, err := parseRefStrict(ref); err != nil {
		return registry.Version{}, err
	}
	v, err := registry.Get(ctx, db.DB, ref)
	if err != nil {
		return registry.Version{}, err
	}
	if v.Kind != kmeans.Kind {
		return registry.Version{}, fmt.Errorf("score: %s is a %s model; score needs a k-means segment model (custseg train)", v.Ref(), v.Kind)
	}
	m, err := kmeans.ParseModel(v.Spec)
	if err != nil {
		return registry.Version{}, fmt.Errorf("score: model %s is corrupt: %w", v.Ref(), err)
	}
	if err := checkIdentifiers("model features", m.Features); err != nil {
		return registry.Version{}, fmt.Errorf("score: %s: %w", v.Ref(), err)
	}
	var extra []string
	for _, f := range m.Features {
		if !contains(DefaultFeatures, f) {
			extra = append(extra, f)
		}
	}
	if err := ensureRFM(ctx, db); err != nil {
		return registry.Version{}, err
	}
	script, err := render(db.Kind, "segments.sql", map[string]any{
		"Model":    v.Ref(),
		"Features": m.Features,
		"Extra":    extra,
		"Profile":  append(append([]string{}, DefaultFeatures...), extra...),
	})
	if err != nil {
		return registry.Version{}, err
	}
	if err := execInTx(ctx, db, script, "score"); err != nil {
		return registry.Version{}, err
	}
	return v, nil
}

// ensureRFM makes sure customer_rfm exists (scores with the active rfm
// model), so customer_segments can carry the RFM columns.
func ensureRFM(ctx context.Context, db *engine.DB) error {
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM customer_rfm`).Scan(&n); err == nil {
		return nil
	}
	if _, err := registry.Get(ctx, db.DB, DefaultRFMModel); err != nil {
		return fmt.Errorf("score: no customer_rfm table and no rfm model: run custseg features first")
	}
	return ScoreRFM(ctx, db, DefaultRFMModel)
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
