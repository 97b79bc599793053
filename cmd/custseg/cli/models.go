package cli

import (
	"fmt"
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
func NewCmdModels(root *Root) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "models",
		Short: "List, show, activate, roll back, delete and rename stored models",
		Long: `Every fit or training adds a version to custseg_models; one version per name
is active and is what SQL functions use when they are given the bare name.
activate and rollback rewrite the prepared tables (customer_rfm,
customer_segments, segment_profiles) so they stay in step with the active
version.`,
	}
	cmd.AddCommand(
		&cobra.Command{
			Use: "list [NAME]", Short: "List models and versions", Args: cobra.MaximumNArgs(1),
			RunE: withDB(root, func(cmd *cobra.Command, db *engine.DB, args []string) error {
				name := ""
				if len(args) == 1 {
					name = args[0]
				}
				vs, err := registry.List(cmd.Context(), db.DB, name)
				if err != nil {
					return err
				}
				if len(vs) == 0 {
					fmt.Fprintln(cmd.OutOrStdout(), "no models yet: custseg features fits rfm, custseg train fits segment models")
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
				return output.WriteTable(cmd.OutOrStdout(), []string{"name", "version", "active", "kind", "created", "note"}, rows, []bool{false, true, false, false, false, false})
			}),
		},
		&cobra.Command{
			Use: "show NAME[@VERSION]", Short: "Show a model: metadata, metrics and centroids", Args: cobra.ExactArgs(1),
			RunE: withDB(root, func(cmd *cobra.Command, db *engine.DB, args []string) error {
				v, err := registry.Get(cmd.Context(), db.DB, args[0])
				if err != nil {
					return err
				}
				return showModel(cmd, v)
			}),
		},
		&cobra.Command{
			Use: "activate NAME@VERSION", Short: "Make a version the active one", Args: cobra.ExactArgs(1),
			RunE: withDB(root, func(cmd *cobra.Command, db *engine.DB, args []string) error {
				v, err := registry.Activate(cmd.Context(), db.DB, args[0])
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "models: %s is now active\n", v.Ref())
				return refreshTables(cmd, db, v)
			}),
		},
		&cobra.Command{
			Use: "rollback NAME", Short: "Activate the version before the active one", Args: cobra.ExactArgs(1),
			RunE: withDB(root, func(cmd *cobra.Command, db *engine.DB, args []string) error {
				v, err := registry.Rollback(cmd.Context(), db.DB, args[0])
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "models: rolled back; %s is now active\n", v.Ref())
				return refreshTables(cmd, db, v)
			}),
		},
		&cobra.Command{
			Use: "delete NAME@VERSION", Short: "Delete an inactive version", Args: cobra.ExactArgs(1),
			RunE: withDB(root, func(cmd *cobra.Command, db *engine.DB, args []string) error {
				if err := registry.Delete(cmd.Context(), db.DB, args[0]); err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "models: deleted %s\n", args[0])
				return nil
			}),
		},
		&cobra.Command{
			Use:   "rename NAME[@VERSION] SEGMENT NEW_NAME",
			Short: "Rename a segment of a k-means model",
			Long:  "Changes the stored name of segment SEGMENT (0-based id) of the model version, and rewrites the prepared tables if they use it.",
			Args:  cobra.ExactArgs(3),
			RunE: withDB(root, func(cmd *cobra.Command, db *engine.DB, args []string) error {
				v, err := registry.Get(cmd.Context(), db.DB, args[0])
				if err != nil {
					return err
				}
				if v.Kind != kmeans.Kind {
					return fmt.Errorf("%s is a %s model: only k-means segments have names to edit", v.Ref(), v.Kind)
				}
				m, err := kmeans.ParseModel(v.Spec)
				if err != nil {
					return fmt.Errorf("%s is corrupt: %w", v.Ref(), err)
				}
				seg, err := strconv.Atoi(args[1])
				if err != nil || seg < 0 || seg >= m.K {
					return fmt.Errorf("segment %q: give an id from 0 to %d", args[1], m.K-1)
				}
				newName := strings.TrimSpace(args[2])
				if newName == "" {
					return fmt.Errorf("the new name is empty")
				}
				old := m.SegmentNames[seg]
				m.SegmentNames[seg] = newName
				spec, err := m.JSON()
				if err != nil {
					return err
				}
				if err := registry.UpdateSpec(cmd.Context(), db.DB, v, spec); err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "models: %s segment %d renamed from %q to %q\n", v.Ref(), seg, old, newName)
				if v.Active {
					return refreshTables(cmd, db, v)
				}
				return nil
			}),
		},
	)
	return cmd
}

// withDB opens --db around a command body.
func withDB(root *Root, body func(*cobra.Command, *engine.DB, []string) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		db, err := root.open()
		if err != nil {
			return err
		}
		defer db.Close()
		return body(cmd, db, args)
	}
}

// refreshTables rewrites the prepared tables that depend on model v's name,
// so they follow the active version.
func refreshTables(cmd *cobra.Command, db *engine.DB, v registry.Version) error {
	ctx := cmd.Context()
	switch v.Kind {
	case rfm.Kind:
		if !tableExists(cmd, db, "customer_rfm") || v.Name != pipeline.DefaultRFMModel {
			return nil
		}
		if err := pipeline.ScoreRFM(ctx, db, v.Ref()); err != nil {
			return err
		}
		fmt.Fprintf(cmd.OutOrStdout(), "models: customer_rfm rewritten with %s\n", v.Ref())
	case kmeans.Kind:
		var current string
		if err := db.QueryRowContext(ctx, `SELECT min(model) FROM customer_segments`).Scan(&current); err != nil {
			return nil // no prepared table yet
		}
		if name, _, _ := strings.Cut(current, "@"); name != v.Name {
			return nil
		}
		return scoreAndReport(cmd, db, v.Ref())
	}
	return nil
}

func tableExists(cmd *cobra.Command, db *engine.DB, table string) bool {
	var n int
	return db.QueryRowContext(cmd.Context(), "SELECT count(*) FROM "+table).Scan(&n) == nil
}

// showModel prints a model version readably.
func showModel(cmd *cobra.Command, v registry.Version) error {
	out := cmd.OutOrStdout()
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
			metric(m.Metrics, "inertia"), metric(m.Metrics, "silhouette"), metric(m.Metrics, "davies_bouldin"), metric(m.Metrics, "calinski_harabasz"))
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
