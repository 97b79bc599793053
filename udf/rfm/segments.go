package rfm

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/custseg/custseg/udf/internal/clip"
)

// Others is the segment of a code no rule matches.
const Others = "Others"

// MaxRules bounds the rules of a rule set. With 125 codes, a set that long
// already has hundreds of rules that can never match (CheckRules refuses
// it); the bound keeps parsing and checking a hostile set cheap.
const MaxRules = 1000

// Range is an inclusive range of scores [lo, hi] with 1 <= lo <= hi <= 5.
type Range [2]int

// Any is the range every score falls in.
var Any = Range{1, 5}

// Contains reports whether lo <= s <= hi.
func (r Range) Contains(s int) bool { return s >= r[0] && s <= r[1] }

func (r Range) String() string {
	switch {
	case r == Any:
		return "any"
	case r[0] == r[1]:
		return strconv.Itoa(r[0])
	}
	return fmt.Sprintf("%d–%d", r[0], r[1])
}

// Rule names the segment of the codes whose R, F and M scores all lie in
// its ranges.
type Rule struct {
	Segment     string `json:"segment"`
	R           Range  `json:"r"`
	F           Range  `json:"f"`
	M           Range  `json:"m"`
	Description string `json:"description,omitempty"`
}

// Matches reports whether scores r, f, m fall in the rule's ranges.
func (u Rule) Matches(r, f, m int) bool {
	return u.R.Contains(r) && u.F.Contains(f) && u.M.Contains(m)
}

// Rules is an ordered rule set: the first rule that matches a code names its
// segment; a code no rule matches is in segment Others.
//
// As JSON (the optional second argument of rfm_segment, the file of
// `custseg rfm rules --check`) it is an array of objects:
//
//	[{"segment":"VIP","r":[4,5],"f":[4,5],"m":[1,5]},
//	 {"segment":"Sleeping","r":[1,2],"description":"not seen for long"}]
//
// "segment" is required and non-empty; "r", "f", "m" are inclusive score
// ranges [lo, hi] with 1 <= lo <= hi <= 5, a missing range meaning any
// score; "description" is optional text. Unknown keys are errors, so that
// a typo does not silently widen a rule.
type Rules []Rule

// defaultRules is the standard RFM segment map (the Putler table, as the R
// package rfm applies it: the "FM" range applies to F and M each). The
// published table's ranges overlap; this order makes every segment
// reachable. See DefaultRulesMarkdown.
var defaultRules = Rules{
	{Segment: "Champions", R: Range{4, 5}, F: Range{4, 5}, M: Range{4, 5},
		Description: "Bought recently, buy often and spend the most"},
	{Segment: "Can't Lose Them", R: Range{1, 1}, F: Range{4, 5}, M: Range{4, 5},
		Description: "Made big purchases, and often, but long ago"},
	{Segment: "New Customers", R: Range{4, 5}, F: Range{1, 1}, M: Range{1, 1},
		Description: "Bought most recently, but not often"},
	{Segment: "Promising", R: Range{3, 4}, F: Range{1, 1}, M: Range{1, 1},
		Description: "Recent shoppers, but have not spent much"},
	{Segment: "Loyal Customers", R: Range{2, 5}, F: Range{3, 5}, M: Range{3, 5},
		Description: "Spend good money, responsive to promotions"},
	{Segment: "Need Attention", R: Range{2, 3}, F: Range{2, 3}, M: Range{2, 3},
		Description: "Above average recency, frequency and monetary values; may not have bought very recently"},
	{Segment: "Potential Loyalist", R: Range{3, 5}, F: Range{1, 3}, M: Range{1, 3},
		Description: "Recent customers who spent a good amount and bought more than once"},
	{Segment: "About To Sleep", R: Range{2, 3}, F: Range{1, 2}, M: Range{1, 2},
		Description: "Below average recency, frequency and monetary values"},
	{Segment: "At Risk", R: Range{1, 2}, F: Range{2, 5}, M: Range{2, 5},
		Description: "Spent big money and bought often, but long ago"},
	{Segment: "Lost", R: Range{1, 2}, F: Range{1, 2}, M: Range{1, 2},
		Description: "Lowest recency, frequency and monetary scores"},
}

// DefaultRules returns (a copy of) the default segment rules:
//
//	|  # | Segment            | R   | F   | M   | Codes |
//	|----|--------------------|-----|-----|-----|------:|
//	|  1 | Champions          | 4–5 | 4–5 | 4–5 |     8 |
//	|  2 | Can't Lose Them    | 1   | 4–5 | 4–5 |     4 |
//	|  3 | New Customers      | 4–5 | 1   | 1   |     2 |
//	|  4 | Promising          | 3–4 | 1   | 1   |     1 |
//	|  5 | Loyal Customers    | 2–5 | 3–5 | 3–5 |    28 |
//	|  6 | Need Attention     | 2–3 | 2–3 | 2–3 |     6 |
//	|  7 | Potential Loyalist | 3–5 | 1–3 | 1–3 |    18 |
//	|  8 | About To Sleep     | 2–3 | 1–2 | 1–2 |     3 |
//	|  9 | At Risk            | 1–2 | 2–5 | 2–5 |    16 |
//	| 10 | Lost               | 1–2 | 1–2 | 1–2 |     3 |
//	|  – | Others             |     |     |     |    36 |
//
// The first matching rule wins; anything else is Others. Codes is how many
// of the 125 codes each rule ends up naming. The ranges are
// those of the widely used table (Putler; the R package rfm), where the
// "FM" range applies to F and to M; the order puts the narrow segments
// (Can't Lose Them, New Customers, Promising) before the wide ones that
// contain them, so that no segment is shadowed.
func DefaultRules() Rules { return append(Rules(nil), defaultRules...) }

// DefaultRulesMarkdown returns the default rules as a Markdown table, with
// the number of the 125 codes each rule actually names (after the earlier
// rules took theirs).
func DefaultRulesMarkdown() string { return defaultRules.Markdown() }

// Markdown renders rs as a Markdown table (order, segment, ranges, codes won,
// description) followed by the Others row.
func (rs Rules) Markdown() string {
	won := make([]int, len(rs))
	others := 0
	for _, cs := range rs.Table() {
		if cs.Rule < 0 {
			others++
		} else {
			won[cs.Rule]++
		}
	}
	var b strings.Builder
	b.WriteString("| # | Segment | R | F | M | Codes | Description |\n")
	b.WriteString("|---|---------|---|---|---|------:|-------------|\n")
	for i, u := range rs {
		fmt.Fprintf(&b, "| %d | %s | %s | %s | %s | %d | %s |\n", i+1, u.Segment, u.R, u.F, u.M, won[i], u.Description)
	}
	fmt.Fprintf(&b, "| – | %s | | | | %d | No rule matches |\n", Others, others)
	return b.String()
}

// ParseRules decodes and validates a JSON rule set (format: see Rules). It
// does not check for shadowed rules: see CheckRules.
func ParseRules(text string) (Rules, error) {
	type rawRule struct {
		Segment     *string `json:"segment"`
		R           []int   `json:"r"`
		F           []int   `json:"f"`
		M           []int   `json:"m"`
		Description string  `json:"description"`
	}
	var raw []rawRule
	dec := json.NewDecoder(bytes.NewReader([]byte(text)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("rfm rules: %s (want a JSON array like [{\"segment\":\"VIP\",\"r\":[4,5],\"f\":[4,5]}])", clip.Text(err.Error(), clip.Message))
	}
	if dec.More() {
		return nil, fmt.Errorf("rfm rules: unexpected text after the JSON array")
	}
	if err := checkCount(len(raw)); err != nil {
		return nil, err
	}
	rs := make(Rules, len(raw))
	for i, r := range raw {
		if r.Segment == nil || strings.TrimSpace(*r.Segment) == "" {
			return nil, fmt.Errorf("rfm rules: rule %d has no \"segment\" name", i+1)
		}
		u := Rule{Segment: *r.Segment, Description: r.Description}
		for _, d := range []struct {
			letter string
			in     []int
			out    *Range
		}{{"r", r.R, &u.R}, {"f", r.F, &u.F}, {"m", r.M, &u.M}} {
			rg, err := toRange(d.in)
			if err != nil {
				return nil, fmt.Errorf("rfm rules: rule %d (%s): %q %v", i+1, clip.Text(u.Segment, clip.Name), d.letter, err)
			}
			*d.out = rg
		}
		rs[i] = u
	}
	return rs, nil
}

// checkCount refuses an empty rule set and one of more than MaxRules rules.
func checkCount(n int) error {
	switch {
	case n == 0:
		return fmt.Errorf("rfm rules: the rule set is empty")
	case n > MaxRules:
		return fmt.Errorf("rfm rules: %d rules: at most %d", n, MaxRules)
	}
	return nil
}

func toRange(v []int) (Range, error) {
	switch {
	case v == nil:
		return Any, nil
	case len(v) != 2:
		return Range{}, fmt.Errorf("must be [lo, hi], got %d numbers", len(v))
	case v[0] < 1 || v[1] > 5 || v[0] > v[1]:
		return Range{}, fmt.Errorf("range [%d, %d] is invalid: need 1 <= lo <= hi <= 5", v[0], v[1])
	}
	return Range{v[0], v[1]}, nil
}

// Validate checks every range of rs (for rule sets built in Go rather than
// parsed).
func (rs Rules) Validate() error {
	if err := checkCount(len(rs)); err != nil {
		return err
	}
	for i, u := range rs {
		if strings.TrimSpace(u.Segment) == "" {
			return fmt.Errorf("rfm rules: rule %d has no segment name", i+1)
		}
		for _, d := range []struct {
			letter string
			r      Range
		}{{"r", u.R}, {"f", u.F}, {"m", u.M}} {
			if _, err := toRange(d.r[:]); err != nil {
				return fmt.Errorf("rfm rules: rule %d (%s): %q %v", i+1, clip.Text(u.Segment, clip.Name), d.letter, err)
			}
		}
	}
	return nil
}

// CheckRules validates rs and returns an error when a rule can never match
// because the earlier rules take every code it covers. The error names the
// rule (1-based index and segment) and the earlier rules that shadow it.
//
// Its cost is linear in the number of rules: each rule is compared with the
// 125 codes, never with the other rules, and the first rule covering a code
// is the one that takes it. The error lists at most maxReported rules and,
// for each, at most maxReported shadowing rules, with segment names cut to
// clip.Name bytes, so a hostile rule set cannot make it long.
func CheckRules(rs Rules) error {
	if err := rs.Validate(); err != nil {
		return err
	}
	// winner[r][f][m] is 1 + the index of the rule that takes code rfm, 0
	// while no rule has.
	var winner [6][6][6]int
	won := make([]bool, len(rs))
	for i, u := range rs {
		u.eachCode(func(r, f, m int) {
			if winner[r][f][m] == 0 {
				winner[r][f][m] = i + 1
				won[i] = true
			}
		})
	}
	var problems []string
	shadowed := 0
	for i, u := range rs {
		if won[i] {
			continue
		}
		shadowed++
		if len(problems) == maxReported {
			continue
		}
		// The rules that took its codes, in order (each is earlier than i).
		var by []int
		u.eachCode(func(r, f, m int) {
			if j := winner[r][f][m] - 1; !slices.Contains(by, j) {
				by = append(by, j)
			}
		})
		slices.Sort(by)
		names := make([]string, 0, maxReported)
		for _, j := range by[:min(len(by), maxReported)] {
			names = append(names, fmt.Sprintf("%d (%s)", j+1, clip.Text(rs[j].Segment, clip.Name)))
		}
		list := strings.Join(names, ", ")
		if more := len(by) - len(names); more > 0 {
			list += fmt.Sprintf(" and %d more", more)
		}
		problems = append(problems, fmt.Sprintf("rule %d (%s) can never match: every code it covers is taken by rule %s",
			i+1, clip.Text(u.Segment, clip.Name), list))
	}
	if shadowed == 0 {
		return nil
	}
	msg := strings.Join(problems, "; ")
	if more := shadowed - len(problems); more > 0 {
		msg += fmt.Sprintf("; and %d more rules can never match", more)
	}
	return fmt.Errorf("rfm rules: %s", msg)
}

// maxReported bounds the rules CheckRules lists in its error, and the
// shadowing rules it lists for each.
const maxReported = 5

// eachCode calls fn with the scores of every code u covers.
func (u Rule) eachCode(fn func(r, f, m int)) {
	for r := u.R[0]; r <= u.R[1]; r++ {
		for f := u.F[0]; f <= u.F[1]; f++ {
			for m := u.M[0]; m <= u.M[1]; m++ {
				fn(r, f, m)
			}
		}
	}
}

// SplitCode checks that code is an RFM code (three digits, each 1..5, so
// 111..555) and returns its digits.
func SplitCode(code int) (r, f, m int, err error) {
	if code < 100 || code > 999 {
		return 0, 0, 0, fmt.Errorf("rfm_code %d: must be a 3-digit code 111..555 (R*100 + F*10 + M)", code)
	}
	r, f, m = code/100, code/10%10, code%10
	var bad []string
	for i, d := range []struct {
		letter string
		v      int
	}{{"R", r}, {"F", f}, {"M", m}} {
		if d.v < 1 || d.v > 5 {
			bad = append(bad, fmt.Sprintf("digit %d (%s) is %d", i+1, d.letter, d.v))
		}
	}
	if bad != nil {
		return 0, 0, 0, fmt.Errorf("rfm_code %d: %s, each digit must be 1..5", code, strings.Join(bad, " and "))
	}
	return r, f, m, nil
}

// Segment returns the segment of an RFM code: the first rule that matches
// its scores, or Others. A code that is not 111..555 with every digit 1..5
// is an error saying which digit is wrong.
func (rs Rules) Segment(code int) (string, error) {
	r, f, m, err := SplitCode(code)
	if err != nil {
		return "", err
	}
	return rs.segment(r, f, m), nil
}

func (rs Rules) segment(r, f, m int) string {
	for i := range rs {
		if rs[i].Matches(r, f, m) {
			return rs[i].Segment
		}
	}
	return Others
}

// CodeSegment is one RFM code with the segment a rule set gives it.
type CodeSegment struct {
	Code    int
	R, F, M int
	Segment string
	Rule    int // 0-based index of the matching rule, -1 for Others
}

// Table lists all 125 codes 111..555 in ascending order with their segment.
func (rs Rules) Table() []CodeSegment {
	out := make([]CodeSegment, 0, 125)
	for r := 1; r <= 5; r++ {
		for f := 1; f <= 5; f++ {
			for m := 1; m <= 5; m++ {
				cs := CodeSegment{Code: r*100 + f*10 + m, R: r, F: f, M: m, Segment: Others, Rule: -1}
				for i := range rs {
					if rs[i].Matches(r, f, m) {
						cs.Segment, cs.Rule = rs[i].Segment, i
						break
					}
				}
				out = append(out, cs)
			}
		}
	}
	return out
}

// Lookup is a rule set compiled to a table indexed by code, for per-row use
// (rfm_segment): one bounds check and an array read per call.
type Lookup struct {
	seg [556]string
}

// Compile builds the lookup table of rs.
func (rs Rules) Compile() *Lookup {
	l := &Lookup{}
	for _, cs := range rs.Table() {
		l.seg[cs.Code] = cs.Segment
	}
	return l
}

// Segment is Rules.Segment on the compiled table.
func (l *Lookup) Segment(code int) (string, error) {
	if code >= 111 && code <= 555 {
		if s := l.seg[code]; s != "" {
			return s, nil
		}
	}
	_, _, _, err := SplitCode(code)
	if err == nil { // unreachable: every valid code is in the table
		err = fmt.Errorf("rfm_code %d: not in the table", code)
	}
	return "", err
}
