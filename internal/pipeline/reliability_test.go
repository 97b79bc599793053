package pipeline_test

import (
	"context"
	"errors"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/custseg/custseg/internal/engine"
	"github.com/custseg/custseg/internal/engine/enginetest"
	"github.com/custseg/custseg/internal/pipeline"
	"github.com/custseg/custseg/internal/registry"
)

// snapshot is what a failed features run must leave as it was.
type snapshot struct {
	customers, models int
	monetary          float64
	rfmRows           int
}

func takeSnapshot(t *testing.T, db *engine.DB) snapshot {
	t.Helper()
	var s snapshot
	if err := db.QueryRow(`SELECT count(*), sum(monetary) FROM customer_features`).Scan(&s.customers, &s.monetary); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(`SELECT count(*) FROM custseg_models`).Scan(&s.models); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(`SELECT count(*) FROM customer_rfm`).Scan(&s.rfmRows); err != nil {
		t.Fatal(err)
	}
	return s
}

// A customer whose amounts overflow (transactions written by SQL, around
// the loader's checks) fails features naming the customer's id, not a row
// index, and nothing is committed: customer_features, customer_rfm and the
// registry stay as they were (issue #10 §7).
func TestFeaturesRefusesNonFinite(t *testing.T) {
	ctx := context.Background()
	withFeatures(t, func(t *testing.T, db *engine.DB) {
		if _, err := pipeline.PrepareFeatures(ctx, db, pipeline.PrepareOptions{}); err != nil {
			t.Fatal(err)
		}
		before := takeSnapshot(t, db)
		if _, err := db.Exec(`INSERT INTO transactions VALUES
			('X1', 'S', 'd', 5, '2011-06-01 10:00:00', 1e308, 'C07', 'UK'),
			('X2', 'S', 'd', -5, '2011-06-02 10:00:00', 1e308, 'C07', 'UK')`); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			opts pipeline.Cleaning
			want string
		}{
			{pipeline.Cleaning{}, `features: not a finite number: monetary of customer "C07" is +Inf`},
			// +Inf and -Inf sum to NaN (NULL on SQLite).
			{pipeline.Cleaning{KeepNonPositive: true}, `features: not a finite number: monetary of customer "C07" is NaN`},
		} {
			_, err := pipeline.PrepareFeatures(ctx, db, pipeline.PrepareOptions{Features: pipeline.FeatureOptions{Cleaning: c.opts}})
			if !errors.Is(err, pipeline.ErrNotFinite) || err == nil || !strings.HasPrefix(err.Error(), c.want) {
				t.Errorf("%+v: err = %v, want %q", c.opts, err, c.want)
			}
			if after := takeSnapshot(t, db); after != before {
				t.Errorf("%+v: a failed features run changed the database: %+v, was %+v", c.opts, after, before)
			}
		}
	})
}

// Why no customer is left: an empty transactions table, an --as-of before
// every invoice (with the earliest one), or cleaning (issue #10 §9).
func TestFeaturesExplainsNoCustomers(t *testing.T) {
	ctx := context.Background()
	for _, db := range enginetest.Both(t) {
		t.Run(string(db.Kind), func(t *testing.T) {
			asOf := time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC)
			_, err := pipeline.Features(ctx, db, pipeline.FeatureOptions{AsOf: asOf})
			if !errors.Is(err, pipeline.ErrNoCustomers) || !strings.Contains(err.Error(), "the transactions table is empty") {
				t.Errorf("empty table: %v", err)
			}
			fillTransactions(t, db)
			_, err = pipeline.Features(ctx, db, pipeline.FeatureOptions{AsOf: asOf})
			want := regexp.MustCompile(`^features: no customer left: no transaction falls before --as-of 0000-01-01 00:00:00; the earliest kept invoice is 2011-01-\d\d 10:00:00$`)
			if !errors.Is(err, pipeline.ErrNoCustomers) || !want.MatchString(err.Error()) {
				t.Errorf("--as-of before every invoice: %v, want %s", err, want)
			}
			if _, err := db.Exec(`UPDATE transactions SET invoice_no = 'C' || invoice_no`); err != nil {
				t.Fatal(err)
			}
			_, err = pipeline.Features(ctx, db, pipeline.FeatureOptions{})
			if !errors.Is(err, pipeline.ErrNoCustomers) || !strings.Contains(err.Error(), "cleaning dropped all 75 transactions") {
				t.Errorf("all cancelled: %v", err)
			}
			if ok, err := db.HasTable(ctx, "customer_features"); err != nil || ok {
				t.Errorf("customer_features committed after failures: %v, %v", ok, err)
			}
		})
	}
}

// Four writers on one SQLite file, each through its own engine.Open (as
// four custseg train processes would be), all succeed: every transaction
// begins IMMEDIATE and waits on the busy timeout (issue #10 §8). Each
// train stores its version and rewrites the prepared tables in one
// transaction, so the tables end on the active version.
func TestConcurrentTrainSQLite(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "c.db")
	db, err := engine.Open(path, "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	fillTransactions(t, db)
	if _, err := pipeline.PrepareFeatures(ctx, db, pipeline.PrepareOptions{}); err != nil {
		t.Fatal(err)
	}
	const writers, each = 4, 2
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for w := 0; w < writers; w++ {
		wdb, err := engine.Open(path, "")
		if err != nil {
			t.Fatal(err)
		}
		defer wdb.Close()
		wg.Add(1)
		go func(seed int64) {
			defer wg.Done()
			for j := 0; j < each; j++ {
				_, err := pipeline.TrainAndScore(ctx, wdb, pipeline.TrainOptions{Model: "seg", K: 2 + j, NInit: 1, Seed: seed}, pipeline.ScoreAlways)
				errs <- err
			}
		}(int64(w))
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	vs, err := registry.List(ctx, db, "seg")
	if err != nil || len(vs) != writers*each {
		t.Fatalf("%d versions (%v), want %d", len(vs), err, writers*each)
	}
	active, err := registry.Get(ctx, db, "seg")
	if err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"customer_segments", "segment_profiles"} {
		var lo, hi string
		if err := db.QueryRow(`SELECT min(model), max(model) FROM `+table).Scan(&lo, &hi); err != nil {
			t.Fatal(err)
		}
		if lo != active.Ref() || hi != active.Ref() {
			t.Errorf("%s scored with %s..%s; the active version is %s", table, lo, hi, active.Ref())
		}
	}
}
