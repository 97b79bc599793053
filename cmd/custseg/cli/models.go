package cli

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/custseg/custseg/internal/engine"
	"github.com/custseg/custseg/internal/output"
	"github.com/custseg/custseg/internal/pipeline"
	"github.com/custseg/custseg/internal/registry"
	"github.com/custseg/custseg/udf/kmeans"
	"github.com/custseg/custseg/udf/rfm"
)

// NewCmdModels builds `custseg models` and its subcommands.
func NewCmdModels(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "models",
		Short: "List, show, activate, roll back, delete and rename stored models",
		Long: `Every fit or training adds a version to custseg_models; one version per name
is active and is what SQL functions use when they are given the bare name.
activate, rollback and rename rewrite the prepared tables (customer_rfm,
customer_segments, segment_profiles) that follow the model, so they stay in
step with the active version.`,
	}
	cmd.AddCommand(
		NewCmdModelsList(f, nil),
		NewCmdModelsShow(f, nil),
		NewCmdModelsActivate(f, nil),
		NewCmdModelsRollback(f, nil),
		NewCmdModelsDelete(f, nil),
		NewCmdModelsRename(f, nil),
	)
	return cmd
}

// ModelOptions are the arguments of the models subcommands that take one
// model: list (optional NAME), show, activate, rollback and delete.
type ModelOptions struct {
	IO     IO
	OpenDB func() (*engine.DB, error)
	Ref    string // NAME or NAME@VERSION, as the subcommand asks
}

// modelCmd builds a models subcommand that opens the database and runs
// body with its Options, or hands them to runF.
func modelCmd(f *Factory, runF func(*ModelOptions) error, cmd *cobra.Command, body func(context.Context, *ModelOptions, *engine.DB) error) *cobra.Command {
	opts := &ModelOptions{IO: f.IO, OpenDB: f.OpenDB}
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if len(args) == 1 {
			opts.Ref = args[0]
		}
		if runF != nil {
			return runF(opts)
		}
		return withDB(opts.OpenDB, func(db *engine.DB) error {
			return body(cmd.Context(), opts, db)
		})
	}
	return cmd
}

// NewCmdModelsList builds `custseg models list`.
func NewCmdModelsList(f *Factory, runF func(*ModelOptions) error) *cobra.Command {
	return modelCmd(f, runF, &cobra.Command{Use: "list [NAME]", Short: "List models and versions", Args: cobra.MaximumNArgs(1)},
		func(ctx context.Context, opts *ModelOptions, db *engine.DB) error {
			vs, err := registry.List(ctx, db.DB, opts.Ref)
			if err != nil {
				return err
			}
			out := opts.IO.Out
			if len(vs) == 0 {
				fmt.Fprintln(out, "no models yet: custseg features fits rfm, custseg train fits segment models")
				return nil
			}
			var rows [][]string
			for _, v := range vs {
				active := ""
				if v.Active {
					active = "*"
				}
				rows = append(rows, []string{v.Name, strconv.FormatInt(v.Version, 10), active, v.Kind, v.CreatedAt.Format("2006-01-02 15:04:05"), v.Note})
			}
			return output.WriteTable(out, []string{"name", "version", "active", "kind", "created", "note"}, rows, []bool{false, true, false, false, false, false})
		})
}

// NewCmdModelsShow builds `custseg models show`.
func NewCmdModelsShow(f *Factory, runF func(*ModelOptions) error) *cobra.Command {
	return modelCmd(f, runF, &cobra.Command{Use: "show NAME[@VERSION]", Short: "Show a model: metadata, metrics and centroids", Args: cobra.ExactArgs(1)},
		func(ctx context.Context, opts *ModelOptions, db *engine.DB) error {
			v, err := registry.Get(ctx, db.DB, opts.Ref)
			if err != nil {
				return err
			}
			return showModel(opts.IO.Out, v)
		})
}

// NewCmdModelsActivate builds `custseg models activate`.
func NewCmdModelsActivate(f *Factory, runF func(*ModelOptions) error) *cobra.Command {
	return modelCmd(f, runF, &cobra.Command{Use: "activate NAME@VERSION", Short: "Make a version the active one", Args: cobra.ExactArgs(1)},
		activateWith(registry.Activate, "models: %s is now active\n"))
}

// NewCmdModelsRollback builds `custseg models rollback`.
func NewCmdModelsRollback(f *Factory, runF func(*ModelOptions) error) *cobra.Command {
	return modelCmd(f, runF, &cobra.Command{Use: "rollback NAME", Short: "Activate the version before the active one", Args: cobra.ExactArgs(1)},
		activateWith(registry.Rollback, "models: rolled back; %s is now active\n"))
}

// activateWith is the body of activate and rollback: change the active
// version with change and have the prepared tables follow it, in one
// transaction, then say what changed (format takes the reference).
func activateWith(change func(context.Context, engine.Queryer, string) (registry.Version, error), format string) func(context.Context, *ModelOptions, *engine.DB) error {
	return func(ctx context.Context, opts *ModelOptions, db *engine.DB) error {
		var v registry.Version
		var r pipeline.Refreshed
		err := engine.Atomically(ctx, db, func(tx *engine.Tx) error {
			var err error
			if v, err = change(ctx, tx, opts.Ref); err != nil {
				return err
			}
			r, err = pipeline.RefreshPrepared(ctx, tx, v)
			return err
		})
		if err != nil {
			return err
		}
		fmt.Fprintf(opts.IO.Out, format, v.Ref())
		return reportRefreshed(ctx, opts.IO, db, v, r)
	}
}

// NewCmdModelsDelete builds `custseg models delete`.
func NewCmdModelsDelete(f *Factory, runF func(*ModelOptions) error) *cobra.Command {
	return modelCmd(f, runF, &cobra.Command{Use: "delete NAME@VERSION", Short: "Delete an inactive version", Args: cobra.ExactArgs(1)},
		func(ctx context.Context, opts *ModelOptions, db *engine.DB) error {
			if err := registry.Delete(ctx, db.DB, opts.Ref); err != nil {
				return err
			}
			fmt.Fprintf(opts.IO.Out, "models: deleted %s\n", opts.Ref)
			return nil
		})
}

// ModelsRenameOptions are the arguments of `custseg models rename`.
type ModelsRenameOptions struct {
	IO      IO
	OpenDB  func() (*engine.DB, error)
	Ref     string // NAME[@VERSION]
	Segment int    // 0-based segment id
	NewName string
}

// NewCmdModelsRename builds `custseg models rename`.
func NewCmdModelsRename(f *Factory, runF func(*ModelsRenameOptions) error) *cobra.Command {
	opts := &ModelsRenameOptions{IO: f.IO, OpenDB: f.OpenDB}
	return &cobra.Command{
		Use:   "rename NAME[@VERSION] SEGMENT NEW_NAME",
		Short: "Rename a segment of a k-means model",
		Long:  "Changes the stored name of segment SEGMENT (0-based id) of the model version, and rewrites the prepared tables if they use it.",
		Args:  cobra.ExactArgs(3),
		RunE: func(cmd *cobra.Command, args []string) error {
			seg, err := strconv.Atoi(args[1])
			if err != nil || seg < 0 {
				return fmt.Errorf("segment %q: give a segment id (0, 1, ...)", args[1])
			}
			opts.Ref, opts.Segment, opts.NewName = args[0], seg, strings.TrimSpace(args[2])
			if opts.NewName == "" {
				return fmt.Errorf("the new name is empty")
			}
			if runF != nil {
				return runF(opts)
			}
			return withDB(opts.OpenDB, func(db *engine.DB) error {
				return renameRun(cmd.Context(), opts, db)
			})
		},
	}
}

func renameRun(ctx context.Context, opts *ModelsRenameOptions, db *engine.DB) error {
	var v registry.Version
	var r pipeline.Refreshed
	var old string
	// The new name and the prepared tables that show it commit together.
	err := engine.Atomically(ctx, db, func(tx *engine.Tx) error {
		var err error
		if v, err = registry.Get(ctx, tx, opts.Ref); err != nil {
			return err
		}
		if v.Kind != kmeans.Kind {
			return fmt.Errorf("%s is a %s model: only k-means segments have names to edit", v.Ref(), v.Kind)
		}
		m, err := kmeans.ParseModel(v.Spec)
		if err != nil {
			return fmt.Errorf("%s is corrupt: %w", v.Ref(), err)
		}
		seg := opts.Segment
		if seg >= m.K {
			return fmt.Errorf("segment %d: give an id from 0 to %d", seg, m.K-1)
		}
		old = m.SegmentNames[seg]
		m.SegmentNames[seg] = opts.NewName
		if seg < len(m.SegmentNameSources) {
			m.SegmentNameSources[seg] = kmeans.NameUser
		}
		spec, err := m.JSON()
		if err != nil {
			return err
		}
		if err := registry.UpdateSpec(ctx, tx, v, spec); err != nil {
			return err
		}
		v.Spec = spec
		if !v.Active {
			return nil
		}
		r, err = pipeline.RefreshPrepared(ctx, tx, v)
		return err
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(opts.IO.Out, "models: %s segment %d renamed from %q to %q\n", v.Ref(), opts.Segment, old, opts.NewName)
	return reportRefreshed(ctx, opts.IO, db, v, r)
}

// reportRefreshed says which prepared tables followed v and redraws the
// report next to the database when the segments changed.
func reportRefreshed(ctx context.Context, streams IO, db *engine.DB, v registry.Version, r pipeline.Refreshed) error {
	out := streams.Out
	if r.CustomerRFM {
		fmt.Fprintf(out, "models: customer_rfm rewritten with %s\n", v.Ref())
	}
	if r.Segments {
		fmt.Fprintf(out, "score: wrote customer_segments and segment_profiles with %s\n", v.Ref())
		if err := printProfiles(ctx, out, db); err != nil {
			return err
		}
		return refreshReport(ctx, streams, db)
	}
	return nil
}

// showModel prints a model version readably.
func showModel(out io.Writer, v registry.Version) error {
	active := ""
	if v.Active {
		active = " (active)"
	}
	fmt.Fprintf(out, "%s%s  kind %s  created %s\n", v.Ref(), active, v.Kind, v.CreatedAt.Format("2006-01-02 15:04:05"))
	switch v.Kind {
	case kmeans.Kind:
		m, err := kmeans.ParseModel(v.Spec)
		if err != nil {
			return fmt.Errorf("%s is corrupt: %w", v.Ref(), err)
		}
		fmt.Fprintf(out, "features %s  transform %s  scaling %s  k %d  seed %d  n_init %d\n",
			strings.Join(m.Features, ", "), m.Transform, m.Scaler.Method, m.K, m.Seed, m.NInit)
		fmt.Fprintf(out, "trained on %d rows  fingerprint %s\n", m.TrainingRows, m.Fingerprint)
		fmt.Fprintf(out, "inertia %s  silhouette %s  davies_bouldin %s  calinski_harabasz %s\n",
			metric(m.Metrics, "inertia"), m.SilhouetteText(), metric(m.Metrics, "davies_bouldin"), metric(m.Metrics, "calinski_harabasz"))
		if m.KSelectionReason != "" {
			fmt.Fprintln(out, "k chosen:", m.KSelectionReason)
		}
		fmt.Fprintln(out, "\ncentroids (original units)")
		printCentroids(out, m)
		if len(m.KSelection) > 0 {
			fmt.Fprintln(out, "\nk selection")
			printKTable(out, m)
		}
	case rfm.Kind:
		m, err := rfm.ParseModel(v.Spec)
		if err != nil {
			return fmt.Errorf("%s is corrupt: %w", v.Ref(), err)
		}
		fmt.Fprintf(out, "fitted on %d customers as of %s (%s)\n\n", m.Customers, m.AsOf, m.Method)
		rows := [][]string{}
		for _, f := range []struct {
			name string
			cuts []float64
		}{{"recency_days", m.RecencyCuts}, {"frequency", m.FrequencyCuts}, {"monetary", m.MonetaryCuts}} {
			row := []string{f.name}
			for _, c := range f.cuts {
				row = append(row, strconv.FormatFloat(c, 'f', -1, 64))
			}
			rows = append(rows, row)
		}
		return output.WriteTable(out, []string{"feature", "q20", "q40", "q60", "q80"}, rows, []bool{false, true, true, true, true})
	default:
		fmt.Fprintln(out, v.Spec)
	}
	return nil
}
