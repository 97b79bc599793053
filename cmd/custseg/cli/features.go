package cli

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/custseg/custseg/internal/engine"
	"github.com/custseg/custseg/internal/pipeline"
)

// FeaturesOptions are the flags of `custseg features`.
type FeaturesOptions struct {
	IO       IO
	OpenDB   func() (*engine.DB, error)
	Features FeatureFlags
	Model    string // --model: registry name of the RFM model fitted
}

// NewCmdFeatures builds `custseg features`.
func NewCmdFeatures(f *Factory, runF func(*FeaturesOptions) error) *cobra.Command {
	opts := &FeaturesOptions{IO: f.IO, OpenDB: f.OpenDB}
	cmd := &cobra.Command{
		Use:   "features --db FILE [--as-of TIMESTAMP]",
		Short: "Compute customer_features and fit the RFM model",
		Long: `Computes table customer_features (customer_id, recency_days, frequency, monetary,
first_purchase, last_purchase, as_of) from transactions with SQL the engine
runs, fits an RFM model (quintile cut points) stored as a new version in
custseg_models, and writes customer_rfm (scores and segment per customer) and
the view customer_rfm_sql (the same scores in plain window-function SQL).
If customer_segments exists, it is re-scored with the active version of its
model, so it describes the same customers.

Default cleaning: rows with no customer, cancellations (invoice starting with
C), and rows with quantity <= 0 or unit_price <= 0 are left out.
recency_days = floor((as_of - last purchase) / 1 day); frequency = distinct
invoices; monetary = sum(quantity * unit_price).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return featuresRun(cmd.Context(), opts)
		},
	}
	addFeatureFlags(cmd, &opts.Features)
	cmd.Flags().StringVar(&opts.Model, "model", pipeline.DefaultRFMModel, "registry `NAME` of the RFM model to fit")
	return cmd
}

func featuresRun(ctx context.Context, opts *FeaturesOptions) error {
	fo, err := opts.Features.featureOptions()
	if err != nil {
		return err
	}
	return withDB(opts.OpenDB, func(db *engine.DB) error {
		_, err := prepareFeatures(ctx, opts.IO.Out, db, fo, opts.Model)
		return err
	})
}

// prepareFeatures runs pipeline.PrepareFeatures and prints what it wrote;
// features and run share it.
func prepareFeatures(ctx context.Context, out io.Writer, db *engine.DB, fo pipeline.FeatureOptions, model string) (pipeline.PrepareSummary, error) {
	s, err := pipeline.PrepareFeatures(ctx, db, pipeline.PrepareOptions{Features: fo, RFMModel: model})
	if s.Features.Customers > 0 {
		fs := s.Features
		fmt.Fprintf(out, "features: %d customers as of %s (%d invoices, %.2f revenue) in %s\n",
			fs.Customers, fs.AsOf, fs.Frequency, fs.Monetary, fs.Duration.Round(time.Millisecond))
	}
	if err != nil {
		return s, err
	}
	if s.RFMKept {
		fmt.Fprintf(out, "rfm: unchanged (%s is current); wrote customer_rfm and view customer_rfm_sql\n", s.RFM.Ref())
	} else {
		fmt.Fprintf(out, "rfm: fitted %s (active); wrote customer_rfm and view customer_rfm_sql\n", s.RFM.Ref())
	}
	if s.Rescored() {
		fmt.Fprintf(out, "score: customer_segments and segment_profiles rewritten with %s\n", s.Segments.Ref())
	}
	return s, nil
}

// parseTimestamp accepts the forms an analyst types.
func parseTimestamp(s string) (time.Time, error) {
	for _, layout := range []string{"2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02T15:04:05", time.RFC3339, "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a timestamp: use YYYY-MM-DD or YYYY-MM-DD HH:MM:SS", s)
}
