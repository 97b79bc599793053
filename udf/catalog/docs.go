package catalog

import (
	"fmt"
	"strings"

	"github.com/custseg/custseg/udf/rfm"
)

// DocsPath is where Markdown's output lives, relative to the repository root.
const DocsPath = "docs/FUNCTIONS.md"

// Markdown renders the reference of every registered function (the content
// of docs/FUNCTIONS.md): an index, then per function its signature, one
// sentence, its NULL policy, determinism and an example with its result.
// It is generated from the catalog so that it cannot drift from what the
// engines register.
func Markdown() string {
	var b strings.Builder
	b.WriteString("# custseg SQL functions\n\n")
	b.WriteString("<!-- Generated from udf/catalog by `CUSTSEG_UPDATE_DOCS=1 go test ./udf/catalog -run TestFunctionsMarkdown`. Do not edit. -->\n\n")
	b.WriteString("The same functions, with the same arguments, NULL handling and error messages, are registered in DuckDB and SQLite. ")
	b.WriteString("Every error message starts with the function's name. ")
	b.WriteString("Arguments are converted alike on both engines: an INTEGER parameter takes an integer or a DOUBLE with no fractional part (`155.0`), a DOUBLE parameter takes an integer or a finite DOUBLE, and a text (even `'155'`) is refused with an error naming the argument; cast text yourself (`CAST(x AS DOUBLE)`). ")
	fmt.Fprintf(&b, "Aggregates take at most %d features (`x1 ... xN`) on both engines. ", MaxAggregateFeatures)
	b.WriteString("A `model` argument is a registry name (`'rfm'`: the active version), a name with a version (`'rfm@2'`) or the model's JSON itself. ")
	fmt.Fprintf(&b, "A model spec, given inline or stored, may be at most %d MiB (`catalog.MaxSpecBytes`): a larger one is refused with an error naming the function and the size.\n\n", MaxSpecBytes>>20)

	b.WriteString("| Function | Kind | Returns | Summary |\n|---|---|---|---|\n")
	for _, f := range All() {
		fmt.Fprintf(&b, "| [%s](#%s) | %s | %s | %s |\n", f.Name, anchor(f.Name), kindName(f.Kind), f.Result, cell(f.Summary))
	}
	for _, f := range All() {
		b.WriteString("\n## " + f.Name + "\n\n")
		b.WriteString("```sql\n" + Signature(f) + "\n```\n\n")
		if f.Summary != "" {
			b.WriteString(f.Summary + "\n\n")
		}
		fmt.Fprintf(&b, "- %s\n", nullText(f))
		if f.Deterministic {
			b.WriteString("- Deterministic: equal arguments give equal results within a statement.\n")
		} else {
			b.WriteString("- Not deterministic: results may differ between calls with equal arguments.\n")
		}
		if f.Variadic != nil {
			b.WriteString("- " + variadicText(f) + "\n")
		}
		if f.Example != "" {
			b.WriteString("\nExample:\n\n```sql\n" + exampleSQL(f.Example) + "\n")
			for _, line := range strings.Split(strings.TrimRight(f.ExampleResult, "\n"), "\n") {
				b.WriteString("-- " + line + "\n")
			}
			b.WriteString("```\n")
		}
		if f.Name == "rfm_segment" {
			b.WriteString(rfmSegmentAppendix)
			b.WriteString(rfm.DefaultRulesMarkdown())
			b.WriteString(rfmRulesFormat)
		}
	}
	return b.String()
}

const rfmSegmentAppendix = `
Default segments: the first matching rule wins; a code no rule matches is ` + "`Others`" + `.
The ranges are those of the usual RFM segment table (Putler; the R package rfm applies its "FM"
range to F and to M each). The published ranges overlap, so the order below puts the narrow
segments before the wide ones that contain them: every segment names at least one code (Codes
counts how many of the 125).

`

const rfmRulesFormat = `
Custom rules are a JSON array tried in order; a missing range means any score, unknown keys are
errors, and a rule that earlier rules shadow completely is an error naming both:

` + "```sql" + `
SELECT rfm_segment(545, '[{"segment":"VIP","r":[4,5],"f":[4,5]},
                         {"segment":"Sleeping","r":[1,2],"description":"not seen for long"}]');
-- VIP
` + "```\n"

// Signature renders a function's SQL signature, e.g.
// "rfm_segment(rfm_code INTEGER [, rules TEXT]) -> TEXT".
func Signature(f *Function) string {
	var b strings.Builder
	b.WriteString(f.Name + "(")
	required := len(f.Params) - f.Optional
	for i, p := range f.Params {
		switch {
		case i >= required && i == 0:
			b.WriteString("[")
		case i >= required:
			b.WriteString(" [, ")
		case i > 0:
			b.WriteString(", ")
		}
		b.WriteString(p.Name + " " + p.Type.String())
	}
	if f.Variadic != nil {
		v := f.Variadic
		if len(f.Params) > 0 {
			b.WriteString(", ")
		}
		if f.MinVariadic == 0 {
			b.WriteString("[")
		}
		fmt.Fprintf(&b, "%s1 %s, ..., %sN %s", v.Name, v.Type, v.Name, v.Type)
		if f.MinVariadic == 0 {
			b.WriteString("]")
		}
	}
	b.WriteString(strings.Repeat("]", f.Optional))
	b.WriteString(") -> " + f.Result.String())
	return b.String()
}

func variadicText(f *Function) string {
	v := f.Variadic
	switch {
	case f.MaxVariadic <= 0:
		return fmt.Sprintf("`%s1 ... %sN`: at least %d.", v.Name, v.Name, f.MinVariadic)
	case f.MinVariadic == f.MaxVariadic:
		return fmt.Sprintf("`%s1 ... %sN`: exactly %d.", v.Name, v.Name, f.MinVariadic)
	}
	return fmt.Sprintf("`%s1 ... %sN`: %d to %d of them.", v.Name, v.Name, f.MinVariadic, f.MaxVariadic)
}

func nullText(f *Function) string {
	switch f.Null {
	case NullInNullOut:
		return "NULL: returns NULL when any argument is NULL."
	case SkipNullRows:
		return "NULL: rows with a NULL in any argument are skipped, as `sum` and `avg` skip them."
	case CallOnNull:
		return "NULL: NULL arguments are handled by the function itself (see the summary)."
	}
	return "NULL: policy " + fmt.Sprint(f.Null) + "."
}

func kindName(k Kind) string {
	if k == Aggregate {
		return "aggregate"
	}
	return "scalar"
}

// exampleSQL turns an example into a statement: a bare expression becomes
// "SELECT expr;".
func exampleSQL(ex string) string {
	ex = strings.TrimSpace(ex)
	u := strings.ToUpper(ex)
	if !strings.HasPrefix(u, "SELECT") && !strings.HasPrefix(u, "WITH") {
		ex = "SELECT " + ex
	}
	if !strings.HasSuffix(ex, ";") {
		ex += ";"
	}
	return ex
}

func anchor(name string) string { return strings.ToLower(strings.ReplaceAll(name, " ", "-")) }

func cell(s string) string { return strings.ReplaceAll(strings.ReplaceAll(s, "|", `\|`), "\n", " ") }
