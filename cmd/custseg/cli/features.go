package cli

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/custseg/custseg/internal/engine"
	"github.com/custseg/custseg/internal/pipeline"
)

// FeaturesOptions are the flags of `custseg features`.
type FeaturesOptions struct {
	*Root
	AsOf              string
	KeepCancellations bool
	KeepNonPositive   bool
	Model             string
}

// NewCmdFeatures builds `custseg features`.
func NewCmdFeatures(root *Root) *cobra.Command {
	opts := &FeaturesOptions{Root: root}
	cmd := &cobra.Command{
		Use:   "features --db FILE [--as-of TIMESTAMP]",
		Short: "Compute customer_features and fit the RFM model",
		Long: `Computes table customer_features (customer_id, recency_days, frequency, monetary,
first_purchase, last_purchase, as_of) from transactions with SQL the engine
runs, fits an RFM model (quintile cut points) stored as a new version in
custseg_models, and writes customer_rfm (scores and segment per customer) and
the view customer_rfm_sql (the same scores in plain window-function SQL).

Default cleaning: rows with no customer, cancellations (invoice starting with
C), and rows with quantity <= 0 or unit_price <= 0 are left out.
recency_days = floor((as_of - last purchase) / 1 day); frequency = distinct
invoices; monetary = sum(quantity * unit_price).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fo, err := opts.featureOptions()
			if err != nil {
				return err
			}
			return withDB(root, func(cmd *cobra.Command, db *engine.DB, _ []string) error {
				_, err := featuresAndRFM(cmd, db, fo, opts.Model)
				return err
			})(cmd, nil)
		},
	}
	cmd.Flags().StringVar(&opts.AsOf, "as-of", "", "reference `TIMESTAMP` for recency (default: latest kept invoice + 1 day); later invoices are left out")
	cmd.Flags().BoolVar(&opts.KeepCancellations, "keep-cancellations", false, "keep invoices starting with C")
	cmd.Flags().BoolVar(&opts.KeepNonPositive, "keep-nonpositive", false, "keep rows with quantity <= 0 or unit_price <= 0")
	cmd.Flags().StringVar(&opts.Model, "model", pipeline.DefaultRFMModel, "registry `NAME` of the RFM model to fit")
	return cmd
}

func (opts *FeaturesOptions) featureOptions() (pipeline.FeatureOptions, error) {
	fo := pipeline.FeatureOptions{Cleaning: pipeline.Cleaning{KeepCancellations: opts.KeepCancellations, KeepNonPositive: opts.KeepNonPositive}}
	if opts.AsOf != "" {
		t, err := parseTimestamp(opts.AsOf)
		if err != nil {
			return fo, fmt.Errorf("--as-of: %w", err)
		}
		fo.AsOf = t
	}
	return fo, nil
}

// featuresAndRFM is the shared step of `features` and `run`.
func featuresAndRFM(cmd *cobra.Command, db *engine.DB, fo pipeline.FeatureOptions, model string) (string, error) {
	ctx := cmd.Context()
	out := cmd.OutOrStdout()
	s, err := pipeline.Features(ctx, db, fo)
	if err != nil {
		return "", err
	}
	fmt.Fprintf(out, "features: %d customers as of %s (%d invoices, %.2f revenue) in %s\n",
		s.Customers, s.AsOf, s.Frequency, s.Monetary, s.Duration.Round(time.Millisecond))
	v, _, err := pipeline.FitRFM(ctx, db, model, s.AsOf)
	if err != nil {
		return "", err
	}
	if err := pipeline.ScoreRFM(ctx, db, v.Ref()); err != nil {
		return "", err
	}
	if err := pipeline.CreateRFMView(ctx, db); err != nil {
		return "", err
	}
	fmt.Fprintf(out, "rfm: fitted %s (active); wrote customer_rfm and view customer_rfm_sql\n", v.Ref())
	// Prepared segment tables follow the new customers, with the active
	// version of the model they were scored with.
	var current string
	if err := db.QueryRowContext(ctx, `SELECT min(model) FROM customer_segments`).Scan(&current); err == nil && current != "" {
		name, _, _ := strings.Cut(current, "@")
		sv, err := pipeline.Score(ctx, db, name)
		if err != nil {
			return "", fmt.Errorf("re-scoring customer_segments with %s: %w", name, err)
		}
		fmt.Fprintf(out, "score: customer_segments and segment_profiles rewritten with %s\n", sv.Ref())
	}
	return v.Ref(), nil
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
