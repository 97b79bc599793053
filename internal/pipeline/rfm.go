package pipeline

import (
	"context"
	"fmt"
	"time"

	"github.com/custseg/custseg/internal/engine"
	"github.com/custseg/custseg/internal/registry"
	custsql "github.com/custseg/custseg/sql"
	"github.com/custseg/custseg/udf/catalog"
	"github.com/custseg/custseg/udf/rfm"
)

// DefaultRFMModel is the registry name of the RFM model custseg fits.
const DefaultRFMModel = "rfm"

// FitRFM fits quintile cut points on customer_features and stores them as a
// new, active version of model name. asOf is recorded in the model.
func FitRFM(ctx context.Context, db *engine.DB, name, asOf string) (registry.Version, *rfm.Model, error) {
	rows, err := db.QueryContext(ctx, `SELECT recency_days, frequency, monetary FROM customer_features`)
	if err != nil {
		return registry.Version{}, nil, fmt.Errorf("rfm fit: %w (run custseg features first)", err)
	}
	defer rows.Close()
	var r, f, m []float64
	for rows.Next() {
		var x, y, z float64
		if err := rows.Scan(&x, &y, &z); err != nil {
			return registry.Version{}, nil, fmt.Errorf("rfm fit: %w", err)
		}
		r, f, m = append(r, x), append(f, y), append(m, z)
	}
	if err := rows.Err(); err != nil {
		return registry.Version{}, nil, fmt.Errorf("rfm fit: %w", err)
	}
	model, err := rfm.Fit(r, f, m)
	if err != nil {
		return registry.Version{}, nil, err
	}
	model.AsOf = asOf
	model.Created = time.Now().UTC().Format("2006-01-02 15:04:05")
	v, err := registry.Add(ctx, db.DB, name, rfm.Kind, model.JSON(), fmt.Sprintf("fitted on %d customers", len(r)))
	if err != nil {
		return registry.Version{}, nil, err
	}
	return v, model, nil
}

// ScoreRFM writes table customer_rfm (scores, code and segment of every
// customer) with the given model reference, using custseg's SQL functions.
func ScoreRFM(ctx context.Context, db *engine.DB, ref string) error {
	if _, _, err := parseRefStrict(ref); err != nil {
		return err
	}
	script, err := render(db.Kind, "rfm_scores.sql", map[string]string{"Model": ref})
	if err != nil {
		return err
	}
	return execInTx(ctx, db, script, "rfm scores")
}

// CreateRFMView (re)creates customer_rfm_sql, the portable window-function
// computation of the same scores.
func CreateRFMView(ctx context.Context, db *engine.DB) error {
	script, err := render(db.Kind, "rfm_window.sql", nil)
	if err != nil {
		return err
	}
	return execInTx(ctx, db, script, "rfm view")
}

func execInTx(ctx context.Context, db *engine.DB, script, what string) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, stmt := range custsql.Statements(script) {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
	}
	return tx.Commit()
}

// parseRefStrict accepts only a plain registry reference (name or
// name@version), since it is spliced into SQL text.
func parseRefStrict(ref string) (string, int64, error) {
	for _, c := range ref {
		if !(c == '_' || c == '-' || c == '.' || c == '@' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return "", 0, fmt.Errorf("model reference %q: use a name or name@version", ref)
		}
	}
	return catalog.ParseModelRef(ref)
}
