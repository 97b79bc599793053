package cli

import (
	"fmt"
	"os"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/custseg/custseg/internal/output"
	"github.com/custseg/custseg/udf/rfm"
)

// NewCmdRFM builds `custseg rfm`.
func NewCmdRFM(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "rfm",
		Short: "RFM segment rules",
	}
	cmd.AddCommand(NewCmdRFMRules(f, nil))
	return cmd
}

// RFMRulesOptions are the flags of `custseg rfm rules`.
type RFMRulesOptions struct {
	IO    IO
	Check string // --check FILE
}

// NewCmdRFMRules builds `custseg rfm rules [--check FILE]`.
func NewCmdRFMRules(f *Factory, runF func(*RFMRulesOptions) error) *cobra.Command {
	opts := &RFMRulesOptions{IO: f.IO}
	cmd := &cobra.Command{
		Use:   "rules [--check FILE]",
		Short: "Show the segment rules, or check a custom rule set",
		Long: `Without --check, prints the default segment rules (tried in order, the first
match wins) and the segment of each of the 125 codes 111..555.

With --check FILE, reads a custom rule set (the JSON that rfm_segment's second
argument takes), fails if some rule can never be reached because earlier rules
take all its codes, and otherwise lists every code with the segment it gets.

Rule set format:
  [{"segment":"VIP","r":[4,5],"f":[4,5],"m":[1,5]},
   {"segment":"Sleeping","r":[1,2]}]
ranges are inclusive [lo, hi] within 1..5; a missing range means any score.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			rules := rfm.DefaultRules()
			if opts.Check != "" {
				b, err := os.ReadFile(opts.Check)
				if err != nil {
					return err
				}
				rules, err = rfm.ParseRules(string(b))
				if err != nil {
					return fmt.Errorf("%s: %w", opts.Check, err)
				}
				if err := rfm.CheckRules(rules); err != nil {
					return fmt.Errorf("%s: %w", opts.Check, err)
				}
			}
			out := opts.IO.Out
			fmt.Fprintln(out, rules.Markdown())
			var table [][]string
			for _, cs := range rules.Table() {
				table = append(table, []string{strconv.Itoa(cs.Code), cs.Segment})
			}
			return output.WriteTable(out, []string{"code", "segment"}, table, []bool{true, false})
		},
	}
	cmd.Flags().StringVar(&opts.Check, "check", "", "custom rule set JSON `FILE` to check")
	return cmd
}
