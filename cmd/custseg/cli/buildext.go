package cli

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/custseg/custseg/internal/buildext"

	"github.com/spf13/cobra"
)

// BuildExtOptions are the flags of `custseg build-ext`.
type BuildExtOptions struct {
	IO   IO
	Dir  string // --out: where the extensions are written
	Only string // --only sqlite|duckdb; empty builds both
}

// NewCmdBuildExt builds `custseg build-ext`.
func NewCmdBuildExt(f *Factory, runF func(*BuildExtOptions) error) *cobra.Command {
	opts := &BuildExtOptions{IO: f.IO}
	cmd := &cobra.Command{
		Use:   "build-ext [--out DIR] [--only sqlite|duckdb]",
		Short: "Build the loadable extensions for the stock sqlite3 and DuckDB shells",
		Long: `Builds, from this source tree (it needs the go command and a C compiler):
  DIR/custseg.so                  for the sqlite3 shell:  .load DIR/custseg
  DIR/custseg.duckdb_extension    for DuckDB:  duckdb -unsigned, then LOAD 'DIR/custseg.duckdb_extension'
Both register every custseg function through the engines' C APIs, the same
code the custseg CLI uses in-process. The DuckDB build takes
duckdb_extension.h from the pinned npm package duckdb@1.4.4 (fetched once
into the user cache with npm).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			switch opts.Only {
			case "", "sqlite", "duckdb":
			default:
				return fmt.Errorf("--only %q: use sqlite or duckdb", opts.Only)
			}
			if runF != nil {
				return runF(opts)
			}
			return buildExtRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Dir, "out", "dist", "output `DIR`")
	cmd.Flags().StringVar(&opts.Only, "only", "", "build only one: sqlite or duckdb")
	return cmd
}

func buildExtRun(ctx context.Context, opts *BuildExtOptions) error {
	out := opts.IO.Out
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return err
	}
	if opts.Only == "" || opts.Only == "sqlite" {
		start := time.Now()
		fmt.Fprintln(out, "build-ext: building the SQLite extension ...")
		p, err := buildext.BuildSQLite(ctx, dir)
		if err != nil {
			return fmt.Errorf("SQLite extension: %w", err)
		}
		fmt.Fprintf(out, "  %s (%s)\n  load it:  sqlite3 shop.db  then  .load %s\n", p, time.Since(start).Round(time.Millisecond), trimSuffix(p))
	}
	if opts.Only == "" || opts.Only == "duckdb" {
		start := time.Now()
		fmt.Fprintln(out, "build-ext: building the DuckDB extension ...")
		p, err := buildext.BuildDuckDB(ctx, dir)
		if err != nil {
			return fmt.Errorf("DuckDB extension: %w", err)
		}
		fmt.Fprintf(out, "  %s (%s)\n  load it:  duckdb -unsigned shop.duckdb  then  LOAD '%s';\n", p, time.Since(start).Round(time.Millisecond), p)
	}
	return nil
}

func trimSuffix(p string) string { return p[:len(p)-len(filepath.Ext(p))] }
