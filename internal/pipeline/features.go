// Package pipeline is the library behind the CLI: features, RFM fitting and
// scoring, training and the prepared tables, written once for both engines.
package pipeline

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"text/template"
	"time"

	"github.com/custseg/custseg/internal/engine"
	custsql "github.com/custseg/custseg/sql"
)

// Errors callers tell apart with errors.Is; messages carry the details.
var (
	// ErrNoCustomers: features found no customer to write.
	ErrNoCustomers = errors.New("no customer left")
	// ErrNotFinite: a customer's features are not finite numbers.
	ErrNotFinite = errors.New("not a finite number")
)

// Cleaning says which transactions count towards customer features. The
// zero value is the documented default: drop rows with no customer,
// cancellations (invoice starting with C), and rows with quantity <= 0 or
// unit_price <= 0.
type Cleaning struct {
	KeepCancellations bool // keep invoices starting with C
	KeepNonPositive   bool // keep quantity <= 0 or unit_price <= 0
}

// FeatureOptions configures Features.
type FeatureOptions struct {
	Cleaning
	// AsOf is the reference time for recency; zero means the latest kept
	// invoice + 1 day. Invoices at or after AsOf are left out.
	AsOf time.Time
	// Table is the table written (default customer_features); drift checks
	// compute features as of another date into a scratch table.
	Table string
}

// FeatureSummary reports what Features wrote.
type FeatureSummary struct {
	Customers int64
	AsOf      string
	Frequency int64
	Monetary  float64
	Duration  time.Duration
}

// dialect holds the few expressions that differ between the engines.
type dialect struct {
	days      func(a, b string) string // whole days from b to a, floored (a >= b)
	floor     func(x string) string    // floor of a non-negative number
	idiv      func(a, b string) string // integer division
	addDay    func(x string) string
	timestamp func(t time.Time) string // a timestamp literal
	ts        func(col string) string  // a column as a comparable timestamp
	finite    func(x string) string    // true when x is a finite number (not NULL, NaN or ±Inf)
}

var dialects = map[engine.Kind]dialect{
	engine.DuckDB: {
		days:      func(a, b string) string { return fmt.Sprintf("date_diff('second', %s, %s) // 86400", b, a) },
		floor:     func(x string) string { return "floor(" + x + ")" },
		idiv:      func(a, b string) string { return "(" + a + ") // (" + b + ")" },
		addDay:    func(x string) string { return x + " + INTERVAL 1 DAY" },
		timestamp: func(t time.Time) string { return "TIMESTAMP '" + t.UTC().Format("2006-01-02 15:04:05") + "'" },
		ts:        func(col string) string { return col },
		finite:    func(x string) string { return "coalesce(isfinite(CAST(" + x + " AS DOUBLE)), false)" },
	},
	engine.SQLite: {
		// Integer seconds, then integer division: exact, where julianday's
		// floating day fractions can land a hair under a whole day.
		days: func(a, b string) string {
			return fmt.Sprintf("(CAST(strftime('%%s', %s) AS INTEGER) - CAST(strftime('%%s', %s) AS INTEGER)) / 86400", a, b)
		},
		// floor() needs SQLite's math functions, absent from mattn's default
		// build; truncation equals floor for the non-negative values used.
		floor:     func(x string) string { return "CAST(" + x + " AS INTEGER)" },
		idiv:      func(a, b string) string { return "(" + a + ") / (" + b + ")" },
		addDay:    func(x string) string { return "datetime(" + x + ", '+1 day')" },
		timestamp: func(t time.Time) string { return "'" + t.UTC().Format("2006-01-02 15:04:05") + "'" },
		ts:        func(col string) string { return "datetime(" + col + ")" },
		// SQLite has no isfinite and stores NaN as NULL; 1e999 reads as +Inf.
		finite: func(x string) string { return "coalesce(abs(" + x + ") < 1e999, 0)" },
	},
}

// render executes an embedded SQL template for the database's dialect.
func render(kind engine.Kind, name string, data any) (string, error) {
	d, ok := dialects[kind]
	if !ok {
		return "", fmt.Errorf("no SQL dialect for engine %q", kind)
	}
	t, err := template.New(name).Funcs(template.FuncMap{
		"ident":  custsql.Ident,
		"days":   d.days,
		"floor":  d.floor,
		"idiv":   d.idiv,
		"addDay": d.addDay,
		"ts":     d.ts,
	}).Parse(custsql.File(name))
	if err != nil {
		return "", fmt.Errorf("sql/%s: %w", name, err)
	}
	var b bytes.Buffer
	if err := t.Execute(&b, data); err != nil {
		return "", fmt.Errorf("sql/%s: %w", name, err)
	}
	return b.String(), nil
}

// whereClause builds the cleaning filter.
func whereClause(kind engine.Kind, opts FeatureOptions) string {
	d := dialects[kind]
	conds := []string{"customer_id IS NOT NULL", "customer_id <> ''", "invoice_date IS NOT NULL"}
	if !opts.KeepCancellations {
		conds = append(conds, "invoice_no NOT LIKE 'C%'")
	}
	if !opts.KeepNonPositive {
		conds = append(conds, "quantity > 0", "unit_price > 0")
	}
	if !opts.AsOf.IsZero() {
		conds = append(conds, d.ts("invoice_date")+" < "+d.ts(d.timestamp(opts.AsOf)))
	}
	return strings.Join(conds, "\n      AND ")
}

// Features (re)writes table customer_features (or opts.Table) with SQL the
// engine runs, on a transaction of its own or h's. Nothing is committed
// when no customer is left or a customer's features are not finite.
func Features(ctx context.Context, h engine.Handle, opts FeatureOptions) (FeatureSummary, error) {
	start := time.Now()
	kind := h.Engine()
	var asOf string
	if !opts.AsOf.IsZero() {
		asOf = dialects[kind].timestamp(opts.AsOf)
	}
	table := opts.Table
	if table == "" {
		table = "customer_features"
	}
	if err := checkIdentifiers("features table", []string{table}); err != nil {
		return FeatureSummary{}, err
	}
	script, err := render(kind, "features.sql", map[string]string{
		"Where": whereClause(kind, opts),
		"AsOf":  asOf,
		"Table": custsql.Ident(table),
	})
	if err != nil {
		return FeatureSummary{}, err
	}
	var s FeatureSummary
	var asOfVal any
	err = engine.Atomically(ctx, h, func(tx *engine.Tx) error {
		if err := engine.ExecScript(ctx, tx, script); err != nil {
			return fmt.Errorf("features: %w", err)
		}
		row := tx.QueryRowContext(ctx, `SELECT count(*), coalesce(sum(frequency), 0), coalesce(sum(monetary), 0), max(as_of) FROM `+custsql.Ident(table))
		if err := row.Scan(&s.Customers, &s.Frequency, &s.Monetary, &asOfVal); err != nil {
			return fmt.Errorf("features: %w", err)
		}
		if s.Customers == 0 {
			return noCustomers(ctx, tx, opts)
		}
		return checkFinite(ctx, tx, table)
	})
	if err != nil {
		return FeatureSummary{}, err
	}
	s.AsOf = formatTime(asOfVal)
	s.Duration = time.Since(start)
	return s, nil
}

// noCustomers explains why no customer is left: an empty transactions
// table, an --as-of before every kept invoice, or cleaning that dropped
// every row.
func noCustomers(ctx context.Context, tx *engine.Tx, opts FeatureOptions) error {
	var all int64
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM transactions`).Scan(&all); err != nil {
		return fmt.Errorf("features: %w", err)
	}
	if all == 0 {
		return fmt.Errorf("features: %w: the transactions table is empty (load a CSV first)", ErrNoCustomers)
	}
	if !opts.AsOf.IsZero() {
		noAsOf := opts
		noAsOf.AsOf = time.Time{}
		var first any
		if err := tx.QueryRowContext(ctx, `SELECT min(invoice_date) FROM transactions WHERE `+whereClause(tx.Kind, noAsOf)).Scan(&first); err != nil {
			return fmt.Errorf("features: %w", err)
		}
		if first != nil {
			return fmt.Errorf("features: %w: no transaction falls before --as-of %s; the earliest kept invoice is %s",
				ErrNoCustomers, opts.AsOf.UTC().Format("2006-01-02 15:04:05"), formatTime(first))
		}
	}
	return fmt.Errorf("features: %w: cleaning dropped all %d transactions (no customer id, cancellations, quantity or unit price <= 0)", ErrNoCustomers, all)
}

// checkFinite fails, naming the customer by id, when a customer's
// recency, frequency or monetary value is not finite (amounts that
// overflow when summed, or rows written around the loader's checks):
// such a value would poison every model fitted on the table.
func checkFinite(ctx context.Context, tx *engine.Tx, table string) error {
	finite := dialects[tx.Kind].finite
	var conds []string
	for _, c := range DefaultFeatures {
		conds = append(conds, "NOT "+finite(c))
	}
	q := `SELECT customer_id, recency_days, frequency, monetary FROM ` + custsql.Ident(table) +
		` WHERE ` + strings.Join(conds, " OR ") + ` ORDER BY customer_id LIMIT 1`
	var id string
	var vals [3]sql.NullFloat64
	switch err := tx.QueryRowContext(ctx, q).Scan(&id, &vals[0], &vals[1], &vals[2]); {
	case errors.Is(err, sql.ErrNoRows):
		return nil
	case err != nil:
		return fmt.Errorf("features: checking for non-finite values: %w", err)
	}
	for i, v := range vals {
		// SQLite stores NaN as NULL.
		if !v.Valid || math.IsNaN(v.Float64) || math.IsInf(v.Float64, 0) {
			val := "NaN"
			if v.Valid && !math.IsNaN(v.Float64) {
				val = strconv.FormatFloat(v.Float64, 'g', -1, 64)
			}
			return fmt.Errorf("features: %w: %s of customer %q is %s (its amounts overflow; check its transactions' quantity and unit_price)", ErrNotFinite, DefaultFeatures[i], id, val)
		}
	}
	return fmt.Errorf("features: %w: customer %q", ErrNotFinite, id)
}

// formatTime renders a timestamp read from either engine.
func formatTime(v any) string {
	switch t := v.(type) {
	case time.Time:
		return t.UTC().Format("2006-01-02 15:04:05")
	case string:
		return t
	case []byte:
		return string(t)
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}
