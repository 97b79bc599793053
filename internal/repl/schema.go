package repl

import (
	"context"
	"strings"
)

// catalogue finds how the database describes itself: DuckDB (and most SQL
// databases) have information_schema, SQLite has sqlite_master.
func (s *session) catalogue(ctx context.Context) string {
	if s.dialect == "" {
		s.dialect = "sqlite"
		rows, err := s.conn.QueryContext(ctx, "SELECT 1 FROM information_schema.tables LIMIT 1")
		if err == nil {
			rows.Close()
			s.dialect = "information_schema"
		}
	}
	return s.dialect
}

// tables lists the user's tables and views, schema-qualified outside the
// default schema.
func (s *session) tables(ctx context.Context) ([]string, error) {
	q := `SELECT name FROM sqlite_master WHERE type IN ('table', 'view')
	      AND name NOT LIKE 'sqlite\_%' ESCAPE '\' ORDER BY name`
	if s.catalogue(ctx) == "information_schema" {
		q = `SELECT CASE WHEN table_schema IN ('main', 'public') THEN table_name
	                ELSE table_schema || '.' || table_name END AS name
	         FROM information_schema.tables
	         WHERE table_schema NOT IN ('information_schema', 'pg_catalog')
	         ORDER BY table_schema <> 'main', name`
	}
	return s.strings(ctx, q)
}

// schema returns the CREATE statements of every table and view, or of the
// one named table (case-insensitive). SQLite keeps the original text;
// elsewhere the statement is rebuilt from information_schema.columns.
func (s *session) schema(ctx context.Context, table string) ([]string, error) {
	if s.catalogue(ctx) == "sqlite" {
		return s.strings(ctx, `SELECT sql FROM sqlite_master
		    WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite\_%' ESCAPE '\'
		      AND (? = '' OR lower(tbl_name) = lower(?))
		    ORDER BY tbl_name, type DESC, name`, table, table)
	}
	rows, err := s.conn.QueryContext(ctx, `
	    SELECT t.table_schema, t.table_name, t.table_type, c.column_name, c.data_type, c.is_nullable
	    FROM information_schema.tables t
	    JOIN information_schema.columns c
	      ON c.table_catalog = t.table_catalog AND c.table_schema = t.table_schema AND c.table_name = t.table_name
	    WHERE t.table_schema NOT IN ('information_schema', 'pg_catalog')
	      AND (? = '' OR lower(t.table_name) = lower(?))
	    ORDER BY t.table_schema <> 'main', t.table_schema, t.table_name, c.ordinal_position`, table, table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	type object struct {
		schema, name string
		view         bool
		cols         []string
	}
	var objs []*object
	for rows.Next() {
		var schema, name, kind, col, typ, nullable string
		if err := rows.Scan(&schema, &name, &kind, &col, &typ, &nullable); err != nil {
			return nil, err
		}
		if len(objs) == 0 || objs[len(objs)-1].schema != schema || objs[len(objs)-1].name != name {
			objs = append(objs, &object{schema: schema, name: name, view: strings.Contains(strings.ToUpper(kind), "VIEW")})
		}
		c := col + " " + typ
		if nullable == "NO" {
			c += " NOT NULL"
		}
		o := objs[len(objs)-1]
		o.cols = append(o.cols, c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	var out []string
	for _, o := range objs {
		full := o.name
		if o.schema != "main" && o.schema != "public" {
			full = o.schema + "." + o.name
		}
		if o.view {
			def, err := s.strings(ctx, `SELECT view_definition FROM information_schema.views
			    WHERE table_schema = ? AND table_name = ?`, o.schema, o.name)
			if err == nil && len(def) == 1 && def[0] != "" {
				out = append(out, strings.TrimRight(strings.TrimSpace(def[0]), ";"))
				continue
			}
			// No definition to show: the columns, as a comment.
			out = append(out, "-- VIEW "+full+" ("+strings.Join(o.cols, ", ")+")\n")
			continue
		}
		out = append(out, "CREATE TABLE "+full+" (\n    "+strings.Join(o.cols, ",\n    ")+"\n)")
	}
	return out, nil
}

// strings runs a one-column query.
func (s *session) strings(ctx context.Context, q string, args ...any) ([]string, error) {
	rows, err := s.conn.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
