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

	"github.com/custseg/custseg/udf/catalog"
)

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
// returns it. It runs in one transaction. A name catalog.ValidModelName
// refuses is refused before anything is stored.
func Add(ctx context.Context, db *sql.DB, name, kind, spec, note string) (Version, error) {
	if err := catalog.ValidModelName(name); err != nil {
		return Version{}, fmt.Errorf("registry: %w", err)
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return Version{}, fmt.Errorf("registry: %w", err)
	}
	defer tx.Rollback()
	// The write comes first, so that on SQLite the transaction holds the
	// write lock before it reads max(version): two writers then queue on
	// the busy timeout instead of both reading the same max (engine.Open
	// also makes every SQLite transaction BEGIN IMMEDIATE).
	if _, err := tx.ExecContext(ctx, `UPDATE custseg_models SET active = false WHERE name = ? AND active`, name); err != nil {
		return Version{}, fmt.Errorf("registry: %w", err)
	}
	var last sql.NullInt64
	if err := tx.QueryRowContext(ctx, `SELECT max(version) FROM custseg_models WHERE name = ?`, name).Scan(&last); err != nil {
		return Version{}, fmt.Errorf("registry: %w", err)
	}
	v := Version{Name: name, Version: last.Int64 + 1, Kind: kind, CreatedAt: time.Now().UTC().Truncate(time.Second), Spec: spec, Active: true, Note: note}
	if _, err := tx.ExecContext(ctx, `INSERT INTO custseg_models (name, version, kind, created_at, spec, active, note) VALUES (?, ?, ?, ?, ?, true, ?)`,
		v.Name, v.Version, v.Kind, v.CreatedAt.Format("2006-01-02 15:04:05"), v.Spec, v.Note); err != nil {
		return Version{}, fmt.Errorf("registry: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return Version{}, fmt.Errorf("registry: %w", err)
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
func List(ctx context.Context, db *sql.DB, name string) ([]Version, error) {
	q := selectCols + ` WHERE (? = '' OR name = ?) ORDER BY name, version`
	rows, err := db.QueryContext(ctx, q, name, name)
	if err != nil {
		return nil, fmt.Errorf("registry: %w", err)
	}
	return scanVersions(rows)
}

// Get resolves a reference "name" (the active version) or "name@V".
func Get(ctx context.Context, db *sql.DB, ref string) (Version, error) {
	name, version, err := catalog.ParseModelRef(ref)
	if err != nil {
		return Version{}, fmt.Errorf("registry: %w", err)
	}
	rows, err := db.QueryContext(ctx, selectCols+` WHERE name = ? AND ((? = 0 AND active) OR version = ?) ORDER BY version DESC LIMIT 1`, name, version, version)
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
func Activate(ctx context.Context, db *sql.DB, ref string) (Version, error) {
	name, version, err := catalog.ParseModelRef(ref)
	if err != nil {
		return Version{}, fmt.Errorf("registry: %w", err)
	}
	if version == 0 {
		return Version{}, fmt.Errorf("registry: %w: activate needs name@version, got %q", ErrNoVersion, ref)
	}
	v, err := Get(ctx, db, ref)
	if err != nil {
		return Version{}, err
	}
	if err := setActive(ctx, db, name, version); err != nil {
		return Version{}, err
	}
	v.Active = true
	return v, nil
}

func setActive(ctx context.Context, db *sql.DB, name string, version int64) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("registry: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `UPDATE custseg_models SET active = false WHERE name = ? AND active`, name); err != nil {
		return fmt.Errorf("registry: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE custseg_models SET active = true WHERE name = ? AND version = ?`, name, version); err != nil {
		return fmt.Errorf("registry: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("registry: %w", err)
	}
	catalog.Invalidate()
	return nil
}

// Rollback activates the newest version older than the active one and
// returns it.
func Rollback(ctx context.Context, db *sql.DB, name string) (Version, error) {
	cur, err := Get(ctx, db, name)
	if err != nil {
		return Version{}, err
	}
	vs, err := List(ctx, db, name)
	if err != nil {
		return Version{}, err
	}
	var prev *Version
	for i := range vs {
		if vs[i].Version < cur.Version {
			prev = &vs[i]
		}
	}
	if prev == nil {
		return Version{}, fmt.Errorf("registry: cannot roll back %s: %w (version %d)", name, ErrOldest, cur.Version)
	}
	if err := setActive(ctx, db, name, prev.Version); err != nil {
		return Version{}, err
	}
	prev.Active = true
	return *prev, nil
}

// Delete removes name@version. The active version cannot be deleted: activate
// or roll back to another one first.
func Delete(ctx context.Context, db *sql.DB, ref string) error {
	name, version, err := catalog.ParseModelRef(ref)
	if err != nil {
		return fmt.Errorf("registry: %w", err)
	}
	if version == 0 {
		return fmt.Errorf("registry: %w: delete needs name@version, got %q", ErrNoVersion, ref)
	}
	v, err := Get(ctx, db, ref)
	if err != nil {
		return err
	}
	if v.Active {
		return fmt.Errorf("registry: %s %w of %s: activate or roll back to another version first", ref, ErrActive, name)
	}
	if _, err := db.ExecContext(ctx, `DELETE FROM custseg_models WHERE name = ? AND version = ?`, name, version); err != nil {
		return fmt.Errorf("registry: %w", err)
	}
	catalog.Invalidate()
	return nil
}

// UpdateSpec replaces the spec of an existing version in place. It is for
// edits that do not change what the model computes (segment names).
func UpdateSpec(ctx context.Context, db *sql.DB, v Version, spec string) error {
	res, err := db.ExecContext(ctx, `UPDATE custseg_models SET spec = ? WHERE name = ? AND version = ?`, spec, v.Name, v.Version)
	if err != nil {
		return fmt.Errorf("registry: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("registry: %w: %s", ErrNotFound, v.Ref())
	}
	catalog.Invalidate()
	return nil
}
