package pipeline

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"strings"

	"github.com/custseg/custseg/internal/engine"
	"github.com/custseg/custseg/internal/registry"
	"github.com/custseg/custseg/udf/kmeans"
	"github.com/custseg/custseg/udf/rfm"
)

// This file chains the steps into the jobs a user asks for (prepare the
// features, train and score, follow a newly active version), so the CLI,
// a server and tests run the same sequence and only print differently.

// DefaultSegmentsModel is the registry name of the segment model custseg
// trains and scores with unless told another.
const DefaultSegmentsModel = "segments"

// customersTable is where Features writes by default and where Score reads
// the customers; training from it is training on the customers.
const customersTable = "customer_features"

// SegmentsModel returns the model reference (name@version) that
// customer_segments was scored with; ok is false when there is no such
// table or it is empty. Any other failure is an error.
func SegmentsModel(ctx context.Context, h engine.Handle) (ref string, ok bool, err error) {
	exists, err := engine.HasTable(ctx, h, "customer_segments")
	if err != nil || !exists {
		return "", false, err
	}
	var model sql.NullString
	if err := h.QueryRowContext(ctx, `SELECT min(model) FROM customer_segments`).Scan(&model); err != nil {
		return "", false, fmt.Errorf("reading the model of customer_segments: %w", err)
	}
	return model.String, model.Valid && model.String != "", nil
}

// modelName is the registry name of ref (name or name@version).
func modelName(ref string) string {
	name, _, _ := strings.Cut(ref, "@")
	return name
}

// addUnlessSame stores spec as a new active version of name, unless the
// active version of name is of kind and same says its spec is the one just
// fitted: refitting unchanged data with unchanged options then keeps the
// active version (kept is true) instead of piling up identical versions.
func addUnlessSame(ctx context.Context, q engine.Queryer, name, kind, spec, note string, same func(active string) bool) (v registry.Version, kept bool, err error) {
	active, err := registry.Get(ctx, q, name)
	if err == nil && active.Kind == kind && same(active.Spec) {
		return active, true, nil
	}
	v, err = registry.Add(ctx, q, name, kind, spec, note)
	return v, false, err
}

// sameSpec reports whether two JSON model specs are the same model: equal
// but for numbers that differ in their last bits (relative 1e-9), as the
// metrics of one training do from run to run where goroutines add partial
// sums in a varying order.
func sameSpec(a, b string) bool {
	var x, y any
	if json.Unmarshal([]byte(a), &x) != nil || json.Unmarshal([]byte(b), &y) != nil {
		return false
	}
	return sameJSON(x, y)
}

func sameJSON(x, y any) bool {
	switch x := x.(type) {
	case float64:
		y, ok := y.(float64)
		return ok && (x == y || math.Abs(x-y) <= 1e-9*math.Max(math.Abs(x), math.Abs(y)))
	case []any:
		y, ok := y.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !sameJSON(x[i], y[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		y, ok := y.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			w, ok := y[k]
			if !ok || !sameJSON(v, w) {
				return false
			}
		}
		return true
	}
	return x == y
}

// PrepareOptions configures PrepareFeatures.
type PrepareOptions struct {
	Features FeatureOptions
	RFMModel string // registry name of the RFM model fitted (default DefaultRFMModel)
}

// PrepareSummary reports what PrepareFeatures wrote.
type PrepareSummary struct {
	Features FeatureSummary
	RFM      registry.Version // the RFM version fitted (now active)
	// RFMKept is true when the fit equalled the active version, which
	// RFM then is: no version was added.
	RFMKept bool
	// Segments is the version customer_segments was re-scored with; zero
	// when there were no prepared segments to follow the new customers.
	Segments registry.Version
}

// Rescored reports whether customer_segments was rewritten.
func (s PrepareSummary) Rescored() bool { return s.Segments.Name != "" }

// PrepareFeatures computes customer_features, fits the RFM model, writes
// customer_rfm and the view customer_rfm_sql, and re-scores
// customer_segments (with the active version of the model it was scored
// with) so the prepared tables describe the same customers.
func PrepareFeatures(ctx context.Context, db *engine.DB, opts PrepareOptions) (PrepareSummary, error) {
	var s PrepareSummary
	if opts.RFMModel == "" {
		opts.RFMModel = DefaultRFMModel
	}
	fs, err := Features(ctx, db, opts.Features)
	if err != nil {
		return s, err
	}
	s.Features = fs
	v, _, kept, err := fitRFM(ctx, db, opts.RFMModel, fs.AsOf)
	if err != nil {
		return s, err
	}
	s.RFM, s.RFMKept = v, kept
	if err := ScoreRFM(ctx, db, v.Ref()); err != nil {
		return s, err
	}
	if err := CreateRFMView(ctx, db); err != nil {
		return s, err
	}
	ref, ok, err := SegmentsModel(ctx, db)
	if err != nil || !ok {
		return s, err
	}
	name := modelName(ref)
	sv, err := Score(ctx, db, name)
	if err != nil {
		return s, fmt.Errorf("re-scoring customer_segments with %s: %w", name, err)
	}
	s.Segments = sv
	return s, nil
}

// Refreshed reports which prepared tables RefreshPrepared rewrote.
type Refreshed struct {
	CustomerRFM bool // customer_rfm, for the default RFM model
	Segments    bool // customer_segments and segment_profiles
}

// RefreshPrepared rewrites the prepared tables that follow model v's name
// after v became the active version (activate, rollback) or changed
// (rename): customer_rfm for the default RFM model, customer_segments and
// segment_profiles for the k-means model they were scored with. Tables
// that were never prepared, or follow another model, are left alone. On a
// transaction (engine.Tx) the rewrite commits with the registry change
// that made it necessary.
func RefreshPrepared(ctx context.Context, h engine.Handle, v registry.Version) (Refreshed, error) {
	var r Refreshed
	err := engine.Atomically(ctx, h, func(tx *engine.Tx) error {
		switch v.Kind {
		case rfm.Kind:
			if v.Name != DefaultRFMModel {
				return nil
			}
			exists, err := engine.HasTable(ctx, tx, "customer_rfm")
			if err != nil || !exists {
				return err
			}
			if err := ScoreRFM(ctx, tx, v.Ref()); err != nil {
				return err
			}
			r.CustomerRFM = true
		case kmeans.Kind:
			ref, ok, err := SegmentsModel(ctx, tx)
			if err != nil || !ok || modelName(ref) != v.Name {
				return err
			}
			if _, err := Score(ctx, tx, v.Ref()); err != nil {
				return err
			}
			r.Segments = true
		}
		return nil
	})
	if err != nil {
		return Refreshed{}, err
	}
	return r, nil
}

// TrainsOnCustomers reports whether training rows read from from (a
// TrainOptions.From) are the customers' features, the rows
// customer_segments holds.
func TrainsOnCustomers(from string) bool {
	from = strings.TrimSpace(from)
	return from == "" || strings.EqualFold(from, customersTable)
}

// Scoring says when TrainAndScore rewrites the prepared tables.
//
// customer_segments and segment_profiles follow one model, named in their
// model column: the one custseg run trains (default DefaultSegmentsModel),
// or the one custseg score names. Training another model does not move
// them; training the followed one, or any model before anything is
// prepared, does.
type Scoring int

const (
	ScoreNever    Scoring = iota // store the model only (train --no-score)
	ScoreFollowed                // when the tables follow the model's name or do not exist yet (train)
	ScoreAlways                  // the tables follow this model from now on (run)
)

// TrainScoreResult reports what TrainAndScore did.
type TrainScoreResult struct {
	TrainResult
	// Scored is true when customer_segments and segment_profiles were
	// rewritten with the new version.
	Scored bool
	// Following is the model reference the prepared tables follow when
	// they were left alone because it is another model's.
	Following string
}

// TrainAndScore trains and stores a segment model and, as scoring says
// and when the training rows are the customers' features, rewrites
// customer_segments and segment_profiles with it. A model trained on other
// rows (another table, a query) is stored but scores nothing: its features
// need not exist for the customers. The new version and the tables it
// scored are committed together, so that no interruption leaves the
// tables on the previous version.
func TrainAndScore(ctx context.Context, db *engine.DB, opts TrainOptions, scoring Scoring) (TrainScoreResult, error) {
	f, err := fit(ctx, db, opts)
	if err != nil {
		return TrainScoreResult{}, err
	}
	var res TrainScoreResult
	err = engine.Atomically(ctx, db, func(tx *engine.Tx) error {
		res = TrainScoreResult{}
		var err error
		if res.TrainResult, err = f.store(ctx, tx, opts.Model); err != nil || scoring == ScoreNever || !TrainsOnCustomers(opts.From) {
			return err
		}
		if scoring == ScoreFollowed {
			ref, ok, err := SegmentsModel(ctx, tx)
			if err != nil {
				return err
			}
			if ok && modelName(ref) != res.Version.Name {
				res.Following = ref
				return nil
			}
		}
		if _, err := Score(ctx, tx, res.Version.Ref()); err != nil {
			return err
		}
		res.Scored = true
		return nil
	})
	if err != nil {
		// Nothing was committed: there is no version to report.
		return TrainScoreResult{}, err
	}
	return res, nil
}
