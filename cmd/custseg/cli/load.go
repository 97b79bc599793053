package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/custseg/custseg/internal/engine"
	"github.com/custseg/custseg/internal/progress"
	"github.com/custseg/custseg/loader"
)

// LoadOptions are the flags and arguments of `custseg load`.
type LoadOptions struct {
	IO         IO
	OpenDB     func() (*engine.DB, error)
	Files      []string
	Load       LoadFlags
	Replace    bool
	NoProgress bool
}

// NewCmdLoad builds `custseg load`.
func NewCmdLoad(f *Factory, runF func(*LoadOptions) error) *cobra.Command {
	opts := &LoadOptions{IO: f.IO, OpenDB: f.CreateDB}
	cmd := &cobra.Command{
		Use:   "load --db FILE [flags] CSV...",
		Short: "Load transaction CSV files (plain or gzip) into table transactions",
		Long: `Loads CSV files (plain or .gz) into table transactions. The UCI Online Retail
and Online Retail II headers are recognised; any other layout is mapped with
--map column=Header (columns: invoice_no, stock_code, description, quantity,
invoice_date, unit_price, customer_id, country, and amount for files with an
amount instead of quantity x price).

A record that cannot be parsed goes to load_rejects(source, line, reason, raw)
with its physical line number (header = line 1); nothing is dropped silently.
Each load is one transaction. The same file content is refused a second time
unless --replace.

Example, CDNOW (no invoice column; frequency becomes distinct purchase days):
  custseg load --db cd.duckdb --map customer_id=customer_id --map invoice_date=date \
      --map amount=dollar_value ../shared/data/cdnow_master.csv.gz`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, files []string) error {
			opts.Files = files
			if runF != nil {
				return runF(opts)
			}
			return withDB(opts.OpenDB, func(db *engine.DB) error {
				return loadFiles(cmd.Context(), opts, db, files)
			})
		},
	}
	addLoadFlags(cmd, &opts.Load)
	cmd.Flags().BoolVar(&opts.Replace, "replace", false, "load content that was loaded before, replacing its rows")
	cmd.Flags().BoolVar(&opts.NoProgress, "no-progress", false, "no progress bar even on a terminal")
	return cmd
}

func (opts *LoadOptions) loaderOptions() (loader.Options, error) {
	lo, err := opts.Load.loaderOptions()
	if err != nil {
		return lo, err
	}
	lo.Replace = opts.Replace
	return lo, nil
}

// loadFiles loads files and prints a line per file. A refused duplicate
// says which flag loads it again: the loader's error names no flag.
func loadFiles(ctx context.Context, opts *LoadOptions, db *engine.DB, files []string) error {
	lo, err := opts.loaderOptions()
	if err != nil {
		return err
	}
	var bar *progress.Bar
	if !opts.NoProgress {
		what := files[0]
		if len(files) > 1 {
			what = fmt.Sprintf("%d files", len(files))
		}
		bar = progress.New(opts.IO.ErrOut, "load "+what, progress.Bytes)
	}
	if bar != nil {
		lo.Progress = bar.Set
	}
	sums, err := loader.Load(ctx, db.DB, files, lo)
	bar.Close()
	for _, s := range sums {
		fmt.Fprintln(opts.IO.Out, "load:", s.String())
	}
	if errors.Is(err, loader.ErrDuplicate) {
		return fmt.Errorf("%w; --replace loads it again in place of those rows", err)
	}
	return err
}
