package cli

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/custseg/custseg/internal/pipeline"
	"github.com/custseg/custseg/loader"
	"github.com/custseg/custseg/udf/kmeans"
)

// Flags that several commands take are defined here, once, so a flag
// means the same thing, with the same default and help, everywhere.

// parseK reads a --k value: auto (0: k chosen by the elbow and the silhouette between --k-min
// and --k-max) or a whole number of segments, at least kmeans.MinK.
func parseK(s string) (int, error) {
	if s == "auto" {
		return 0, nil
	}
	k, err := strconv.Atoi(s)
	if err != nil || k < kmeans.MinK {
		return 0, fmt.Errorf("give a whole number of segments of at least %d, or auto", kmeans.MinK)
	}
	return k, nil
}

// kValue is the --k flag over pipeline.TrainOptions.K (0 = auto).
type kValue int

func (k *kValue) String() string {
	if *k == 0 {
		return "auto"
	}
	return strconv.Itoa(int(*k))
}

func (k *kValue) Set(s string) error {
	n, err := parseK(s)
	if err != nil {
		return err
	}
	*k = kValue(n)
	return nil
}

func (k *kValue) Type() string { return "N|auto" }

// listValue is a comma-separated list flag; blanks around names and empty
// items are dropped.
type listValue []string

func (l *listValue) String() string { return strings.Join(*l, ",") }

func (l *listValue) Set(s string) error {
	*l = nil
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			*l = append(*l, f)
		}
	}
	return nil
}

func (l *listValue) Type() string { return "COLUMNS" }

// addTrainingFlags adds the k-means training flags (--k, --k-min, --k-max,
// --features, --transform, --scale, --n-init, --seed) over to, with the
// defaults of udf/kmeans.
func addTrainingFlags(cmd *cobra.Command, to *pipeline.TrainOptions) {
	to.K = 0
	fl := cmd.Flags()
	fl.Var((*kValue)(&to.K), "k", fmt.Sprintf("number of segments `N` (at least %d), or auto: train every k from --k-min to --k-max and choose by the elbow and the silhouette", kmeans.MinK))
	fl.IntVar(&to.KMin, "k-min", kmeans.DefaultKMin, "smallest `k` tried by --k auto")
	fl.IntVar(&to.KMax, "k-max", kmeans.DefaultKMax, "largest `k` tried by --k auto")
	addFeaturesFlag(cmd, &to.Features)
	fl.StringVar(&to.Transform, "transform", kmeans.DefaultTransform, "transform applied to every feature before scaling, by `NAME`: "+orList(kmeans.Transforms))
	fl.StringVar(&to.Scale, "scale", kmeans.DefaultScale, "scaling of the transformed features, by `NAME`: "+orList(kmeans.Scalings))
	fl.IntVar(&to.NInit, "n-init", kmeans.DefaultNInit, "`N` k-means restarts from different k-means++ seedings; the lowest inertia wins")
	addSeedFlag(cmd, &to.Seed)
}

// addFeaturesFlag adds --features, the input columns of a model, by
// default the customer features a segment model uses.
func addFeaturesFlag(cmd *cobra.Command, features *[]string) {
	*features = append([]string(nil), pipeline.DefaultFeatures...)
	cmd.Flags().Var((*listValue)(features), "features", "comma-separated feature `COLUMNS` of the training rows")
}

// addFromFlag adds --from, the rows a model is trained on.
func addFromFlag(cmd *cobra.Command, from *string) {
	cmd.Flags().StringVar(from, "from", "", "training rows: a `TABLE` or a query (default customer_features)")
}

// addSeedFlag adds --seed, the one random seed of a training: k-means++
// seeding, or a classifier's train/test split and forest.
func addSeedFlag(cmd *cobra.Command, seed *int64) {
	cmd.Flags().Int64Var(seed, "seed", kmeans.DefaultSeed, "random `SEED` of training (k-means++ seeding; a classifier's train/test split and forest): the same seed and rows give the same model")
}

// orList renders ["a","b","c"] as "a, b or c", as kmeans's checks name
// the accepted values.
func orList(vs []string) string {
	if len(vs) < 2 {
		return strings.Join(vs, "")
	}
	return strings.Join(vs[:len(vs)-1], ", ") + " or " + vs[len(vs)-1]
}

// checkTraining checks the training flags before any database is opened,
// naming the flag at fault.
func checkTraining(to pipeline.TrainOptions) error {
	if err := kmeans.CheckTransform(to.Transform); err != nil {
		return flagError("--transform", to.Transform, err)
	}
	if err := kmeans.CheckScale(to.Scale); err != nil {
		return flagError("--scale", to.Scale, err)
	}
	if to.K == 0 && (to.KMin < kmeans.MinK || to.KMax < to.KMin) {
		return fmt.Errorf("--k auto: --k-min %d and --k-max %d: need %d <= --k-min <= --k-max", to.KMin, to.KMax, kmeans.MinK)
	}
	if to.NInit < 1 {
		return fmt.Errorf("--n-init %d: give at least 1", to.NInit)
	}
	if len(to.Features) == 0 {
		return fmt.Errorf("--features: give at least one column")
	}
	return nil
}

// flagError restates a library check's error under the flag's name:
// `transform "x": use log1p or none` becomes `--transform "x": use log1p
// or none` (the advice after the first ": " is kept as it is).
func flagError(flag, value string, err error) error {
	msg := err.Error()
	if _, advice, ok := strings.Cut(msg, ": "); ok {
		msg = advice
	}
	return fmt.Errorf("%s %q: %s", flag, value, msg)
}

// LoadFlags are the CSV-reading flags of load and run.
type LoadFlags struct {
	Map        []string // --map column=Header, repeatable
	DateFormat string
	Encoding   string
	// MaxRecordBytes is --max-record-bytes (0: loader.DefaultMaxRecordBytes).
	MaxRecordBytes int
	KeepDuplicates bool // --keep-duplicates
}

func addLoadFlags(cmd *cobra.Command, lf *LoadFlags) {
	fl := cmd.Flags()
	fl.StringArrayVar(&lf.Map, "map", nil, "map a table `column=Header` of the file (repeatable)")
	fl.StringVar(&lf.DateFormat, "date-format", "", "extra date `LAYOUT` tried first (Go layout, e.g. 02.01.2006 15:04)")
	fl.StringVar(&lf.Encoding, "encoding", "utf-8", "input `ENCODING`: utf-8 or latin-1")
	fl.BoolVar(&lf.KeepDuplicates, "keep-duplicates", false, "keep rows already loaded from another file (by default they are skipped into load_skips: overlapping exports would count twice)")
	fl.IntVar(&lf.MaxRecordBytes, "max-record-bytes", 0, fmt.Sprintf("longest record kept, in `BYTES` (0: %d); a longer one is rejected and reading resumes at the next line", loader.DefaultMaxRecordBytes))
}

// loaderOptions turns the flags into loader options (no progress bar).
func (lf LoadFlags) loaderOptions() (loader.Options, error) {
	lo := loader.Options{DateFormat: lf.DateFormat, Encoding: lf.Encoding, MaxRecordBytes: lf.MaxRecordBytes, KeepDuplicates: lf.KeepDuplicates}
	if lf.MaxRecordBytes < 0 {
		return lo, fmt.Errorf("--max-record-bytes %d: give a positive number of bytes (0: the default, %d)", lf.MaxRecordBytes, loader.DefaultMaxRecordBytes)
	}
	if len(lf.Map) > 0 {
		m, err := loader.ParseMap(lf.Map)
		if err != nil {
			return lo, fmt.Errorf("--%w", err)
		}
		lo.Map = m
	}
	return lo, nil
}

// FeatureFlags are the customer-feature flags of features and run.
type FeatureFlags struct {
	AsOf              string // --as-of, parsed by parseTimestamp
	KeepCancellations bool
	KeepNonPositive   bool
}

func addFeatureFlags(cmd *cobra.Command, ff *FeatureFlags) {
	fl := cmd.Flags()
	fl.StringVar(&ff.AsOf, "as-of", "", "reference `TIMESTAMP` for recency (default: latest kept invoice + 1 day); later invoices are left out")
	fl.BoolVar(&ff.KeepCancellations, "keep-cancellations", false, "keep invoices starting with C")
	fl.BoolVar(&ff.KeepNonPositive, "keep-nonpositive", false, "keep rows with quantity <= 0 or unit_price <= 0")
}

func (ff FeatureFlags) featureOptions() (pipeline.FeatureOptions, error) {
	fo := pipeline.FeatureOptions{Cleaning: pipeline.Cleaning{KeepCancellations: ff.KeepCancellations, KeepNonPositive: ff.KeepNonPositive}}
	if ff.AsOf != "" {
		t, err := parseTimestamp(ff.AsOf)
		if err != nil {
			return fo, fmt.Errorf("--as-of: %w", err)
		}
		fo.AsOf = t
	}
	return fo, nil
}

// addModelRefFlag adds --model naming an existing model version to use.
func addModelRefFlag(cmd *cobra.Command, ref *string) {
	cmd.Flags().StringVar(ref, "model", pipeline.DefaultSegmentsModel, "segment model `NAME` (its active version) or NAME@VERSION")
}
