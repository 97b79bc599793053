package registry_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/custseg/custseg/internal/engine"
	"github.com/custseg/custseg/internal/registry"
)

// openBoth opens a fresh database of each engine.
func openBoth(t *testing.T) map[string]*engine.DB {
	t.Helper()
	out := map[string]*engine.DB{}
	for _, file := range []string{"r.duckdb", "r.db"} {
		db, err := engine.Open(filepath.Join(t.TempDir(), file), "")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		out[string(db.Kind)] = db
	}
	return out
}

func TestVersionsActivateRollbackDelete(t *testing.T) {
	ctx := context.Background()
	for kind, db := range openBoth(t) {
		t.Run(kind, func(t *testing.T) {
			for i, spec := range []string{`{"kind":"rfm","n":1}`, `{"kind":"rfm","n":2}`, `{"kind":"rfm","n":3}`} {
				v, err := registry.Add(ctx, db.DB, "rfm", "rfm", spec, "")
				if err != nil {
					t.Fatal(err)
				}
				if v.Version != int64(i+1) || !v.Active {
					t.Fatalf("Add #%d gave version %d active=%v", i+1, v.Version, v.Active)
				}
			}
			active, err := registry.Get(ctx, db.DB, "rfm")
			if err != nil || active.Version != 3 || active.Spec != `{"kind":"rfm","n":3}` {
				t.Fatalf("active = %+v, %v; want version 3", active, err)
			}
			prev, err := registry.Rollback(ctx, db.DB, "rfm")
			if err != nil || prev.Version != 2 {
				t.Fatalf("rollback = %+v, %v; want version 2", prev, err)
			}
			if a, _ := registry.Get(ctx, db.DB, "rfm"); a.Version != 2 {
				t.Fatalf("after rollback active is %d, want 2", a.Version)
			}
			if _, err := registry.Activate(ctx, db.DB, "rfm@3"); err != nil {
				t.Fatal(err)
			}
			if err := registry.Delete(ctx, db.DB, "rfm@3"); err == nil || !strings.Contains(err.Error(), "active") {
				t.Fatalf("deleting the active version: err = %v, want a refusal", err)
			}
			if err := registry.Delete(ctx, db.DB, "rfm@1"); err != nil {
				t.Fatal(err)
			}
			all, _ := registry.List(ctx, db.DB, "")
			if len(all) != 2 || all[0].Version != 2 || all[1].Version != 3 || all[0].Active || !all[1].Active {
				t.Fatalf("after delete: %+v", all)
			}
			// The next version never reuses a deleted number below the max.
			if v, _ := registry.Add(ctx, db.DB, "rfm", "rfm", `{"kind":"rfm"}`, ""); v.Version != 4 {
				t.Fatalf("next version %d, want 4", v.Version)
			}
			if _, err := registry.Get(ctx, db.DB, "nope"); !errors.Is(err, registry.ErrNotFound) {
				t.Fatalf("unknown model: %v", err)
			}
			if _, err := registry.Get(ctx, db.DB, "rfm@99"); !errors.Is(err, registry.ErrNotFound) {
				t.Fatalf("unknown version: %v", err)
			}
			if _, err := registry.Rollback(ctx, db.DB, "nope"); err == nil {
				t.Fatal("rollback of an unknown model succeeded")
			}
			if _, err := registry.Add(ctx, db.DB, "bad@name", "rfm", "{}", ""); err == nil {
				t.Fatal("a name with @ was accepted")
			}
			// Rolling back past the oldest is a clear error.
			registry.Activate(ctx, db.DB, "rfm@2")
			if _, err := registry.Rollback(ctx, db.DB, "rfm"); err == nil || !strings.Contains(err.Error(), "oldest") {
				t.Fatalf("rollback past the oldest: %v", err)
			}
		})
	}
}
