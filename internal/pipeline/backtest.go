package pipeline

import (
	"context"
	"fmt"
	"time"

	"github.com/custseg/custseg/internal/engine"
	"github.com/custseg/custseg/internal/registry"
	custsql "github.com/custseg/custseg/sql"
)

// DefaultBacktestModel is the registry name of a backtest's baseline
// model unless told another, apart from the segment models in use.
const DefaultBacktestModel = "backtest"

// BacktestOptions configures Backtest.
type BacktestOptions struct {
	Model string    // registry name for the baseline model (default DefaultBacktestModel)
	Start time.Time // the baseline's as-of date (features as of Start train the model)
	// Train configures the baseline's training (k or its range, features,
	// transform, scaling, seed, restarts) as for Train; its Model and From
	// are set by Backtest.
	Train     TrainOptions
	Threshold float64 // PSI at which re-training is advised (default drift.DefaultThreshold)
	Cleaning  Cleaning
}

// BacktestRow is the drift of one month end against the baseline.
type BacktestRow struct {
	AsOf   time.Time
	Result DriftResult
}

// backtestTable holds the baseline's training features.
const backtestTable = "custseg_backtest_features"

// Backtest replays the transactions month by month: it trains a baseline
// model on the features as of opts.Start, then computes the features as of
// the first day of every following month up to the last invoice and checks
// their drift against the baseline, so a user sees when re-training would
// have been advised.
func Backtest(ctx context.Context, db *engine.DB, opts BacktestOptions) (registry.Version, []BacktestRow, error) {
	if opts.Model == "" {
		opts.Model = DefaultBacktestModel
	}
	var last any
	if err := db.QueryRowContext(ctx, `SELECT max(invoice_date) FROM transactions`).Scan(&last); err != nil {
		return registry.Version{}, nil, fmt.Errorf("backtest: %w", err)
	}
	end, err := parseDBTime(last)
	if err != nil {
		return registry.Version{}, nil, fmt.Errorf("backtest: no transactions to replay (%v)", err)
	}
	if opts.Start.IsZero() || !opts.Start.Before(end) {
		return registry.Version{}, nil, fmt.Errorf("backtest: --start must be before the last invoice (%s)", end.Format("2006-01-02"))
	}
	if _, err := Features(ctx, db, FeatureOptions{Cleaning: opts.Cleaning, AsOf: opts.Start, Table: backtestTable}); err != nil {
		return registry.Version{}, nil, fmt.Errorf("backtest: baseline features: %w", err)
	}
	defer db.ExecContext(context.Background(), "DROP TABLE IF EXISTS "+custsql.Ident(backtestTable))
	to := opts.Train
	to.Model, to.From = opts.Model, backtestTable
	tr, err := Train(ctx, db, to)
	if err != nil {
		return registry.Version{}, nil, fmt.Errorf("backtest: baseline model: %w", err)
	}
	var out []BacktestRow
	month := time.Date(opts.Start.Year(), opts.Start.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, 1, 0)
	// Months that start after the last invoice would only age everyone.
	for ; !month.After(end); month = month.AddDate(0, 1, 0) {
		res, err := Drift(ctx, db, DriftOptions{Model: tr.Version.Ref(), AsOf: month, Cleaning: opts.Cleaning, Threshold: opts.Threshold})
		if err != nil {
			return tr.Version, out, fmt.Errorf("backtest: as of %s: %w", month.Format("2006-01-02"), err)
		}
		out = append(out, BacktestRow{AsOf: month, Result: res})
	}
	return tr.Version, out, nil
}

// parseDBTime reads a timestamp from either engine.
func parseDBTime(v any) (time.Time, error) {
	switch t := v.(type) {
	case time.Time:
		return t.UTC(), nil
	case string, []byte:
		s := fmt.Sprint(t)
		if b, ok := t.([]byte); ok {
			s = string(b)
		}
		for _, layout := range []string{"2006-01-02 15:04:05", "2006-01-02T15:04:05Z", "2006-01-02 15:04:05-07:00", "2006-01-02 15:04:05.999999999-07:00", time.RFC3339Nano} {
			if p, err := time.Parse(layout, s); err == nil {
				return p.UTC(), nil
			}
		}
		return time.Time{}, fmt.Errorf("unreadable timestamp %q", s)
	case nil:
		return time.Time{}, fmt.Errorf("no timestamp")
	}
	return time.Time{}, fmt.Errorf("unreadable timestamp %v", v)
}
