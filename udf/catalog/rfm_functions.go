package catalog

import (
	"strconv"
	"unsafe"

	"github.com/custseg/custseg/udf/rfm"
)

func init() {
	// The implementations refer to their Function (for error wording), so
	// they are attached here rather than in the literals (an init cycle).
	rfmScore.Scalar = rfmScoreImpl
	rfmSegment.Scalar = rfmSegmentImpl
	RegisterModelKind(rfm.Kind, func(spec string) (any, error) { return rfm.ParseModel(spec) })
	register(rfmScore, rfmSegment)
}

var rfmScore = &Function{
	Name: "rfm_score",
	Kind: Scalar,
	Params: []Param{
		{Name: "model", Type: Text},
		{Name: "recency_days", Type: Double},
		{Name: "frequency", Type: Double},
		{Name: "monetary", Type: Double},
	},
	Result:        Integer,
	Deterministic: true,
	Null:          NullInNullOut,
	Summary: "Scores a customer 1..5 on recency, frequency and monetary value against the quintile " +
		"cut points of an RFM model (a registry name, name@version or the model's JSON) and returns the code R*100 + F*10 + M.",
	Example:       `rfm_score('{"kind":"rfm","recency_cuts":[10,30,60,120],"frequency_cuts":[1,2,3,5],"monetary_cuts":[100,250,500,1000]}', 12, 4, 800)`,
	ExampleResult: "444",
}

func rfmScoreImpl(c *Call, args []Value) (Value, error) {
	f := rfmScore
	ref, err := f.Str(args, 0)
	if err != nil {
		return Value{}, err
	}
	r, err := f.Float(args, 1)
	if err != nil {
		return Value{}, err
	}
	fr, err := f.Float(args, 2)
	if err != nil {
		return Value{}, err
	}
	mo, err := f.Float(args, 3)
	if err != nil {
		return Value{}, err
	}
	m, err := modelOf[*rfm.Model](f, c, ref, rfm.Kind, "an rfm model")
	if err != nil {
		return Value{}, err
	}
	return IntValue(int64(m.Code(r, fr, mo))), nil
}

var rfmSegment = &Function{
	Name: "rfm_segment",
	Kind: Scalar,
	Params: []Param{
		{Name: "rfm_code", Type: Integer},
		{Name: "rules", Type: Text},
	},
	Optional:      1,
	Result:        Text,
	Deterministic: true,
	Null:          NullInNullOut,
	Summary: "Names the segment of an RFM code (111..555) by the standard segment map (Champions, Loyal Customers, ..., Lost, " +
		"else Others) or by a JSON rule set given as the second argument, the first matching rule winning. " +
		"A rule set holds 1 to " + strconv.Itoa(rfm.MaxRules) + " rules (rfm.MaxRules); a longer one is an error.",
	Example:       `rfm_segment(155)`,
	ExampleResult: "Can't Lose Them",
}

var defaultSegments = rfm.DefaultRules().Compile()

func rfmSegmentImpl(c *Call, args []Value) (Value, error) {
	f := rfmSegment
	code, err := f.Int(args, 0)
	if err != nil {
		return Value{}, err
	}
	table := defaultSegments
	if len(args) > 1 {
		text, err := f.Str(args, 1)
		if err != nil {
			return Value{}, err
		}
		if table, err = customRules(text); err != nil {
			return Value{}, err
		}
	}
	if code < 100 || code > 999 { // also keeps int(code) exact on 32-bit platforms
		return Value{}, f.Errorf("rfm_code %d: must be a 3-digit code 111..555 (R*100 + F*10 + M)", code)
	}
	seg, err := table.Segment(int(code))
	if err != nil {
		return Value{}, err
	}
	return TextValue(seg), nil
}

// ruleSets holds compiled custom rule sets by their JSON text, so a query
// that passes the same rules on every row parses and checks them once.
var ruleSets = newParsedCache(ruleSetsBytes, func(text string) (*rfm.Lookup, int, error) {
	rs, err := rfm.ParseRules(text)
	if err != nil {
		return nil, 0, err
	}
	if err := rfm.CheckRules(rs); err != nil {
		return nil, 0, err
	}
	// The table's strings are the segment names, decoded from text: at most
	// its length again, plus the table itself.
	return rs.Compile(), len(text) + int(unsafe.Sizeof(rfm.Lookup{})), nil
})

// ruleSetsBytes bounds ruleSets.
const ruleSetsBytes = 16 << 20

func customRules(text string) (*rfm.Lookup, error) {
	p, err := ruleSets.get(text)
	if err != nil {
		return nil, err
	}
	return p.v, nil
}
