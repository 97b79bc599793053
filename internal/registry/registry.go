// Package registry manages custseg_models, the versioned model registry that
// lives inside each database: every fit adds a version, exactly one version
// per name is active, and SQL functions resolve models by name from it.
package registry

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/custseg/custseg/internal/engine"
	"github.com/custseg/custseg/udf/catalog"
)

// Every function reads and writes through an engine.Queryer: a database
// (a change then commits on its own, in one transaction) or a transaction
// (engine.Tx, *sql.Tx: the change commits with whatever else the caller
// does in it, such as rewriting the prepared tables; engine.Atomically
// drops the functions' cached models when it ends).

// atomically runs fn on q in one transaction: a new one when q can begin
// one (engine.InTx), q itself when it is a transaction.
func atomically(ctx context.Context, q engine.Queryer, fn func(engine.Queryer) error) error {
	b, ok := q.(engine.Beginner)
	if !ok {
		return fn(q)
	}
	return engine.InTx(ctx, b, func(tx *sql.Tx) error { return fn(tx) })
}

// Version is one stored model version.
type Version struct {
	Name      string
	Version   int64
	Kind      string
	CreatedAt time.Time
	Spec      string
	Active    bool
	Note      string
}

// Ref renders name@version.
func (v Version) Ref() string { return fmt.Sprintf("%s@%d", v.Name, v.Version) }

// Add stores spec as the next version of name, makes it the active one, and
// returns it, in one transaction. A name catalog.ValidModelName
// refuses is refused before anything is stored.
func Add(ctx context.Context, q engine.Queryer, name, kind, spec, note string) (Version, error) {
	if err := catalog.ValidModelName(name); err != nil {
		return Version{}, fmt.Errorf("registry: %w", err)
	}
	v := Version{Name: name, Kind: kind, CreatedAt: time.Now().UTC().Truncate(time.Second), Spec: spec, Active: true, Note: note}
	err := atomically(ctx, q, func(tx engine.Queryer) error {
		// The write comes first, so that on SQLite the transaction holds
		// the write lock before it reads max(version): two writers then
		// queue on the busy timeout instead of both reading the same max
		// (engine.Open also makes every SQLite transaction BEGIN IMMEDIATE).
		if _, err := tx.ExecContext(ctx, `UPDATE custseg_models SET active = false WHERE name = ? AND active`, name); err != nil {
			return fmt.Errorf("registry: %w", err)
		}
		var last sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT max(version) FROM custseg_models WHERE name = ?`, name).Scan(&last); err != nil {
			return fmt.Errorf("registry: %w", err)
		}
		v.Version = last.Int64 + 1
		if _, err := tx.ExecContext(ctx, `INSERT INTO custseg_models (name, version, kind, created_at, spec, active, note) VALUES (?, ?, ?, ?, ?, true, ?)`,
			v.Name, v.Version, v.Kind, v.CreatedAt.Format("2006-01-02 15:04:05"), v.Spec, v.Note); err != nil {
			return fmt.Errorf("registry: %w", err)
		}
		return nil
	})
	if err != nil {
		return Version{}, err
	}
	catalog.Invalidate()
	return v, nil
}

const selectCols = `SELECT name, version, kind, created_at, spec, active, coalesce(note, '') FROM custseg_models`

func scanVersions(rows *sql.Rows) ([]Version, error) {
	defer rows.Close()
	var out []Version
	for rows.Next() {
		var v Version
		var created any
		var active any
		if err := rows.Scan(&v.Name, &v.Version, &v.Kind, &created, &v.Spec, &active, &v.Note); err != nil {
			return nil, fmt.Errorf("registry: %w", err)
		}
		v.CreatedAt = parseTime(created)
		v.Active = truthy(active)
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("registry: %w", err)
	}
	return out, nil
}

func truthy(v any) bool {
	switch b := v.(type) {
	case bool:
		return b
	case int64:
		return b != 0
	case []byte:
		return string(b) == "1" || strings.EqualFold(string(b), "true")
	case string:
		return b == "1" || strings.EqualFold(b, "true")
	}
	return false
}

func parseTime(v any) time.Time {
	switch t := v.(type) {
	case time.Time:
		return t.UTC()
	case string:
		for _, layout := range []string{"2006-01-02 15:04:05", time.RFC3339Nano, "2006-01-02 15:04:05.999999999-07:00"} {
			if p, err := time.Parse(layout, t); err == nil {
				return p.UTC()
			}
		}
	case []byte:
		return parseTime(string(t))
	}
	return time.Time{}
}

// List returns every version of every model (or of name, if not empty),
// ordered by name then version.
func List(ctx context.Context, q engine.Queryer, name string) ([]Version, error) {
	rows, err := q.QueryContext(ctx, selectCols+` WHERE (? = '' OR name = ?) ORDER BY name, version`, name, name)
	if err != nil {
		return nil, fmt.Errorf("registry: %w", err)
	}
	return scanVersions(rows)
}

// Get resolves a reference "name" (the active version) or "name@V".
func Get(ctx context.Context, q engine.Queryer, ref string) (Version, error) {
	name, version, err := catalog.ParseModelRef(ref)
	if err != nil {
		return Version{}, fmt.Errorf("registry: %w", err)
	}
	rows, err := q.QueryContext(ctx, selectCols+` WHERE name = ? AND ((? = 0 AND active) OR version = ?) ORDER BY version DESC LIMIT 1`, name, version, version)
	if err != nil {
		return Version{}, fmt.Errorf("registry: %w", err)
	}
	vs, err := scanVersions(rows)
	if err != nil {
		return Version{}, err
	}
	if len(vs) == 0 {
		if version == 0 {
			return Version{}, fmt.Errorf("registry: %w %q (custseg models list shows the trained ones)", ErrNotFound, name)
		}
		return Version{}, fmt.Errorf("registry: %w: %s has no version %d", ErrNotFound, name, version)
	}
	return vs[0], nil
}

// Activate makes name@version the active version.
func Activate(ctx context.Context, q engine.Queryer, ref string) (Version, error) {
	name, version, err := catalog.ParseModelRef(ref)
	if err != nil {
		return Version{}, fmt.Errorf("registry: %w", err)
	}
	if version == 0 {
		return Version{}, fmt.Errorf("registry: %w: activate needs name@version, got %q", ErrNoVersion, ref)
	}
	var v Version
	err = atomically(ctx, q, func(tx engine.Queryer) error {
		if v, err = Get(ctx, tx, ref); err != nil {
			return err
		}
		return setActive(ctx, tx, name, version)
	})
	if err != nil {
		return Version{}, err
	}
	v.Active = true
	return v, nil
}

// setActive makes version the only active one of name; tx is a
// transaction (see atomically).
func setActive(ctx context.Context, tx engine.Queryer, name string, version int64) error {
	if _, err := tx.ExecContext(ctx, `UPDATE custseg_models SET active = false WHERE name = ? AND active`, name); err != nil {
		return fmt.Errorf("registry: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE custseg_models SET active = true WHERE name = ? AND version = ?`, name, version); err != nil {
		return fmt.Errorf("registry: %w", err)
	}
	catalog.Invalidate()
	return nil
}

// Rollback activates the newest version older than the active one and
// returns it.
func Rollback(ctx context.Context, q engine.Queryer, name string) (Version, error) {
	var prev *Version
	err := atomically(ctx, q, func(tx engine.Queryer) error {
		cur, err := Get(ctx, tx, name)
		if err != nil {
			return err
		}
		vs, err := List(ctx, tx, name)
		if err != nil {
			return err
		}
		for i := range vs {
			if vs[i].Version < cur.Version {
				prev = &vs[i]
			}
		}
		if prev == nil {
			return fmt.Errorf("registry: cannot roll back %s: %w (version %d)", name, ErrOldest, cur.Version)
		}
		return setActive(ctx, tx, name, prev.Version)
	})
	if err != nil {
		return Version{}, err
	}
	prev.Active = true
	return *prev, nil
}

// Delete removes name@version. The active version cannot be deleted: activate
// or roll back to another one first.
func Delete(ctx context.Context, q engine.Queryer, ref string) error {
	name, version, err := catalog.ParseModelRef(ref)
	if err != nil {
		return fmt.Errorf("registry: %w", err)
	}
	if version == 0 {
		return fmt.Errorf("registry: %w: delete needs name@version, got %q", ErrNoVersion, ref)
	}
	return atomically(ctx, q, func(tx engine.Queryer) error {
		v, err := Get(ctx, tx, ref)
		if err != nil {
			return err
		}
		if v.Active {
			return fmt.Errorf("registry: %s %w of %s: activate or roll back to another version first", ref, ErrActive, name)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM custseg_models WHERE name = ? AND version = ?`, name, version); err != nil {
			return fmt.Errorf("registry: %w", err)
		}
		catalog.Invalidate()
		return nil
	})
}

// UpdateSpec replaces the spec of an existing version in place. It is for
// edits that do not change what the model computes (segment names).
func UpdateSpec(ctx context.Context, q engine.Queryer, v Version, spec string) error {
	res, err := q.ExecContext(ctx, `UPDATE custseg_models SET spec = ? WHERE name = ? AND version = ?`, spec, v.Name, v.Version)
	if err != nil {
		return fmt.Errorf("registry: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("registry: %w: %s", ErrNotFound, v.Ref())
	}
	catalog.Invalidate()
	return nil
}
