package cli

import (
	"fmt"
	"math"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/custseg/custseg/output"
	"github.com/custseg/custseg/pipeline"
	"github.com/custseg/custseg/udf/drift"
)

// DriftOptions are the flags of `custseg drift`.
type DriftOptions struct {
	*Root
	Model     string
	AsOf      string
	Threshold float64
}

// exitDrift is the exit status when drift crosses the threshold, so a
// scheduler can re-train.
const exitDrift = 3

// NewCmdDrift builds `custseg drift`.
func NewCmdDrift(root *Root) *cobra.Command {
	opts := &DriftOptions{Root: root}
	cmd := &cobra.Command{
		Use:   "drift --db FILE --model NAME [--as-of TIMESTAMP] [--threshold 0.2]",
		Short: "Compare today's customers with the model's training snapshot",
		Long: `Compares the customers' features now (customer_features), or as of a date
(computed from transactions with the default cleaning), with the training
snapshot stored in the model: the population stability index (PSI) of each
feature against the training bins, the shift in segment shares, and the mean
distance to the centroids.

  PSI = sum over bins of (actual - expected) * ln(actual / expected)

Verdict: PSI < 0.1 stable; up to --threshold watch; at or above it re-train.
Exit status 3 when the threshold is crossed, so schedulers can act.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			do := pipeline.DriftOptions{Model: opts.Model, Threshold: opts.Threshold}
			if opts.AsOf != "" {
				t, err := parseTimestamp(opts.AsOf)
				if err != nil {
					return fmt.Errorf("--as-of: %w", err)
				}
				do.AsOf = t
			}
			db, err := opts.open()
			if err != nil {
				return err
			}
			defer db.Close()
			res, err := pipeline.Drift(cmd.Context(), db, do)
			if err != nil {
				return err
			}
			printDrift(cmd, res)
			if res.Report.Level == drift.Retrain {
				return &exitError{code: exitDrift, err: fmt.Errorf("drift: re-training advised for %s (%s)", res.Version.Ref(), res.Report.Reason)}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&opts.Model, "model", "segments", "model `NAME` or NAME@VERSION")
	cmd.Flags().StringVar(&opts.AsOf, "as-of", "", "compute the features as of `TIMESTAMP` instead of using customer_features")
	cmd.Flags().Float64Var(&opts.Threshold, "threshold", drift.DefaultThreshold, "PSI at which re-training is advised")
	return cmd
}

func printDrift(cmd *cobra.Command, res pipeline.DriftResult) {
	out := cmd.OutOrStdout()
	fmt.Fprintf(out, "drift of %s: %d customers as of %s vs %s's training snapshot\n\n", res.Version.Ref(), res.Rows, res.AsOf, res.Version.Ref())
	var rows [][]string
	for _, f := range res.Report.Features {
		rows = append(rows, []string{f.Feature, fmt.Sprintf("%.4f", f.PSI), f.Level})
	}
	output.WriteTable(out, []string{"feature", "PSI", "level"}, rows, []bool{false, true, false})
	fmt.Fprintln(out)
	rows = nil
	for _, s := range res.Shares {
		rows = append(rows, []string{strconv.Itoa(s.Segment), s.Name, pct(s.TrainShare), pct(s.NowShare), fmt.Sprintf("%+.1f", 100*(s.NowShare-s.TrainShare))})
	}
	output.WriteTable(out, []string{"segment", "name", "train %", "now %", "shift pts"}, rows, []bool{true, false, true, true, true})
	fmt.Fprintf(out, "\nmean distance to centroid: %s at training, %.4f now\n", fmtNaN(res.TrainMeanDistance), res.NowMeanDistance)
	fmt.Fprintf(out, "verdict: %s — %s\n", res.Report.Level, res.Report.Reason)
}

func pct(x float64) string { return fmt.Sprintf("%.1f", 100*x) }

func fmtNaN(x float64) string {
	if math.IsNaN(x) {
		return "n/a"
	}
	return fmt.Sprintf("%.4f", x)
}
