// Package rfm scores customers on Recency, Frequency and Monetary value and
// maps the scores to named segments. It is pure Go: the SQL functions
// rfm_score and rfm_segment (package udf/catalog) and the CLI call it.
//
// A Model holds, for each of the three features, the four cut points at the
// 20, 40, 60 and 80 % type-7 quantiles of the customers it was fitted on.
// Scores run from 1 to 5; 5 is best (most recent, most frequent, highest
// spend). A customer's RFM code is R*100 + F*10 + M (111..555).
package rfm

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/custseg/custseg/udf/internal/num"
)

// ModelFormat is the version of the JSON layout written by this package.
const ModelFormat = 1

// Kind is the value of the top-level "kind" field of an RFM model's JSON.
const Kind = "rfm"

// CutProbabilities are the quantile levels of the four cut points.
var CutProbabilities = [4]float64{0.2, 0.4, 0.6, 0.8}

// Model is a fitted RFM model: the cut points of each feature. Its JSON
// form is what the model registry (custseg_models.spec) stores:
//
//	{"kind":"rfm","format":1,"method":"...","recency_cuts":[...],
//	 "frequency_cuts":[...],"monetary_cuts":[...],"customers":4338,
//	 "as_of":"2011-12-10 12:50:00"}
type Model struct {
	Kind   string `json:"kind"`
	Format int    `json:"format"`
	// Method says, for a human reading the JSON, how the cuts were chosen.
	Method string `json:"method,omitempty"`
	// Cut points q20, q40, q60, q80 of recency in days (smaller is better),
	// number of purchases, and money spent.
	RecencyCuts   []float64 `json:"recency_cuts"`
	FrequencyCuts []float64 `json:"frequency_cuts"`
	MonetaryCuts  []float64 `json:"monetary_cuts"`
	// Customers is how many customers the cuts were computed from.
	Customers int `json:"customers"`
	// AsOf is the reference date recency was measured from, set by the
	// caller (free text, e.g. "2011-12-10 12:50:00").
	AsOf string `json:"as_of,omitempty"`
	// Created is when the model was fitted, set by the caller.
	Created string `json:"created,omitempty"`
}

const fitMethod = "type-7 quantiles (R default, numpy linear) at 20/40/60/80%"

// Fit computes the cut points of each feature at the 20/40/60/80 % type-7
// quantiles. The three slices hold one value per customer, in the same
// order. It returns an error for empty or mismatched inputs and for NaN or
// infinite values. The inputs are not modified.
func Fit(recency, frequency, monetary []float64) (*Model, error) {
	n := len(recency)
	if len(frequency) != n || len(monetary) != n {
		return nil, fmt.Errorf("rfm fit: recency, frequency and monetary must have one value per customer: got %d, %d and %d values",
			len(recency), len(frequency), len(monetary))
	}
	if n == 0 {
		return nil, errors.New("rfm fit: no customers")
	}
	m := &Model{Kind: Kind, Format: ModelFormat, Method: fitMethod, Customers: n}
	var err error
	if m.RecencyCuts, err = cuts("recency", recency); err != nil {
		return nil, err
	}
	if m.FrequencyCuts, err = cuts("frequency", frequency); err != nil {
		return nil, err
	}
	if m.MonetaryCuts, err = cuts("monetary", monetary); err != nil {
		return nil, err
	}
	return m, nil
}

func cuts(feature string, values []float64) ([]float64, error) {
	for i, v := range values {
		if !num.Finite(v) {
			return nil, fmt.Errorf("rfm fit: %s of customer %d is %v: values must be finite", feature, i+1, v)
		}
	}
	sorted := slices.Clone(values)
	slices.Sort(sorted)
	out := make([]float64, len(CutProbabilities))
	for i, p := range CutProbabilities {
		out[i] = num.Quantile7(sorted, p)
	}
	return out, nil
}

// ParseModel decodes and validates a model's JSON: kind "rfm", a format this
// package understands, and exactly four finite, non-decreasing cut points
// per feature.
func ParseModel(spec string) (*Model, error) {
	var m Model
	if err := json.Unmarshal([]byte(spec), &m); err != nil {
		return nil, fmt.Errorf("rfm model: %v", err)
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	return &m, nil
}

// Validate checks what ParseModel checks. A missing format is read as 1.
func (m *Model) Validate() error {
	if m.Kind != Kind {
		return fmt.Errorf("rfm model: kind is %q, want %q", m.Kind, Kind)
	}
	if m.Format == 0 {
		m.Format = ModelFormat
	}
	if m.Format != ModelFormat {
		return fmt.Errorf("rfm model: format %d is not supported (this custseg reads format %d)", m.Format, ModelFormat)
	}
	for _, c := range []struct {
		name string
		cuts []float64
	}{{"recency_cuts", m.RecencyCuts}, {"frequency_cuts", m.FrequencyCuts}, {"monetary_cuts", m.MonetaryCuts}} {
		if len(c.cuts) != 4 {
			return fmt.Errorf("rfm model: %s must hold exactly 4 numbers, got %d", c.name, len(c.cuts))
		}
		for i, v := range c.cuts {
			if !num.Finite(v) {
				return fmt.Errorf("rfm model: %s[%d] is %v, cut points must be finite", c.name, i, v)
			}
			if i > 0 && v < c.cuts[i-1] {
				return fmt.Errorf("rfm model: %s must be non-decreasing, but %v follows %v", c.name, v, c.cuts[i-1])
			}
		}
	}
	if m.Customers < 0 {
		return fmt.Errorf("rfm model: customers is %d, must not be negative", m.Customers)
	}
	return nil
}

// JSON returns the model's indented JSON, as stored in the registry.
func (m *Model) JSON() string {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil { // only []float64, strings and ints: cannot fail
		panic(err)
	}
	return string(b)
}

// above counts the cut points v is strictly greater than (0..4).
func above(cuts []float64, v float64) int {
	n := 0
	for _, c := range cuts {
		if v > c {
			n++
		}
	}
	return n
}

// Score returns the R, F and M scores (1..5) of a customer. For frequency and
// monetary the score is 1 + the number of cut points the value is strictly
// greater than; for recency (days, smaller is better) it is 5 minus that
// number, so the most recent customers score 5. Equal values always get
// equal scores, however many customers share them.
func (m *Model) Score(recency, frequency, monetary float64) (rs, fs, ms int) {
	return 5 - above(m.RecencyCuts, recency), 1 + above(m.FrequencyCuts, frequency), 1 + above(m.MonetaryCuts, monetary)
}

// Code returns the RFM code R*100 + F*10 + M (111..555).
func (m *Model) Code(recency, frequency, monetary float64) int {
	r, f, mo := m.Score(recency, frequency, monetary)
	return r*100 + f*10 + mo
}
