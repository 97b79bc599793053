package catalog

import (
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

var updateDocs = flag.Bool("update-docs", false, "rewrite docs/FUNCTIONS.md from the catalog")

// docsFile is docs/FUNCTIONS.md seen from this package's directory.
var docsFile = filepath.Join("..", "..", filepath.FromSlash(DocsPath))

// TestFunctionsMarkdown fails when docs/FUNCTIONS.md does not match the
// catalog. Regenerate with
//
//	CUSTSEG_UPDATE_DOCS=1 go test ./udf/catalog -run TestFunctionsMarkdown
//
// (or -update-docs).
func TestFunctionsMarkdown(t *testing.T) {
	want := Markdown()
	if *updateDocs || os.Getenv("CUSTSEG_UPDATE_DOCS") != "" {
		if err := os.MkdirAll(filepath.Dir(docsFile), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(docsFile, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s", docsFile)
		return
	}
	got, err := os.ReadFile(docsFile)
	if err != nil {
		t.Fatalf("%v: generate it with CUSTSEG_UPDATE_DOCS=1 go test ./udf/catalog -run TestFunctionsMarkdown", err)
	}
	if string(got) != want {
		t.Fatalf("%s is stale (the catalog changed): regenerate it with\n\tCUSTSEG_UPDATE_DOCS=1 go test ./udf/catalog -run TestFunctionsMarkdown\nfirst difference: %s",
			DocsPath, firstDiff(string(got), want))
	}
}

func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(al) || i < len(bl); i++ {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			return "line " + strconv.Itoa(i+1) + ":\n\tfile:    " + x + "\n\tcatalog: " + y
		}
	}
	return "none"
}

// Every registered function carries the documentation the reference needs.
func TestEveryFunctionDocumented(t *testing.T) {
	if len(All()) == 0 {
		t.Fatal("the catalog is empty")
	}
	for _, f := range All() {
		if strings.TrimSpace(f.Summary) == "" || strings.TrimSpace(f.Example) == "" || strings.TrimSpace(f.ExampleResult) == "" {
			t.Errorf("%s: Summary, Example and ExampleResult must all be set", f.Name)
		}
		if md := Markdown(); !strings.Contains(md, "\n## "+f.Name+"\n") {
			t.Errorf("%s missing from Markdown()", f.Name)
		}
	}
}

func TestSignature(t *testing.T) {
	cases := []struct {
		f    Function
		want string
	}{
		{*Lookup("rfm_score"), "rfm_score(model TEXT, recency_days DOUBLE, frequency DOUBLE, monetary DOUBLE) -> INTEGER"},
		{*Lookup("rfm_segment"), "rfm_segment(rfm_code INTEGER [, rules TEXT]) -> TEXT"},
		{Function{Name: "g", Params: []Param{{"a", Integer}, {"b", Text}, {"c", Double}}, Optional: 2, Result: Double},
			"g(a INTEGER [, b TEXT [, c DOUBLE]]) -> DOUBLE"},
		{Function{Name: "assign", Params: []Param{{"model", Text}}, Variadic: &Param{"x", Double}, MinVariadic: 1, Result: Integer},
			"assign(model TEXT, x1 DOUBLE, ..., xN DOUBLE) -> INTEGER"},
	}
	for _, c := range cases {
		if got := Signature(&c.f); got != c.want {
			t.Errorf("Signature = %q, want %q", got, c.want)
		}
	}
}

// TestExamplesRun calls every scalar example written as a plain call with
// literal arguments (name(1, 'x', NULL, 2.5)) and compares the result with
// the documented one; examples that need a model registry or a table are
// skipped (the bindings' tests run SQL).
func TestExamplesRun(t *testing.T) {
	ran := 0
	for _, f := range All() {
		if f.Kind != Scalar {
			continue
		}
		args, ok := parseLiteralCall(f.Name, f.Example)
		if !ok {
			t.Logf("%s: example is not a literal call, not run here", f.Name)
			continue
		}
		got, err := f.CallScalar(&Call{}, args)
		if err != nil {
			if strings.Contains(err.Error(), "no model registry") {
				t.Logf("%s: example needs a registry, not run here", f.Name)
				continue
			}
			t.Errorf("%s: example %s: %v", f.Name, f.Example, err)
			continue
		}
		ran++
		var v any // what an engine would hand back
		switch got.Type {
		case Integer:
			v = got.Int
		case Double:
			v = got.Float
		case Text:
			v = got.Text
		}
		if err := f.CheckExample(v); err != nil {
			t.Error(err)
		}
	}
	if ran == 0 {
		t.Error("no example ran")
	}
}

// parseLiteralCall parses "name(lit, ...)" where each lit is NULL, an
// integer, a decimal number or a single-quoted SQL string.
func parseLiteralCall(name, ex string) ([]Value, bool) {
	s := strings.TrimSpace(ex)
	if !strings.HasPrefix(strings.ToLower(s), strings.ToLower(name)+"(") || !strings.HasSuffix(s, ")") {
		return nil, false
	}
	s = s[len(name)+1 : len(s)-1]
	var args []Value
	for {
		s = strings.TrimLeft(s, " \t\n")
		if s == "" {
			return args, true
		}
		if s[0] == '\'' {
			var b strings.Builder
			i := 1
			for {
				if i >= len(s) {
					return nil, false
				}
				if s[i] == '\'' {
					if i+1 < len(s) && s[i+1] == '\'' {
						b.WriteByte('\'')
						i += 2
						continue
					}
					break
				}
				b.WriteByte(s[i])
				i++
			}
			args = append(args, TextValue(b.String()))
			s = s[i+1:]
		} else {
			end := strings.IndexByte(s, ',')
			if end < 0 {
				end = len(s)
			}
			tok := strings.TrimSpace(s[:end])
			if strings.EqualFold(tok, "NULL") {
				args = append(args, NullValue())
			} else if i, err := strconv.ParseInt(tok, 10, 64); err == nil {
				args = append(args, IntValue(i))
			} else if x, err := strconv.ParseFloat(tok, 64); err == nil {
				args = append(args, DoubleValue(x))
			} else {
				return nil, false
			}
			s = s[end:]
		}
		s = strings.TrimLeft(s, " \t\n")
		if s == "" {
			return args, true
		}
		if s[0] != ',' {
			return nil, false
		}
		s = s[1:]
	}
}
