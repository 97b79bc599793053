package cli

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/custseg/custseg/internal/engine"
	"github.com/custseg/custseg/internal/output"
	"github.com/custseg/custseg/internal/pipeline"
	"github.com/custseg/custseg/internal/progress"
	"github.com/custseg/custseg/udf/kmeans"
)

// TrainOptions are the flags of `custseg train`.
type TrainOptions struct {
	*Root
	Model     string
	K         string
	KMin      int
	KMax      int
	Features  string
	Transform string
	Scale     string
	NInit     int
	Seed      int64
	From      string
	NoScore   bool
}

// NewCmdTrain builds `custseg train`.
func NewCmdTrain(root *Root) *cobra.Command {
	opts := &TrainOptions{Root: root}
	cmd := &cobra.Command{
		Use:   "train --db FILE --model NAME [--k N | --k auto --k-min 2 --k-max 10]",
		Short: "Train a k-means segment model and store it as a new active version",
		Long: `Reads the feature columns with SQL (from customer_features, or --from a table
or query), applies the transform and scaling, runs k-means with k-means++
seeding and --n-init restarts (the best inertia wins; deterministic for a
seed), and stores the model (features, transform, scaler, centroids, names,
metrics) as a new version in custseg_models; the newest becomes active.
Unless --no-score, customer_segments and segment_profiles are rewritten with it.

--k auto trains every k from --k-min to --k-max and chooses the highest
silhouette, printing inertia (for the elbow), silhouette, Davies-Bouldin and
Calinski-Harabasz for each k.`,
		Args: cobra.NoArgs,
		RunE: withDB(root, func(cmd *cobra.Command, db *engine.DB, _ []string) error {
			_, err := trainAndScore(cmd, db, opts)
			return err
		}),
	}
	cmd.Flags().StringVar(&opts.Model, "model", "segments", "registry `NAME` of the model")
	cmd.Flags().StringVar(&opts.K, "k", "auto", "number of segments `N`, or auto")
	cmd.Flags().IntVar(&opts.KMin, "k-min", 2, "smallest k tried by --k auto")
	cmd.Flags().IntVar(&opts.KMax, "k-max", 10, "largest k tried by --k auto")
	cmd.Flags().StringVar(&opts.Features, "features", strings.Join(pipeline.DefaultFeatures, ","), "comma-separated feature `COLUMNS`")
	cmd.Flags().StringVar(&opts.Transform, "transform", "log1p", "feature transform: log1p or none")
	cmd.Flags().StringVar(&opts.Scale, "scale", "standard", "scaling: standard, robust or none")
	cmd.Flags().IntVar(&opts.NInit, "n-init", 10, "k-means restarts; the best inertia wins")
	cmd.Flags().Int64Var(&opts.Seed, "seed", 0, "random `SEED`")
	cmd.Flags().StringVar(&opts.From, "from", "", "training rows: a `TABLE` or a query (default customer_features)")
	cmd.Flags().BoolVar(&opts.NoScore, "no-score", false, "do not rewrite customer_segments and segment_profiles")
	return cmd
}

func (opts *TrainOptions) pipelineOptions() (pipeline.TrainOptions, error) {
	to := pipeline.TrainOptions{Model: opts.Model, KMin: opts.KMin, KMax: opts.KMax, Transform: opts.Transform,
		Scale: opts.Scale, NInit: opts.NInit, Seed: opts.Seed, From: opts.From}
	if opts.K != "auto" {
		k, err := strconv.Atoi(opts.K)
		if err != nil || k < 1 {
			return to, fmt.Errorf("--k %q: give a positive whole number or auto", opts.K)
		}
		to.K = k
	}
	for _, f := range strings.Split(opts.Features, ",") {
		if f = strings.TrimSpace(f); f != "" {
			to.Features = append(to.Features, f)
		}
	}
	switch opts.Transform {
	case "log1p", "none":
	default:
		return to, fmt.Errorf("--transform %q: use log1p or none", opts.Transform)
	}
	switch opts.Scale {
	case "standard", "robust", "none":
	default:
		return to, fmt.Errorf("--scale %q: use standard, robust or none", opts.Scale)
	}
	return to, nil
}

func trainAndScore(cmd *cobra.Command, db *engine.DB, opts *TrainOptions) (pipeline.TrainResult, error) {
	to, err := opts.pipelineOptions()
	if err != nil {
		return pipeline.TrainResult{}, err
	}
	out := cmd.OutOrStdout()
	if to.K == 0 {
		fmt.Fprintf(out, "train: trying k = %d..%d on %s ...\n", to.KMin, to.KMax, strings.Join(to.Features, ", "))
	}
	var bar *progress.Bar
	if to.K == 0 {
		bar = progress.New(opts.ErrOut, fmt.Sprintf("train: k = %d..%d", to.KMin, to.KMax), progress.Count)
		tries := int64(to.KMax - to.KMin + 1)
		bar.Set(0, tries)
		to.Progress = func(r kmeans.KRow) {
			bar.Describe(fmt.Sprintf("train: k = %d, silhouette %.4f", r.K, r.Silhouette))
			bar.Set(int64(r.K-to.KMin+1), tries)
		}
	}
	res, err := pipeline.Train(cmd.Context(), db, to)
	bar.Close()
	if err != nil {
		return res, err
	}
	m := res.Model
	if len(m.KSelection) > 0 {
		printKTable(out, m)
		fmt.Fprintf(out, "chosen: k = %d — %s\n", m.K, m.KSelectionReason)
	}
	fmt.Fprintf(out, "train: %s (active): k=%d on %d rows, inertia %.4g, silhouette %s, in %s (reading rows %s)\n",
		res.Version.Ref(), m.K, res.Rows, m.Metrics["inertia"], metric(m.Metrics, "silhouette"),
		res.Duration.Round(time.Millisecond), res.ReadTime.Round(time.Millisecond))
	printCentroids(out, m)
	if !opts.NoScore {
		if err := scoreAndReport(cmd, db, res.Version.Ref()); err != nil {
			return res, err
		}
	}
	return res, nil
}

func metric(m map[string]float64, name string) string {
	v, ok := m[name]
	if !ok || math.IsNaN(v) {
		return "n/a"
	}
	return strconv.FormatFloat(v, 'f', 4, 64)
}

func printKTable(w io.Writer, m *kmeans.Model) {
	var rows [][]string
	for _, r := range m.KSelection {
		mark := ""
		if r.K == m.K {
			mark = "←"
		}
		sil := fmt.Sprintf("%.4f", r.Silhouette)
		if r.SilhouetteSE > 0 {
			sil += fmt.Sprintf(" ± %.4f", r.SilhouetteSE)
		}
		rows = append(rows, []string{strconv.Itoa(r.K), fmt.Sprintf("%.2f", r.Inertia), sil, fmt.Sprintf("%.4f", r.SilhouetteSimplified),
			fmt.Sprintf("%.4f", r.DaviesBouldin), fmt.Sprintf("%.1f", r.CalinskiHarabasz), mark})
	}
	output.WriteTable(w, []string{"k", "inertia", "silhouette", "simplified", "davies_bouldin", "calinski_harabasz", ""}, rows,
		[]bool{true, true, true, true, true, true, false})
}

// printCentroids shows each segment's centre in original units.
func printCentroids(w io.Writer, m *kmeans.Model) {
	header := append([]string{"segment", "name", "size"}, m.Features...)
	align := []bool{true, false, true}
	var rows [][]string
	for i := 0; i < m.K; i++ {
		row := []string{strconv.Itoa(i), name(m, i), ""}
		if i < len(m.SegmentSizes) {
			row[2] = strconv.Itoa(m.SegmentSizes[i])
		}
		for j := range m.Features {
			v := math.NaN()
			if i < len(m.CentroidsOriginal) && j < len(m.CentroidsOriginal[i]) {
				v = m.CentroidsOriginal[i][j]
			}
			row = append(row, strconv.FormatFloat(v, 'f', 2, 64))
		}
		rows = append(rows, row)
	}
	for range m.Features {
		align = append(align, true)
	}
	output.WriteTable(w, header, rows, align)
}

func name(m *kmeans.Model, i int) string {
	if i < len(m.SegmentNames) {
		return m.SegmentNames[i]
	}
	return ""
}

// ScoreOptions are the flags of `custseg score`.
type ScoreOptions struct {
	*Root
	Model string
}

// NewCmdScore builds `custseg score`.
func NewCmdScore(root *Root) *cobra.Command {
	opts := &ScoreOptions{Root: root}
	cmd := &cobra.Command{
		Use:   "score --db FILE --model NAME[@VERSION]",
		Short: "Write customer_segments and segment_profiles (plain tables for BI tools)",
		Long: `Assigns every customer of customer_features to a segment with the model (its
active version, or NAME@VERSION) and writes two plain tables that need no
custseg function to read:
  customer_segments  customer_id, features, r/f/m scores, rfm_code, rfm_segment,
                     segment, segment_name, distance, model
  segment_profiles   per segment: customers, share, revenue, revenue_share,
                     mean and median of each feature, model`,
		Args: cobra.NoArgs,
		RunE: withDB(root, func(cmd *cobra.Command, db *engine.DB, _ []string) error {
			return scoreAndReport(cmd, db, opts.Model)
		}),
	}
	cmd.Flags().StringVar(&opts.Model, "model", "segments", "model `NAME` or NAME@VERSION")
	return cmd
}

func scoreAndReport(cmd *cobra.Command, db *engine.DB, ref string) error {
	v, err := pipeline.Score(cmd.Context(), db, ref)
	if err != nil {
		return err
	}
	fmt.Fprintf(cmd.OutOrStdout(), "score: wrote customer_segments and segment_profiles with %s\n", v.Ref())
	return printProfiles(cmd, db)
}

func printProfiles(cmd *cobra.Command, db *engine.DB) error {
	rows, err := db.QueryContext(cmd.Context(), `
		SELECT segment, segment_name AS name, customers,
		       round(100 * share, 1) AS "share %",
		       round(100 * revenue_share, 1) AS "revenue %",
		       round(median_recency_days, 1) AS "median recency d",
		       round(median_frequency, 1) AS "median frequency",
		       round(median_monetary, 2) AS "median monetary"
		FROM segment_profiles ORDER BY segment`)
	if err != nil {
		return err
	}
	defer rows.Close()
	_, err = output.Write(cmd.OutOrStdout(), rows, output.Table)
	return err
}
