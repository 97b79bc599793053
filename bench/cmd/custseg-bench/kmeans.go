package main

import (
	"context"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"time"

	"github.com/custseg/custseg/internal/engine"
	"github.com/custseg/custseg/internal/pipeline"
	"github.com/custseg/custseg/udf/cluster"
	"github.com/custseg/custseg/udf/kmeans"
)

func runKMeans(e *env, args []string) error {
	fs := flag.NewFlagSet("kmeans", flag.ContinueOnError)
	n := fs.Int("n", 1000000, "number of 3-D points (8 Gaussian blobs, seed 42)")
	k := fs.Int("k", 8, "clusters")
	nInit := fs.Int("n-init", 10, "restarts on both sides")
	runs := fs.Int("runs", 3, "runs per side (median reported); run r uses seed r on both sides")
	slack := fs.Float64("slack", 1e-3, "custseg inertia may exceed sklearn's by this fraction")
	if err := fs.Parse(args); err != nil {
		return err
	}
	bin, x, _, err := e.pointsFile(eightBlobs, *n)
	if err != nil {
		return err
	}
	dbPath := fmt.Sprintf("%s/kmeans-%d.duckdb", e.work, *n)
	if !fileExists(dbPath) {
		// Outside the timing: the points become table points(x, y, z).
		csv := fmt.Sprintf("%s/blobs8-%d.csv", e.work, *n)
		if err := writeCSV(csv, "x,y,z", *n, func(i int, b []byte) []byte { return appendFloats(b, x[3*i:3*i+3]...) }); err != nil {
			return err
		}
		db, err := openDuck(dbPath + ".tmp")
		if err != nil {
			return err
		}
		err = execScript(db, `CREATE TABLE points AS SELECT * FROM read_csv('`+csv+`', header = true, columns = {'x': 'DOUBLE', 'y': 'DOUBLE', 'z': 'DOUBLE'})`)
		db.Close()
		os.Remove(csv)
		if err != nil {
			return err
		}
		if err := os.Rename(dbPath+".tmp", dbPath); err != nil {
			return err
		}
	}
	fmt.Fprintf(e.out, "kmeans: %d × 3 points in 8 blobs, k = %d, n_init = %d\n"+
		"  custseg: the whole `custseg train --from points` process (start-up, schema, reading %d rows from %s, fit, metrics, storing the model)\n"+
		"  sklearn: KMeans.fit only (reading %s excluded)\n", *n, *k, *nInit, *n, dbPath, bin)

	var times []time.Duration
	var inertias []float64
	for r := 0; r < *runs; r++ {
		pr, err := timeProc(nil, e.custseg, "train", "--db", dbPath, "--model", "bench_kmeans", "--from", "points",
			"--features", "x,y,z", "--k", strconv.Itoa(*k), "--n-init", strconv.Itoa(*nInit), "--seed", strconv.Itoa(r),
			"--transform", "none", "--scale", "none", "--no-score")
		if err != nil {
			return err
		}
		m, err := latestModel(dbPath, "bench_kmeans")
		if err != nil {
			return err
		}
		times = append(times, pr.wall)
		inertias = append(inertias, m.Metrics["inertia"])
		fmt.Fprintf(e.out, "  custseg run %d: %s, inertia %.6f, max RSS %d MiB\n", r, secs(pr.wall), m.Metrics["inertia"], pr.maxRSS>>10)
	}
	// Where custseg's time goes: reading the rows alone, in process.
	if edb, err := engine.Open(dbPath, ""); err == nil {
		t0 := time.Now()
		_, rowsRead, err := pipeline.ReadRows(context.Background(), edb, "points", []string{"x", "y", "z"})
		edb.Close()
		if err != nil {
			return err
		}
		fmt.Fprintf(e.out, "  of which reading the %d rows (pipeline.ReadRows through database/sql): %s\n", rowsRead, secs(time.Since(t0)))
	}
	fmt.Fprintf(e.out, "running scikit-learn KMeans %d time(s) ...\n", *runs)
	p, err := e.runPython("kmeans.py", bin, strconv.Itoa(*k), strconv.Itoa(*nInit), strconv.Itoa(*runs))
	if err != nil {
		return err
	}
	fmt.Fprintf(e.out, "  sklearn inertia %v, n_iter %v\n", p.Inertia, p.NIter)
	worst := slices.Max(inertias)
	best := slices.Min(p.Inertia)
	rel := worst/best - 1
	printTable(e.out, "sklearn "+p.Sklearn, []row{{
		target: fmt.Sprintf("k-means n=%d k=%d n_init=%d", *n, *k, *nInit),
		peer:   median(toDurations(p.Seconds)), peerRuns: toDurations(p.Seconds),
		custseg: median(times), custsegRuns: times,
		agree: fmt.Sprintf("custseg worst inertia %.6f vs sklearn best %.6f: relative %+.1e (limit %+.0e)", worst, best, rel, *slack),
		ok:    rel <= *slack,
	}})
	return nil
}

// customerProfile shapes the synthetic customers of autok (the behaviour
// types of custseg's gen package, drawn directly as RFM features).
type customerProfile struct {
	weight           float64
	recLo, recHi     int // recency_days range
	freqLo, freqHi   int
	basket, basketSD float64 // log-normal spend per invoice: median, log-sd
}

var customerProfiles = []customerProfile{
	{8, 0, 15, 15, 50, 350, 0.5},    // champion
	{14, 0, 60, 6, 20, 300, 0.5},    // loyal
	{20, 20, 120, 2, 6, 250, 0.6},   // regular
	{10, 0, 45, 1, 2, 200, 0.6},     // new
	{14, 120, 250, 4, 12, 280, 0.6}, // at risk
	{25, 220, 370, 1, 3, 180, 0.7},  // lost
	{4, 0, 370, 1, 1, 2500, 0.8},    // big one-off
	{3, 0, 40, 10, 30, 3000, 0.6},   // wholesale
}

// customers draws n synthetic customers: recency_days, frequency, monetary.
func customers(n int, seed uint64) []float64 {
	var total float64
	for _, p := range customerProfiles {
		total += p.weight
	}
	rng := rand.New(rand.NewPCG(seed, 0xc057))
	rows := make([]float64, 0, 3*n)
	for i := 0; i < n; i++ {
		u := rng.Float64() * total
		p := customerProfiles[len(customerProfiles)-1]
		for _, q := range customerProfiles {
			if u < q.weight {
				p = q
				break
			}
			u -= q.weight
		}
		rec := p.recLo + rng.IntN(p.recHi-p.recLo+1)
		freq := p.freqLo + rng.IntN(p.freqHi-p.freqLo+1)
		mon := float64(freq) * p.basket * math.Exp(p.basketSD*rng.NormFloat64())
		rows = append(rows, float64(rec), float64(freq), math.Round(mon*100)/100)
	}
	return rows
}

func runAutoK(e *env, args []string) error {
	fs := flag.NewFlagSet("autok", flag.ContinueOnError)
	n := fs.Int("customers", 1000000, "synthetic customers")
	kmin := fs.Int("k-min", 2, "smallest k")
	kmax := fs.Int("k-max", 10, "largest k")
	seeds := fs.Int("sample-seeds", 5, "sample seeds for the silhouette error bars")
	refSample := fs.Int("ref-sample", 100000, "a larger sample giving a closer estimate of the full silhouette (0: skip)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	rows := customers(*n, 7)
	dbPath := fmt.Sprintf("%s/autok-%d.duckdb", e.work, *n)
	if !fileExists(dbPath) {
		csv := fmt.Sprintf("%s/customers-%d.csv", e.work, *n)
		if err := writeCSV(csv, "customer_id,recency_days,frequency,monetary", *n, func(i int, b []byte) []byte {
			b = strconv.AppendInt(b, int64(i+1), 10)
			b = append(b, ',')
			return appendFloats(b, rows[3*i:3*i+3]...)
		}); err != nil {
			return err
		}
		db, err := openDuck(dbPath + ".tmp")
		if err != nil {
			return err
		}
		err = execScript(db, `CREATE TABLE bench_customers AS SELECT * FROM read_csv('`+csv+`', header = true,
			columns = {'customer_id': 'BIGINT', 'recency_days': 'BIGINT', 'frequency': 'BIGINT', 'monetary': 'DOUBLE'})`)
		db.Close()
		os.Remove(csv)
		if err != nil {
			return err
		}
		if err := os.Rename(dbPath+".tmp", dbPath); err != nil {
			return err
		}
	}
	fmt.Fprintf(e.out, "autok: %d synthetic customers (8 behaviour types) in %s; the whole `custseg train --k auto` process is timed\n", *n, dbPath)
	pr, err := timeProc(nil, e.custseg, "train", "--db", dbPath, "--model", "bench_autok", "--from", "bench_customers",
		"--k", "auto", "--k-min", strconv.Itoa(*kmin), "--k-max", strconv.Itoa(*kmax), "--no-score")
	if err != nil {
		return err
	}
	fmt.Fprint(e.out, pr.stdout)
	m, err := latestModel(dbPath, "bench_autok")
	if err != nil {
		return err
	}
	target := "yes"
	if pr.wall > time.Minute {
		target = "NO"
	}
	fmt.Fprintf(e.out, "\ncustseg train --k auto (k = %d..%d) on %d customers: %s wall, max RSS %d MiB (target < 60 s: %s)\n",
		*kmin, *kmax, *n, secs(pr.wall), pr.maxRSS>>10, target)
	fmt.Fprintf(e.out, "silhouette sample: %d of %d rows\n", m.SilhouetteSampleSize, *n)

	// Error bars: the same exact silhouette on other uniform samples of the
	// same size, for the chosen k and the runner-up.
	ks := []int{m.K}
	runner, runnerSil := 0, math.Inf(-1)
	for _, r := range m.KSelection {
		if r.K != m.K && r.Silhouette > runnerSil {
			runner, runnerSil = r.K, r.Silhouette
		}
	}
	if runner > 0 {
		ks = append(ks, runner)
	}
	features := []string{"recency_days", "frequency", "monetary"}
	for _, k := range ks {
		mk := m
		if k != m.K {
			// Same options as AutoK used, so the same (deterministic) model.
			if mk, err = kmeans.Train(rows, *n, features, kmeans.TrainOptions{K: k, Seed: m.Seed, NInit: m.NInit}); err != nil {
				return err
			}
		}
		z, lab, err := scaledLabels(mk, rows, *n)
		if err != nil {
			return err
		}
		reported := math.NaN()
		for _, r := range m.KSelection {
			if r.K == k {
				reported = r.Silhouette
			}
		}
		s := m.SilhouetteSampleSize
		var vals []float64
		var again float64
		for seed := 0; seed <= *seeds; seed++ {
			sx, sl := kmeans.Sample(z, lab, 3, s, int64(seed)+m.Seed)
			v, err := cluster.Silhouette(sx, 3, sl)
			if err != nil {
				return err
			}
			if seed == 0 {
				again = v // custseg's own sample
				continue
			}
			vals = append(vals, v)
		}
		mean, sd := meanSD(vals)
		fmt.Fprintf(e.out, "k=%d: custseg's silhouette %.4f (recomputed here on its sample: %.4f); %d other samples of %d: mean %.4f, std %.4f, range %.4f..%.4f\n",
			k, reported, again, len(vals), s, mean, sd, slices.Min(vals), slices.Max(vals))
		if *refSample > s && *refSample <= *n {
			t0 := time.Now()
			sx, sl := kmeans.Sample(z, lab, 3, *refSample, 1000)
			v, err := cluster.Silhouette(sx, 3, sl)
			if err != nil {
				return err
			}
			fmt.Fprintf(e.out, "      on a sample of %d: %.4f (%s)\n", *refSample, v, secs(time.Since(t0)))
		}
	}
	fmt.Fprintf(e.out, "load average after: %s\n", loadAvg())
	return nil
}

// scaledLabels applies m's transform and scaler to rows and assigns each
// to its nearest centroid.
func scaledLabels(m *kmeans.Model, rows []float64, n int) ([]float64, []int, error) {
	d := len(m.Features)
	z := make([]float64, n*d)
	lab := make([]int, n)
	for i := 0; i < n; i++ {
		if err := m.Scale(z[i*d:i*d+d], rows[i*d:i*d+d]); err != nil {
			return nil, nil, err
		}
		seg, _, err := m.Assign(rows[i*d : i*d+d])
		if err != nil {
			return nil, nil, err
		}
		lab[i] = seg
	}
	return z, lab, nil
}

func meanSD(v []float64) (float64, float64) {
	var s float64
	for _, x := range v {
		s += x
	}
	mean := s / float64(len(v))
	var q float64
	for _, x := range v {
		q += (x - mean) * (x - mean)
	}
	if len(v) < 2 {
		return mean, 0
	}
	return mean, math.Sqrt(q / float64(len(v)-1))
}
