package output_test

import (
	"os"

	"github.com/custseg/custseg/internal/output"
)

func ExampleWriteTable() {
	output.WriteTable(os.Stdout, []string{"segment", "customers"},
		[][]string{{"champions", "412"}, {"lost", "1300"}}, []bool{false, true})
	// Output:
	//   segment  | customers
	// -----------+-----------
	//  champions |       412
	//  lost      |      1300
}
