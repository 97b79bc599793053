package registry_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/custseg/custseg/internal/engine"
	"github.com/custseg/custseg/internal/engine/enginetest"
	"github.com/custseg/custseg/internal/registry"
)

func TestVersionsActivateRollbackDelete(t *testing.T) {
	ctx := context.Background()
	for _, db := range enginetest.Both(t) {
		t.Run(string(db.Kind), func(t *testing.T) {
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
			if err := registry.Delete(ctx, db.DB, "rfm@3"); !errors.Is(err, registry.ErrActive) || !strings.Contains(err.Error(), "active") {
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
			if _, err := registry.Rollback(ctx, db.DB, "rfm"); !errors.Is(err, registry.ErrOldest) || !strings.Contains(err.Error(), "oldest") {
				t.Fatalf("rollback past the oldest: %v", err)
			}
		})
	}
}

// Names catalog.ValidModelName refuses are refused by Add before anything
// is stored: a quote (it would break SQL text), a non-ASCII letter, '@'.
func TestAddRefusesInvalidNames(t *testing.T) {
	ctx := context.Background()
	for _, db := range enginetest.Both(t) {
		t.Run(string(db.Kind), func(t *testing.T) {
			for _, name := range []string{"seg'x", "ség", "bad@name", "", "1st", "a b"} {
				_, err := registry.Add(ctx, db.DB, name, "rfm", `{"kind":"rfm"}`, "")
				if err == nil || !strings.HasPrefix(err.Error(), "registry: model name") {
					t.Errorf("Add(%q) = %v, want a registry: model name ... refusal", name, err)
				}
			}
			if all, err := registry.List(ctx, db.DB, ""); err != nil || len(all) != 0 {
				t.Errorf("stored after refusals: %+v, %v", all, err)
			}
			for _, ref := range []string{"rfm", "rfm@0"} {
				if _, err := registry.Activate(ctx, db.DB, ref); ref == "rfm" && !errors.Is(err, registry.ErrNoVersion) {
					t.Errorf("Activate(%q) = %v, want ErrNoVersion", ref, err)
				} else if err == nil || !strings.HasPrefix(err.Error(), "registry: ") {
					t.Errorf("Activate(%q) = %v, want a registry: error", ref, err)
				}
			}
			if err := registry.Delete(ctx, db.DB, "rfm"); !errors.Is(err, registry.ErrNoVersion) {
				t.Errorf("Delete(rfm) = %v, want ErrNoVersion", err)
			}
		})
	}
}

// Writers on separate handles of one SQLite file (as two custseg
// processes would be) each get their own version: the transaction that
// reads max(version) holds the write lock, so none waits in vain.
func TestAddConcurrentSQLite(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "c.db")
	const writers, each = 4, 5
	errs := make(chan error, writers*each)
	var dbs []*engine.DB
	for i := 0; i < writers; i++ {
		db, err := engine.Open(path, "")
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		dbs = append(dbs, db)
	}
	for _, db := range dbs {
		go func(db *engine.DB) {
			for j := 0; j < each; j++ {
				_, err := registry.Add(ctx, db.DB, "shared", "rfm", `{"kind":"rfm"}`, "")
				errs <- err
			}
		}(db)
	}
	for i := 0; i < writers*each; i++ {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	all, err := registry.List(ctx, dbs[0].DB, "shared")
	if err != nil {
		t.Fatal(err)
	}
	active := 0
	for i, v := range all {
		if v.Version != int64(i+1) {
			t.Errorf("versions %+v are not 1..%d", all, writers*each)
			break
		}
		if v.Active {
			active++
		}
	}
	if len(all) != writers*each || active != 1 {
		t.Errorf("%d versions, %d active; want %d, 1", len(all), active, writers*each)
	}
}

// On a transaction, registry changes commit or roll back with it: a
// caller can switch models and rewrite what follows them atomically.
func TestChangesFollowTheTransaction(t *testing.T) {
	ctx := context.Background()
	for _, db := range enginetest.Both(t) {
		t.Run(string(db.Kind), func(t *testing.T) {
			if _, err := registry.Add(ctx, db, "m", "rfm", `{"kind":"rfm","n":1}`, ""); err != nil {
				t.Fatal(err)
			}
			abort := errors.New("abort")
			err := engine.Atomically(ctx, db, func(tx *engine.Tx) error {
				v, err := registry.Add(ctx, tx, "m", "rfm", `{"kind":"rfm","n":2}`, "")
				if err != nil || v.Version != 2 {
					t.Fatalf("Add in a transaction: %+v, %v", v, err)
				}
				// The transaction sees its own change.
				if a, err := registry.Get(ctx, tx, "m"); err != nil || a.Version != 2 {
					t.Fatalf("inside: active %+v, %v", a, err)
				}
				if _, err := registry.Rollback(ctx, tx, "m"); err != nil {
					t.Fatal(err)
				}
				if err := registry.Delete(ctx, tx, "m@2"); err != nil {
					t.Fatal(err)
				}
				return abort
			})
			if !errors.Is(err, abort) {
				t.Fatalf("Atomically = %v, want the abort", err)
			}
			all, err := registry.List(ctx, db, "")
			if err != nil || len(all) != 1 || all[0].Version != 1 || !all[0].Active {
				t.Fatalf("after a rolled-back transaction: %+v, %v; want m@1 alone, active", all, err)
			}
			err = engine.Atomically(ctx, db, func(tx *engine.Tx) error {
				_, err := registry.Add(ctx, tx, "m", "rfm", `{"kind":"rfm","n":2}`, "")
				return err
			})
			if a, _ := registry.Get(ctx, db, "m"); err != nil || a.Version != 2 {
				t.Fatalf("after a committed transaction: active %+v, %v; want m@2", a, err)
			}
		})
	}
}
