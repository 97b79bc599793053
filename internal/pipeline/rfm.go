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
func FitRFM(ctx context.Context, h engine.Handle, name, asOf string) (registry.Version, *rfm.Model, error) {
	v, m, _, err := fitRFM(ctx, h, name, asOf)
	return v, m, err
}

// fitRFM is FitRFM, also reporting whether the active version was kept.
func fitRFM(ctx context.Context, h engine.Handle, name, asOf string) (registry.Version, *rfm.Model, bool, error) {
	rows, err := h.QueryContext(ctx, `SELECT recency_days, frequency, monetary FROM customer_features`)
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
	v, kept, err := addUnlessSame(ctx, h, name, rfm.Kind, spec, fmt.Sprintf("fitted on %d customers", len(r)), same)
	if err != nil {
		return registry.Version{}, nil, false, err
	}
	return v, model, kept, nil
}

// ScoreRFM writes table customer_rfm (scores, code and segment of every
// customer) with the given model reference (name or name@version), using
// custseg's SQL functions; on a transaction (engine.Tx) it writes in it.
// The functions get the version's spec, bound as a parameter, for the
// reason Score gives.
func ScoreRFM(ctx context.Context, h engine.Handle, ref string) error {
	if _, _, err := catalog.ParseModelRef(ref); err != nil {
		return fmt.Errorf("rfm scores: %w", err)
	}
	v, err := registry.Get(ctx, h, ref)
	if err != nil {
		return fmt.Errorf("rfm scores: %w", err)
	}
	if v.Kind != rfm.Kind {
		return fmt.Errorf("rfm scores: %s is a %s model, not an rfm model", v.Ref(), v.Kind)
	}
	script, err := render(h.Engine(), "rfm_scores.sql", nil)
	if err != nil {
		return err
	}
	return execInTx(ctx, h, "rfm scores", script, v.Spec)
}

// CreateRFMView (re)creates customer_rfm_sql, the portable window-function
// computation of the same scores.
func CreateRFMView(ctx context.Context, h engine.Handle) error {
	script, err := render(h.Engine(), "rfm_window.sql", nil)
	if err != nil {
		return err
	}
	return execInTx(ctx, h, "rfm view", script)
}

// execInTx runs a script with engine.ExecScript in one transaction (h's,
// when h is one).
func execInTx(ctx context.Context, h engine.Handle, what, script string, args ...any) error {
	return engine.Atomically(ctx, h, func(tx *engine.Tx) error {
		if err := engine.ExecScript(ctx, tx, script, args...); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		return nil
	})
}
