package gen_test

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/custseg/custseg/internal/gen"
)

// The first lines for a seed never change: tests and benchmarks can rely on
// a generated file being the same everywhere.
func ExampleGenerate() {
	var b bytes.Buffer
	st, err := gen.Generate(&b, gen.Options{Customers: 10, Seed: 1})
	if err != nil {
		panic(err)
	}
	lines := strings.SplitN(b.String(), "\n", 5)
	fmt.Println(strings.Join(lines[:4], "\n"))
	fmt.Printf("%+v\n", st)
	// Output:
	// InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country
	// 536365,20074A,"CERAMIC BAKING SET,IVORY",12,2010-12-16 09:36:00,1.45,12355,United Kingdom
	// 536365,20002,PAPER BOTTLE OPENER,2,2010-12-16 09:36:00,1.45,12355,United Kingdom
	// 536365,20106,YELLOW HEART BOTTLE OPENER,2,2010-12-16 09:36:00,3.75,12355,United Kingdom
	// {Rows:687 Invoices:55 Customers:10}
}
