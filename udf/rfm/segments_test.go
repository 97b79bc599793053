package rfm

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestDefaultRulesHaveNoShadowedRule(t *testing.T) {
	if err := CheckRules(DefaultRules()); err != nil {
		t.Fatal(err)
	}
}

// Every named segment wins at least one code; the witnesses were picked by
// hand from the ranges and the order in DefaultRules.
func TestDefaultSegmentsReachable(t *testing.T) {
	cases := []struct {
		code int
		want string
	}{
		{555, "Champions"},
		{444, "Champions"},
		{155, "Can't Lose Them"},
		{144, "Can't Lose Them"},
		{511, "New Customers"},
		{411, "New Customers"},
		{311, "Promising"},
		{333, "Loyal Customers"},
		{254, "Loyal Customers"},
		{255, "Loyal Customers"},
		{534, "Loyal Customers"},
		{222, "Need Attention"},
		{322, "Need Attention"},
		{223, "Need Attention"},
		{522, "Potential Loyalist"},
		{312, "Potential Loyalist"},
		{513, "Potential Loyalist"},
		{211, "About To Sleep"},
		{212, "About To Sleep"},
		{122, "At Risk"},
		{252, "At Risk"},
		{125, "At Risk"},
		{145, "Can't Lose Them"}, // R1 F4 M5: rule 2 comes before At Risk
		{111, "Lost"},
		{112, "Lost"},
		{551, "Others"},
		{115, "Others"},
		{315, "Others"},
	}
	rs := DefaultRules()
	lk := rs.Compile()
	for _, c := range cases {
		got, err := rs.Segment(c.code)
		if err != nil || got != c.want {
			t.Errorf("Segment(%d) = %q, %v; want %q", c.code, got, err, c.want)
		}
		got2, err := lk.Segment(c.code)
		if err != nil || got2 != got {
			t.Errorf("compiled Segment(%d) = %q, %v; want %q", c.code, got2, err, got)
		}
	}
	// Over the full table, every rule wins at least one code.
	won := map[string]int{}
	for _, cs := range rs.Table() {
		won[cs.Segment]++
	}
	for _, u := range rs {
		if won[u.Segment] == 0 {
			t.Errorf("segment %s names no code", u.Segment)
		}
	}
	if len(won) != 11 {
		t.Errorf("%d distinct segments (with Others), want 11: %v", len(won), won)
	}
}

func TestTableCoversAllCodes(t *testing.T) {
	tab := DefaultRules().Table()
	if len(tab) != 125 {
		t.Fatalf("%d rows, want 125", len(tab))
	}
	if tab[0].Code != 111 || tab[124].Code != 555 {
		t.Errorf("first %d last %d", tab[0].Code, tab[124].Code)
	}
	total := 0
	for i, cs := range tab {
		if i > 0 && cs.Code <= tab[i-1].Code {
			t.Fatalf("not ascending at %d", cs.Code)
		}
		if cs.Code != cs.R*100+cs.F*10+cs.M {
			t.Errorf("code %d digits %d %d %d", cs.Code, cs.R, cs.F, cs.M)
		}
		if (cs.Rule < 0) != (cs.Segment == Others) {
			t.Errorf("code %d rule %d segment %q", cs.Code, cs.Rule, cs.Segment)
		}
		total++
	}
	if total != 125 {
		t.Fatal(total)
	}
}

func TestSegmentCodeErrors(t *testing.T) {
	cases := []struct {
		code int
		want string
	}{
		{106, "rfm_code 106: digit 2 (F) is 0 and digit 3 (M) is 6, each digit must be 1..5"},
		{156, "rfm_code 156: digit 3 (M) is 6, each digit must be 1..5"},
		{150, "rfm_code 150: digit 3 (M) is 0, each digit must be 1..5"},
		{611, "rfm_code 611: digit 1 (R) is 6, each digit must be 1..5"},
		{55, "rfm_code 55: must be a 3-digit code 111..555"},
		{1111, "rfm_code 1111: must be a 3-digit code 111..555"},
		{-111, "rfm_code -111: must be a 3-digit code 111..555"},
	}
	rs := DefaultRules()
	lk := rs.Compile()
	for _, c := range cases {
		_, err := rs.Segment(c.code)
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("Segment(%d): err = %v, want %q", c.code, err, c.want)
		}
		_, err = lk.Segment(c.code)
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("compiled Segment(%d): err = %v, want %q", c.code, err, c.want)
		}
	}
}

func TestParseRules(t *testing.T) {
	rs, err := ParseRules(`[{"segment":"VIP","r":[4,5],"f":[4,5],"m":[1,5]},
		{"segment":"Sleeping","r":[1,2],"description":"not seen for long"}]`)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 2 || rs[0].R != (Range{4, 5}) || rs[0].M != Any || rs[1].F != Any || rs[1].Description != "not seen for long" {
		t.Fatalf("parsed %+v", rs)
	}
	for code, want := range map[int]string{551: "VIP", 541: "VIP", 155: "Sleeping", 331: "Others", 531: "Others"} {
		if got, _ := rs.Segment(code); got != want {
			t.Errorf("custom Segment(%d) = %q, want %q", code, got, want)
		}
	}
}

func TestParseRulesErrors(t *testing.T) {
	cases := []struct {
		json, want string
	}{
		{`{"segment":"x"}`, "rfm rules: json: cannot unmarshal object"},
		{`[]`, "the rule set is empty"},
		{`[{"r":[1,2]}]`, `rule 1 has no "segment" name`},
		{`[{"segment":" "}]`, `rule 1 has no "segment" name`},
		{`[{"segment":"a"},{"segment":"b","r":[0,2]}]`, `rule 2 (b): "r" range [0, 2] is invalid: need 1 <= lo <= hi <= 5`},
		{`[{"segment":"a","f":[3,2]}]`, `rule 1 (a): "f" range [3, 2] is invalid`},
		{`[{"segment":"a","m":[1,6]}]`, `rule 1 (a): "m" range [1, 6] is invalid`},
		{`[{"segment":"a","m":[1]}]`, `rule 1 (a): "m" must be [lo, hi], got 1 numbers`},
		{`[{"segment":"a","fm":[1,2]}]`, `unknown field "fm"`},
		{`[{"segment":"a"}] x`, "unexpected text after the JSON array"},
		{`[{"segment":"a","r":[1.5,2]}]`, "rfm rules: json: cannot unmarshal number 1.5"},
	}
	for _, c := range cases {
		_, err := ParseRules(c.json)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ParseRules(%s): err = %v, want it to contain %q", c.json, err, c.want)
		}
	}
}

func TestCheckRulesShadow(t *testing.T) {
	cases := []struct {
		name, json, want string
	}{
		{"fully covered by one earlier rule",
			`[{"segment":"Active","r":[3,5]},{"segment":"VIP","r":[4,5],"f":[5,5]}]`,
			"rule 2 (VIP) can never match: every code it covers is taken by rule 1 (Active)"},
		{"covered by two earlier rules together",
			`[{"segment":"A","r":[1,2]},{"segment":"B","r":[3,5]},{"segment":"Unused","f":[1,1]},{"segment":"Rest"}]`,
			"rule 3 (Unused) can never match: every code it covers is taken by rule 1 (A), 2 (B)"},
		{"the published order of the R package rfm (Can't Lose Them after At Risk)",
			`[{"segment":"At Risk","r":[1,2],"f":[2,5],"m":[2,5]},{"segment":"Can't Lose Them","r":[1,1],"f":[4,5],"m":[4,5]}]`,
			"rule 2 (Can't Lose Them) can never match: every code it covers is taken by rule 1 (At Risk)"},
	}
	for _, c := range cases {
		rs, err := ParseRules(c.json)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		err = CheckRules(rs)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want it to contain %q", c.name, err, c.want)
		}
	}
	// Partial overlap is fine: the later rule still wins some codes.
	rs, _ := ParseRules(`[{"segment":"A","r":[3,5]},{"segment":"B","r":[2,4]}]`)
	if err := CheckRules(rs); err != nil {
		t.Errorf("partial overlap flagged: %v", err)
	}
	// Two shadowed rules are both reported.
	rs, _ = ParseRules(`[{"segment":"All"},{"segment":"X","r":[1,1]},{"segment":"Y","m":[5,5]}]`)
	err := CheckRules(rs)
	if err == nil || !strings.Contains(err.Error(), "rule 2 (X)") || !strings.Contains(err.Error(), "rule 3 (Y)") {
		t.Errorf("two shadowed rules: %v", err)
	}
	// Rules built in Go are validated too.
	if err := CheckRules(Rules{{Segment: "bad", R: Range{0, 9}, F: Any, M: Any}}); err == nil || !strings.Contains(err.Error(), `"r" range [0, 9] is invalid`) {
		t.Errorf("invalid Go rule: %v", err)
	}
}

func TestDefaultRulesMarkdown(t *testing.T) {
	md := DefaultRulesMarkdown()
	lines := strings.Split(strings.TrimSpace(md), "\n")
	// header, separator, 10 rules, Others
	if len(lines) != 13 {
		t.Fatalf("%d lines:\n%s", len(lines), md)
	}
	if !strings.HasPrefix(lines[2], "| 1 | Champions | 4–5 | 4–5 | 4–5 | 8 |") {
		t.Errorf("first rule row: %s", lines[2])
	}
	// The Codes column (6th cell) sums to 125.
	sum := 0
	for _, l := range lines[2:] {
		cells := strings.Split(l, "|")
		n, err := strconv.Atoi(strings.TrimSpace(cells[6]))
		if err != nil {
			t.Fatalf("codes cell of %q: %v", l, err)
		}
		sum += n
	}
	if sum != 125 {
		t.Errorf("codes column sums to %d, want 125", sum)
	}
	if !strings.HasPrefix(lines[12], "| – | Others |") {
		t.Errorf("Others row: %s", lines[12])
	}
}

// hostileRules is a rule set of n rules: one that takes every code, then
// n−1 that can never match, each named by name and its index.
func hostileRules(n int, name string) string {
	var b strings.Builder
	b.WriteString(`[{"segment":"All"}`)
	for i := 1; i < n; i++ {
		fmt.Fprintf(&b, `,{"segment":"%s %d","r":[%d,5]}`, name, i, 1+i%5)
	}
	b.WriteString("]")
	return b.String()
}

// TestRulesLimits: a rule set of more than MaxRules rules is refused at
// once, whatever its length; one just under the cap is checked fast (the
// check is linear in the rules) and its error stays short however many rules
// can never match and however long their names.
func TestRulesLimits(t *testing.T) {
	huge := hostileRules(16000, "Segment") // the 1 MB set
	if len(huge) < 500_000 {
		t.Fatalf("hostile set is only %d bytes", len(huge))
	}
	start := time.Now()
	_, err := ParseRules(huge)
	if d := time.Since(start); d > time.Second {
		t.Errorf("ParseRules of 16,000 rules took %v", d)
	}
	if want := "rfm rules: 16000 rules: at most 1000"; err == nil || err.Error() != want {
		t.Errorf("16,000 rules: %v, want %q", err, want)
	}
	if err := CheckRules(make(Rules, MaxRules+1)); err == nil || err.Error() != "rfm rules: 1001 rules: at most 1000" {
		t.Errorf("Go rule set over the cap: %v", err)
	}

	long := strings.Repeat("é", 1000)
	rs, err := ParseRules(hostileRules(MaxRules, long))
	if err != nil {
		t.Fatal(err)
	}
	start = time.Now()
	err = CheckRules(rs)
	if d := time.Since(start); d > time.Second {
		t.Errorf("CheckRules of %d rules took %v", MaxRules, d)
	}
	if err == nil || len(err.Error()) > 2000 || !utf8.ValidString(err.Error()) ||
		!strings.HasPrefix(err.Error(), "rfm rules: rule 2 (éé") || !strings.Contains(err.Error(), "…) can never match: every code it covers is taken by rule 1 (All)") ||
		!strings.HasSuffix(err.Error(), "; and 994 more rules can never match") {
		t.Errorf("%d rules, %d never matching: error of %d bytes: %.300v", MaxRules, MaxRules-1, len(err.Error()), err)
	}

	// A rule shadowed by many earlier rules names the first maxReported.
	var b strings.Builder
	b.WriteString("[")
	for f := 1; f <= 5; f++ {
		for m := 1; m <= 5; m++ {
			fmt.Fprintf(&b, `{"segment":"F%dM%d","f":[%d,%d],"m":[%d,%d]},`, f, m, f, f, m, m)
		}
	}
	b.WriteString(`{"segment":"Late"}]`)
	rs, err = ParseRules(b.String())
	if err != nil {
		t.Fatal(err)
	}
	want := "rfm rules: rule 26 (Late) can never match: every code it covers is taken by rule 1 (F1M1), 2 (F1M2), 3 (F1M3), 4 (F1M4), 5 (F1M5) and 20 more"
	if err := CheckRules(rs); err == nil || err.Error() != want {
		t.Errorf("many shadowing rules: %v, want %q", err, want)
	}
}

// TestRulesErrorsCutNames: a huge segment name or JSON key is cut in every
// error that quotes it.
func TestRulesErrorsCutNames(t *testing.T) {
	big := strings.Repeat("x", 1<<20)
	for _, text := range []string{
		`[{"segment":"` + big + `","r":[0,9]}]`,
		`[{"segment":"a","` + big + `":1}]`,
		`[{"segment":"a"}]` + big,
	} {
		_, err := ParseRules(text)
		if err == nil || len(err.Error()) > 500 {
			t.Errorf("error of %d bytes: %.200v", len(err.Error()), err)
		}
	}
}
