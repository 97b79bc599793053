package cli

import (
	"fmt"
	"math"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/custseg/custseg/internal/engine"
	"github.com/custseg/custseg/internal/output"
	"github.com/custseg/custseg/internal/pipeline"
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
	cmd.AddCommand(NewCmdBacktest(root))
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

// BacktestOptions are the flags of `custseg drift backtest`.
type BacktestOptions struct {
	*Root
	Model     string
	Start     string
	K         int
	Threshold float64
}

// NewCmdBacktest builds `custseg drift backtest`.
func NewCmdBacktest(root *Root) *cobra.Command {
	opts := &BacktestOptions{Root: root}
	cmd := &cobra.Command{
		Use:   "backtest --db FILE --start DATE [--model NAME] [--k N]",
		Short: "Replay the transactions month by month: when would re-training have been advised?",
		Long: `Trains a baseline model (stored as --model, default "backtest") on the
customer features as of --start, then computes the features as of the first
day of every following month and prints their drift against that baseline:
PSI per feature, the largest shift in segment shares, the mean distance to
the centroids and the verdict.`,
		Args: cobra.NoArgs,
		RunE: withDB(root, func(cmd *cobra.Command, db *engine.DB, _ []string) error {
			start, err := parseTimestamp(opts.Start)
			if err != nil {
				return fmt.Errorf("--start: %w", err)
			}
			v, series, err := pipeline.Backtest(cmd.Context(), db, pipeline.BacktestOptions{Model: opts.Model, Start: start, K: opts.K, Threshold: opts.Threshold})
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "baseline %s: trained on the customers as of %s\n\n", v.Ref(), start.Format("2006-01-02"))
			var rows [][]string
			header := []string{"as of", "customers"}
			align := []bool{false, true}
			for i, r := range series {
				if i == 0 {
					for _, f := range r.Result.Report.Features {
						header = append(header, "PSI "+f.Feature)
						align = append(align, true)
					}
					header = append(header, "max share shift", "mean dist", "verdict")
					align = append(align, true, true, false)
				}
				row := []string{r.AsOf.Format("2006-01-02"), strconv.Itoa(r.Result.Rows)}
				for _, f := range r.Result.Report.Features {
					row = append(row, fmt.Sprintf("%.3f", f.PSI))
				}
				row = append(row, fmt.Sprintf("%.1f pts", 100*r.Result.MaxShareShift), fmt.Sprintf("%.3f", r.Result.NowMeanDistance), r.Result.Report.Level)
				rows = append(rows, row)
			}
			if err := output.WriteTable(out, header, rows, align); err != nil {
				return err
			}
			for _, r := range series {
				if r.Result.Report.Level == drift.Retrain {
					fmt.Fprintf(out, "\nre-training first advised as of %s: %s\n", r.AsOf.Format("2006-01-02"), r.Result.Report.Reason)
					return nil
				}
			}
			fmt.Fprintln(out, "\nno month crossed the threshold")
			return nil
		}),
	}
	cmd.Flags().StringVar(&opts.Model, "model", "backtest", "registry `NAME` for the baseline model")
	cmd.Flags().StringVar(&opts.Start, "start", "", "baseline `DATE`: the model is trained on the features as of then")
	cmd.Flags().IntVar(&opts.K, "k", 0, "segments in the baseline (0: chosen by silhouette in 2..8)")
	cmd.Flags().Float64Var(&opts.Threshold, "threshold", drift.DefaultThreshold, "PSI at which re-training is advised")
	return cmd
}
