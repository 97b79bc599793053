package pipeline

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"math/big"
	"regexp"
	"strings"
	"time"

	"github.com/custseg/custseg/internal/engine"
	"github.com/custseg/custseg/internal/registry"
	custsql "github.com/custseg/custseg/sql"
	"github.com/custseg/custseg/udf/catalog"
	"github.com/custseg/custseg/udf/kmeans"
)

// DefaultFeatures are the columns of customer_features a segment model uses
// unless told otherwise.
var DefaultFeatures = []string{"recency_days", "frequency", "monetary"}

// TrainOptions configures Train.
type TrainOptions struct {
	Model      string   // registry name
	K          int      // clusters; 0 chooses k in [KMin, KMax] (kmeans.AutoK)
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
	Kept     bool // the model equalled the active version, which Version is: none was added
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

// fromClause turns --from into an SQL FROM item: a table name, quoted by
// custsql.Ident, or exactly one query, in parentheses. More than one
// statement, or one that is not a query, is refused: --from reads rows, it
// never writes.
func fromClause(kind engine.Kind, from string) (string, error) {
	from = strings.TrimSpace(from)
	if from == "" {
		return custsql.Ident("customer_features"), nil
	}
	if identifier.MatchString(from) {
		return custsql.Ident(from), nil
	}
	if _, _, open := custsql.Split(from); open {
		return "", fmt.Errorf("--from %q: a quote or a /* comment is not closed", from)
	}
	stmts := custsql.Script(from)
	if len(stmts) != 1 {
		return "", fmt.Errorf("--from holds %d statements separated by ';': give a table name or one query", len(stmts))
	}
	switch k := custsql.Keyword(stmts[0].SQL); {
	case k == "SELECT" || k == "WITH" || k == "VALUES" || k == "TABLE" || k == "FROM" && kind == engine.DuckDB:
	case k == "FROM":
		return "", fmt.Errorf("--from: a query starting with FROM is DuckDB's syntax; on SQLite start it with SELECT")
	default:
		return "", fmt.Errorf("--from: %s is not a query: give a table name or a query starting with SELECT, WITH or VALUES", k)
	}
	// On lines of its own, so that a trailing -- comment cannot swallow
	// the closing parenthesis.
	return "(\n" + stmts[0].SQL + "\n) AS custseg_training_rows", nil
}

// ReadRows reads the feature columns of every row of from (row-major), with
// a clear error for NULLs or non-numeric values naming the row and column.
// from is read as one prepared statement inside a transaction that is
// rolled back, so that it cannot leave anything behind.
func ReadRows(ctx context.Context, db *engine.DB, from string, features []string) ([]float64, int, error) {
	if err := checkIdentifiers("features", features); err != nil {
		return nil, 0, err
	}
	src, err := fromClause(db.Kind, from)
	if err != nil {
		return nil, 0, err
	}
	cols := make([]string, len(features))
	for i, f := range features {
		cols[i] = custsql.Ident(f)
	}
	q := "SELECT " + strings.Join(cols, ", ") + " FROM " + src
	var out []float64
	n := 0
	_, err = readQuery(ctx, db, q, func(dest []driver.Value) error {
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
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	if n == 0 {
		return nil, 0, fmt.Errorf("no training rows in %s (run custseg features first?)", src)
	}
	return out, n, nil
}

// readQuery runs the query q, built over fromClause, as one prepared
// statement inside a transaction that is rolled back, so that it cannot
// leave anything behind, and hands each row's driver values to row (the
// slice is reused between rows). It returns the result's column names.
func readQuery(ctx context.Context, db *engine.DB, q string, row func(dest []driver.Value) error) (columns []string, err error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	// Below database/sql: the driver's rows into one reused []driver.Value,
	// no Scan per row (reading 1M rows was a fifth of a whole train).
	err = conn.Raw(func(dc any) (err error) {
		execer, ok1 := dc.(driver.ExecerContext)
		preparer, ok2 := dc.(driver.ConnPrepareContext)
		if !ok1 || !ok2 {
			return fmt.Errorf("the %s driver cannot run statements directly", db.Kind)
		}
		// A plain BEGIN (deferred on SQLite, where the driver's own would
		// be IMMEDIATE and hold the write lock while reading).
		if _, err := execer.ExecContext(ctx, "BEGIN TRANSACTION", nil); err != nil {
			return fmt.Errorf("reading training rows: %w", err)
		}
		defer func() {
			if _, rerr := execer.ExecContext(context.Background(), "ROLLBACK", nil); rerr != nil {
				// The connection may still be in the transaction: drop it.
				err = errors.Join(err, fmt.Errorf("reading training rows: %w", rerr), driver.ErrBadConn)
			}
		}()
		stmt, err := preparer.PrepareContext(ctx, q)
		if err != nil {
			return fmt.Errorf("reading training rows (%s): %w", q, err)
		}
		defer stmt.Close()
		queryer, ok := stmt.(driver.StmtQueryContext)
		if !ok {
			return fmt.Errorf("the %s driver cannot run queries directly", db.Kind)
		}
		rows, err := queryer.QueryContext(ctx, nil)
		if err != nil {
			return fmt.Errorf("reading training rows (%s): %w", q, err)
		}
		defer rows.Close()
		columns = rows.Columns()
		dest := make([]driver.Value, len(columns))
		for {
			if err := rows.Next(dest); err == io.EOF {
				return nil
			} else if err != nil {
				return fmt.Errorf("reading training rows: %w", err)
			}
			if err := row(dest); err != nil {
				return err
			}
		}
	})
	return columns, err
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
// stores the model as the new active version, unless it equals the active
// version (then kept).
func Train(ctx context.Context, db *engine.DB, opts TrainOptions) (TrainResult, error) {
	f, err := fit(ctx, db, opts)
	if err != nil {
		return TrainResult{}, err
	}
	return f.store(ctx, db, opts.Model)
}

// fitted is a model trained but not stored yet.
type fitted struct {
	start    time.Time
	model    *kmeans.Model
	spec     string
	rows     int
	readTime time.Duration
}

// fit reads the training rows and fits the model: the long part of
// training, done before any transaction so that it holds no lock.
func fit(ctx context.Context, db *engine.DB, opts TrainOptions) (fitted, error) {
	start := time.Now()
	if opts.Model == "" {
		return fitted{}, fmt.Errorf("train: a model name is required (--model NAME)")
	}
	// Refused before any work, as registry.Add would refuse it at the end.
	if err := catalog.ValidModelName(opts.Model); err != nil {
		return fitted{}, fmt.Errorf("train: %w", err)
	}
	if len(opts.Features) == 0 {
		opts.Features = DefaultFeatures
	}
	rows, n, err := ReadRows(ctx, db, opts.From, opts.Features)
	if err != nil {
		return fitted{}, fmt.Errorf("train: %w", err)
	}
	readTime := time.Since(start)
	to := kmeans.TrainOptions{K: opts.K, Transform: opts.Transform, Scaler: opts.Scale, Seed: opts.Seed, NInit: opts.NInit, Progress: opts.Progress}
	var m *kmeans.Model
	if opts.K > 0 {
		if n < opts.K {
			return fitted{}, fmt.Errorf("train: k = %d is larger than the %d training rows", opts.K, n)
		}
		m, err = kmeans.Train(rows, n, opts.Features, to)
	} else {
		if opts.KMin == 0 {
			opts.KMin = kmeans.DefaultKMin
		}
		if opts.KMax == 0 {
			opts.KMax = kmeans.DefaultKMax
		}
		m, _, _, err = kmeans.AutoK(rows, n, opts.Features, opts.KMin, opts.KMax, to)
	}
	if err != nil {
		return fitted{}, fmt.Errorf("train: %w", err)
	}
	if err := addBaseline(m, rows, n); err != nil {
		return fitted{}, fmt.Errorf("train: %w", err)
	}
	spec, err := m.JSON()
	if err != nil {
		return fitted{}, fmt.Errorf("train: %w", err)
	}
	return fitted{start: start, model: m, spec: spec, rows: n, readTime: readTime}, nil
}

// store adds the fitted model as the new active version of name, unless it
// equals the active version (then kept). Training is deterministic for a
// seed: the same spec (fingerprint of the rows included) means the same
// rows and options.
func (f fitted) store(ctx context.Context, h engine.Handle, name string) (TrainResult, error) {
	note := fmt.Sprintf("k=%d on %d rows", f.model.K, f.rows)
	v, kept, err := addUnlessSame(ctx, h, name, kmeans.Kind, f.spec, note, func(active string) bool { return sameSpec(active, f.spec) })
	if err != nil {
		return TrainResult{}, err
	}
	return TrainResult{Version: v, Kept: kept, Model: f.model, Rows: f.rows, Duration: time.Since(f.start), ReadTime: f.readTime}, nil
}

// Score writes customer_segments and segment_profiles with the model ref
// (name or name@version; a bare name means its active version), and
// returns the version used. On a transaction (engine.Tx) the tables are
// rewritten in it; on a database, in a transaction of their own.
//
// The SQL functions get the version's spec itself, bound as a parameter,
// and the model column its name@version: the functions resolve names
// through their own read of custseg_models (on DuckDB, another pooled
// connection), which does not see a version added or changed by the
// uncommitted transaction this may run in.
func Score(ctx context.Context, h engine.Handle, ref string) (registry.Version, error) {
	v, err := registry.Get(ctx, h, ref)
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
	script, err := render(h.Engine(), "segments.sql", map[string]any{
		"Features": m.Features,
		"Extra":    extra,
		"Profile":  append(append([]string{}, DefaultFeatures...), extra...),
	})
	if err != nil {
		return registry.Version{}, err
	}
	err = engine.Atomically(ctx, h, func(tx *engine.Tx) error {
		if err := ensureRFM(ctx, tx); err != nil {
			return err
		}
		if err := engine.ExecScript(ctx, tx, script, v.Ref(), v.Spec); err != nil {
			return fmt.Errorf("score: %w", err)
		}
		return nil
	})
	if err != nil {
		return registry.Version{}, err
	}
	return v, nil
}

// ensureRFM makes sure customer_rfm exists (scores with the active rfm
// model), so customer_segments can carry the RFM columns.
func ensureRFM(ctx context.Context, h engine.Handle) error {
	if ok, err := engine.HasTable(ctx, h, "customer_rfm"); err != nil || ok {
		return err
	}
	if _, err := registry.Get(ctx, h, DefaultRFMModel); err != nil {
		return fmt.Errorf("score: no customer_rfm table and no rfm model: run custseg features first")
	}
	return ScoreRFM(ctx, h, DefaultRFMModel)
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
