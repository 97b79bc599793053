package loader

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"strings"

	duckdb "github.com/duckdb/duckdb-go/v2"
)

// sink receives the rows and rejects of one file inside the load's transaction.
type sink interface {
	add(r *row) error
	reject(source string, line int64, reason, raw string) error
	close() error
}

const timestampText = "2006-01-02 15:04:05"

// duckSink appends through DuckDB's Appender, which writes into the
// connection's open transaction.
type duckSink struct {
	rows, rejects *duckdb.Appender
	vals          []driver.Value
}

func newDuckSink(dc driver.Conn, table string) (*duckSink, error) {
	rows, err := duckdb.NewAppenderFromConn(dc, "", table)
	if err != nil {
		return nil, err
	}
	rejects, err := duckdb.NewAppenderFromConn(dc, "", "load_rejects")
	if err != nil {
		rows.Close()
		return nil, err
	}
	return &duckSink{rows: rows, rejects: rejects, vals: make([]driver.Value, 8)}, nil
}

func (s *duckSink) add(r *row) error {
	v := s.vals
	textValues(r, v)
	v[3] = nil
	if r.qtyOK {
		v[3] = r.qty
	}
	v[4] = nil
	if r.dateOK {
		v[4] = r.date
	}
	v[5] = nil
	if r.prOK {
		v[5] = r.price
	}
	return s.rows.AppendRow(v...)
}

func (s *duckSink) reject(source string, line int64, reason, raw string) error {
	return s.rejects.AppendRow(source, line, reason, raw)
}

func (s *duckSink) close() error {
	err1 := s.rows.Close()
	err2 := s.rejects.Close()
	if err1 != nil {
		return err1
	}
	return err2
}

// textValues puts the text columns of r in table order into v.
func textValues(r *row, v []driver.Value) {
	for i, t := range [...]int{colInvoiceNo, colStockCode, colDescription, -1, -1, -1, colCustomerID, colCountry} {
		if t < 0 {
			continue
		}
		if r.textOK[t] {
			v[i] = r.text[t]
		} else {
			v[i] = nil
		}
	}
}

// sqliteBatch is the number of rows per multi-row INSERT: 8 parameters a
// row stays far below SQLite's 32,766-parameter limit.
const sqliteBatch = 500

// sqliteSink inserts batches of rows with a prepared multi-row INSERT.
type sqliteSink struct {
	ctx     context.Context
	conn    *sql.Conn
	table   string
	full    *sql.Stmt
	args    []any
	n       int
	rejects *sql.Stmt
}

func insertSQL(table string, rows int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "INSERT INTO %s (invoice_no, stock_code, description, quantity, invoice_date, unit_price, customer_id, country) VALUES ", table)
	for i := 0; i < rows; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("(?,?,?,?,?,?,?,?)")
	}
	return b.String()
}

func newSQLiteSink(ctx context.Context, conn *sql.Conn, table string) (*sqliteSink, error) {
	full, err := conn.PrepareContext(ctx, insertSQL(table, sqliteBatch))
	if err != nil {
		return nil, err
	}
	rej, err := conn.PrepareContext(ctx, "INSERT INTO load_rejects (source, line, reason, raw) VALUES (?,?,?,?)")
	if err != nil {
		full.Close()
		return nil, err
	}
	return &sqliteSink{ctx: ctx, conn: conn, table: table, full: full, rejects: rej, args: make([]any, 0, 8*sqliteBatch)}, nil
}

func (s *sqliteSink) add(r *row) error {
	var v [8]driver.Value
	textValues(r, v[:])
	if r.qtyOK {
		v[3] = r.qty
	}
	if r.dateOK {
		v[4] = r.date.Format(timestampText)
	}
	if r.prOK {
		v[5] = r.price
	}
	for _, x := range v {
		s.args = append(s.args, x)
	}
	s.n++
	if s.n == sqliteBatch {
		if _, err := s.full.ExecContext(s.ctx, s.args...); err != nil {
			return err
		}
		s.args, s.n = s.args[:0], 0
	}
	return nil
}

func (s *sqliteSink) reject(source string, line int64, reason, raw string) error {
	_, err := s.rejects.ExecContext(s.ctx, source, line, reason, raw)
	return err
}

func (s *sqliteSink) close() error {
	defer s.full.Close()
	defer s.rejects.Close()
	if s.n > 0 {
		if _, err := s.conn.ExecContext(s.ctx, insertSQL(s.table, s.n), s.args...); err != nil {
			return err
		}
		s.args, s.n = s.args[:0], 0
	}
	return nil
}
