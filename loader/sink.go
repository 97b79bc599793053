package loader

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"

	duckdb "github.com/duckdb/duckdb-go/v2"

	sqliteext "github.com/custseg/custseg/ext/sqlite"
)

// sink receives the rows and rejects of one file inside the load's transaction.
type sink interface {
	add(r *row, line int64) error
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

// add ignores line: the Appender reports failures at flush, for no row.
func (s *duckSink) add(r *row, _ int64) error {
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

// sqliteSink inserts batches of rows: each batch of sqliteBatch rows is
// packed and crosses into C in one call that binds and steps a one-row
// INSERT per row on the load's connection (inside its transaction). Binding through database/sql costs one cgo call per value,
// more than SQLite's own work (docs/PERFORMANCE.md, loading).
type sqliteSink struct {
	ctx     context.Context
	conn    *sql.Conn
	insert  string
	batch   *sqliteext.RowBatch
	lines   []int64 // source line of each row of batch
	rejects *sql.Stmt
}

func insertSQL(table string) string {
	return fmt.Sprintf("INSERT INTO %s (invoice_no, stock_code, description, quantity, invoice_date, unit_price, customer_id, country) VALUES (?,?,?,?,?,?,?,?)", table)
}

func newSQLiteSink(ctx context.Context, conn *sql.Conn, table string) (*sqliteSink, error) {
	rej, err := conn.PrepareContext(ctx, "INSERT INTO load_rejects (source, line, reason, raw) VALUES (?,?,?,?)")
	if err != nil {
		return nil, err
	}
	return &sqliteSink{ctx: ctx, conn: conn, insert: insertSQL(table), batch: sqliteext.NewRowBatch(8), rejects: rej}, nil
}

func (s *sqliteSink) add(r *row, line int64) error {
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
		switch x := x.(type) {
		case nil:
			s.batch.Null()
		case string:
			s.batch.Text(x)
		case int64:
			s.batch.Int(x)
		case float64:
			s.batch.Float(x)
		default:
			return fmt.Errorf("internal error: unexpected %T value for SQLite", x)
		}
	}
	s.batch.EndRow()
	s.lines = append(s.lines, line)
	if s.batch.Rows() == sqliteBatch {
		return s.flush()
	}
	return nil
}

// flush writes the packed rows on the load's connection, inside its
// transaction. A row SQLite refuses (a constraint, a full disk) is named
// by its source line, not by its place in the batch.
func (s *sqliteSink) flush() error {
	err := sqliteext.InsertBatch(s.ctx, s.conn, s.insert, s.batch)
	var re *sqliteext.RowError
	if errors.As(err, &re) && re.Row >= 1 && re.Row <= len(s.lines) {
		err = fmt.Errorf("line %d: %s", s.lines[re.Row-1], re.Cause)
	}
	s.batch.Reset()
	s.lines = s.lines[:0]
	return err
}

func (s *sqliteSink) reject(source string, line int64, reason, raw string) error {
	_, err := s.rejects.ExecContext(s.ctx, source, line, reason, raw)
	return err
}

func (s *sqliteSink) close() error {
	defer s.rejects.Close()
	return s.flush()
}
