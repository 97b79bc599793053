package cli

import (
	"context"
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
	IO     IO
	OpenDB func() (*engine.DB, error)
	// Train holds --model, --from and the training flags.
	Train   pipeline.TrainOptions
	NoScore bool
}

// NewCmdTrain builds `custseg train`.
func NewCmdTrain(f *Factory, runF func(*TrainOptions) error) *cobra.Command {
	opts := &TrainOptions{IO: f.IO, OpenDB: f.OpenDB}
	cmd := &cobra.Command{
		Use:   "train --db FILE --model NAME [--k N | --k auto --k-min N --k-max N] [--from TABLE_OR_QUERY]",
		Short: "Train a k-means segment model and store it as a new active version",
		Long: `Reads the feature columns with SQL (from customer_features, or --from a table
or query), applies the transform and scaling, runs k-means with k-means++
seeding and --n-init restarts (the best inertia wins; deterministic for a
seed), and stores the model (features, transform, scaler, centroids, names,
metrics) as a new version in custseg_models; the newest becomes active.

When it trains on customer_features (no --from, or --from customer_features)
and unless --no-score, customer_segments and segment_profiles are rewritten
with it if they follow this model's name (their model column; custseg run
makes them follow the model it trains, custseg score the model it names) or
do not exist yet; the report next to the database is then redrawn. A model
trained on other rows is stored without scoring: those rows are not the
customers the prepared tables describe.

--k auto trains every k from --k-min to --k-max (default 3..8) and chooses
by the elbow of inertia (kneedle) unless its silhouette is clearly below the
highest, then by the silhouette; it prints inertia, the elbow curve,
silhouette, Davies-Bouldin, Calinski-Harabasz and which method picked each k.
A segment takes a standard RFM name only when its profile fits the name's
R, F, M ranges; otherwise it is named from its profile ("name from").`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkTraining(opts.Train); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return withDB(opts.OpenDB, func(db *engine.DB) error {
				scoring := pipeline.ScoreFollowed
				if opts.NoScore {
					scoring = pipeline.ScoreNever
				}
				_, err := trainAndScore(cmd.Context(), opts.IO, db, opts.Train, scoring)
				return err
			})
		},
	}
	cmd.Flags().StringVar(&opts.Train.Model, "model", pipeline.DefaultSegmentsModel, "registry `NAME` the new segment model version is stored under")
	addTrainingFlags(cmd, &opts.Train)
	addFromFlag(cmd, &opts.Train.From)
	cmd.Flags().BoolVar(&opts.NoScore, "no-score", false, "do not rewrite customer_segments and segment_profiles")
	return cmd
}

// trainAndScore trains (printing progress and the k table), then scores
// the prepared tables when score is set and the rows are the customers;
// train and run share it.
func trainAndScore(ctx context.Context, streams IO, db *engine.DB, to pipeline.TrainOptions, scoring pipeline.Scoring) (pipeline.TrainScoreResult, error) {
	out := streams.Out
	if to.K == 0 {
		fmt.Fprintf(out, "train: trying k = %d..%d on %s ...\n", to.KMin, to.KMax, strings.Join(to.Features, ", "))
	}
	var bar *progress.Bar
	if to.K == 0 {
		bar = progress.New(streams.ErrOut, fmt.Sprintf("train: k = %d..%d", to.KMin, to.KMax), progress.Count)
		tries := int64(to.KMax - to.KMin + 1)
		bar.Set(0, tries)
		to.Progress = func(r kmeans.KRow) {
			bar.Describe(fmt.Sprintf("train: k = %d, silhouette %.4f", r.K, r.Silhouette))
			bar.Set(int64(r.K-to.KMin+1), tries)
		}
	}
	res, err := pipeline.TrainAndScore(ctx, db, to, scoring)
	bar.Close()
	if res.Model == nil {
		return res, err
	}
	m := res.Model
	if len(m.KSelection) > 0 {
		printKTable(out, m)
		fmt.Fprintf(out, "chosen: k = %d — %s\n", m.K, m.KSelectionReason)
	}
	state := res.Version.Ref() + " (active)"
	if res.Kept {
		state = "unchanged (" + res.Version.Ref() + " is current)"
	}
	fmt.Fprintf(out, "train: %s: k=%d on %d rows, inertia %.4g, silhouette %s, in %s (reading rows %s)\n",
		state, m.K, res.Rows, m.Metrics["inertia"], m.SilhouetteText(),
		res.Duration.Round(time.Millisecond), res.ReadTime.Round(time.Millisecond))
	printCentroids(out, m)
	switch {
	case err != nil:
		return res, err
	case res.Scored:
		fmt.Fprintf(out, "score: wrote customer_segments and segment_profiles with %s\n", res.Version.Ref())
		if err := printProfiles(ctx, out, db); err != nil {
			return res, err
		}
		return res, refreshReport(ctx, streams, db)
	case res.Following != "":
		fmt.Fprintf(out, "score: skipped; customer_segments and segment_profiles follow %s (custseg score --model %s moves them to this model)\n",
			res.Following, res.Version.Name)
	case scoring != pipeline.ScoreNever:
		fmt.Fprintf(out, "score: skipped (trained from %s, not customer_features); customer_segments is unchanged\n", to.From)
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
		rows = append(rows, []string{strconv.Itoa(r.K), fmt.Sprintf("%.2f", r.Inertia), fmt.Sprintf("%.3f", r.Elbow), sil,
			fmt.Sprintf("%.4f", r.SilhouetteSimplified), fmt.Sprintf("%.4f", r.DaviesBouldin), fmt.Sprintf("%.1f", r.CalinskiHarabasz),
			strings.Join(r.Picks, ", "), mark})
	}
	// elbow is kneedle's difference curve (the elbow is its maximum);
	// "picked by" names the methods that chose each k (kmeans.AutoK).
	output.WriteTable(w, []string{"k", "inertia", "elbow", "silhouette", "simplified", "davies_bouldin", "calinski_harabasz", "picked by", ""}, rows,
		[]bool{true, true, true, true, true, true, true, false, false})
}

// printCentroids shows each segment's centre in original units.
func printCentroids(w io.Writer, m *kmeans.Model) {
	header := append([]string{"segment", "name", "name from", "size"}, m.Features...)
	align := []bool{true, false, false, true}
	var rows [][]string
	for i := 0; i < m.K; i++ {
		src := ""
		if i < len(m.SegmentNameSources) {
			src = m.SegmentNameSources[i] // standard, profile, generic or user (kmeans.NameSegments)
		}
		row := []string{strconv.Itoa(i), name(m, i), src, ""}
		if i < len(m.SegmentSizes) {
			row[3] = strconv.Itoa(m.SegmentSizes[i])
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
	IO     IO
	OpenDB func() (*engine.DB, error)
	Model  string // --model NAME[@VERSION]
}

// NewCmdScore builds `custseg score`.
func NewCmdScore(f *Factory, runF func(*ScoreOptions) error) *cobra.Command {
	opts := &ScoreOptions{IO: f.IO, OpenDB: f.OpenDB}
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
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return withDB(opts.OpenDB, func(db *engine.DB) error {
				return scoreAndReport(cmd.Context(), opts.IO, db, opts.Model)
			})
		},
	}
	addModelRefFlag(cmd, &opts.Model)
	return cmd
}

func scoreAndReport(ctx context.Context, streams IO, db *engine.DB, ref string) error {
	v, err := pipeline.Score(ctx, db, ref)
	if err != nil {
		return err
	}
	fmt.Fprintf(streams.Out, "score: wrote customer_segments and segment_profiles with %s\n", v.Ref())
	if err := printProfiles(ctx, streams.Out, db); err != nil {
		return err
	}
	return refreshReport(ctx, streams, db)
}

func printProfiles(ctx context.Context, out io.Writer, db *engine.DB) error {
	rows, err := db.QueryContext(ctx, `
		SELECT segment, segment_name AS name, customers,
		       round(100 * share, 2) AS "share %",
		       round(100 * revenue_share, 2) AS "revenue %",
		       round(median_recency_days, 1) AS "median recency d",
		       round(median_frequency, 1) AS "median frequency",
		       round(median_monetary, 2) AS "median monetary"
		FROM segment_profiles ORDER BY segment`)
	if err != nil {
		return err
	}
	defer rows.Close()
	_, err = output.Write(out, rows, output.Table)
	return err
}
