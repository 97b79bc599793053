package pipeline

import (
	"context"
	"fmt"
	"time"

	"github.com/custseg/custseg/internal/engine"
	"github.com/custseg/custseg/internal/registry"
	"github.com/custseg/custseg/udf/catalog"
	"github.com/custseg/custseg/udf/rfm"
)

// DefaultRFMModel is the registry name of the RFM model custseg fits.
const DefaultRFMModel = "rfm"

// FitRFM fits quintile cut points on customer_features and stores them as a
// new, active version of model name, unless they equal the active version
// (same data, same as-of), which it then returns. asOf is recorded in the
// model.
func FitRFM(ctx context.Context, db *engine.DB, name, asOf string) (registry.Version, *rfm.Model, error) {
	v, m, _, err := fitRFM(ctx, db, name, asOf)
	return v, m, err
}

// fitRFM is FitRFM, also reporting whether the active version was kept.
func fitRFM(ctx context.Context, db *engine.DB, name, asOf string) (registry.Version, *rfm.Model, bool, error) {
	rows, err := db.QueryContext(ctx, `SELECT recency_days, frequency, monetary FROM customer_features`)
	if err != nil {
		return registry.Version{}, nil, false, fmt.Errorf("rfm fit: %w (run custseg features first)", err)
	}
	defer rows.Close()
	var r, f, m []float64
	for rows.Next() {
		var x, y, z float64
		if err := rows.Scan(&x, &y, &z); err != nil {
			return registry.Version{}, nil, false, fmt.Errorf("rfm fit: %w", err)
		}
		r, f, m = append(r, x), append(f, y), append(m, z)
	}
	if err := rows.Err(); err != nil {
		return registry.Version{}, nil, false, fmt.Errorf("rfm fit: %w", err)
	}
	model, err := rfm.Fit(r, f, m)
	if err != nil {
		return registry.Version{}, nil, false, err
	}
	model.AsOf = asOf
	model.Created = time.Now().UTC().Format("2006-01-02 15:04:05")
	spec := model.JSON()
	// Two fits of the same customers differ only in when they were made.
	same := func(active string) bool {
		old, err := rfm.ParseModel(active)
		if err != nil {
			return false
		}
		old.Created = model.Created
		return sameSpec(old.JSON(), spec)
	}
	v, kept, err := addUnlessSame(ctx, db, name, rfm.Kind, spec, fmt.Sprintf("fitted on %d customers", len(r)), same)
	if err != nil {
		return registry.Version{}, nil, false, err
	}
	return v, model, kept, nil
}

// ScoreRFM writes table customer_rfm (scores, code and segment of every
// customer) with the given model reference, using custseg's SQL functions;
// the reference reaches SQL as a bound parameter.
func ScoreRFM(ctx context.Context, db *engine.DB, ref string) error {
	if _, _, err := catalog.ParseModelRef(ref); err != nil {
		return fmt.Errorf("rfm scores: %w", err)
	}
	script, err := render(db.Kind, "rfm_scores.sql", nil)
	if err != nil {
		return err
	}
	return execInTx(ctx, db, "rfm scores", script, ref)
}

// CreateRFMView (re)creates customer_rfm_sql, the portable window-function
// computation of the same scores.
func CreateRFMView(ctx context.Context, db *engine.DB) error {
	script, err := render(db.Kind, "rfm_window.sql", nil)
	if err != nil {
		return err
	}
	return execInTx(ctx, db, "rfm view", script)
}

// execInTx runs a script with engine.ExecScript in one transaction.
func execInTx(ctx context.Context, db *engine.DB, what, script string, args ...any) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	defer tx.Rollback()
	if err := engine.ExecScript(ctx, tx, script, args...); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return tx.Commit()
}
