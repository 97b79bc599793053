package main

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
)

// blobSet is a fixed mixture of isotropic 3-D Gaussians.
type blobSet struct {
	name    string
	centers [][3]float64
	std     []float64
}

// fourBlobs is the silhouette data: 4 blobs, overlapping a little, so the
// silhouette is neither 0 nor 1 and every cluster has both near and far
// neighbours.
var fourBlobs = blobSet{
	name:    "blobs4",
	centers: [][3]float64{{0, 0, 0}, {6, 0, 0}, {0, 6, 0}, {0, 0, 6}},
	std:     []float64{1.0, 1.5, 2.0, 1.2},
}

// eightBlobs is the k-means data: the corners of a cube of side 8 with
// unequal spreads, fitted with k = 8.
var eightBlobs = blobSet{
	name: "blobs8",
	centers: [][3]float64{{0, 0, 0}, {8, 0, 0}, {0, 8, 0}, {0, 0, 8},
		{8, 8, 0}, {8, 0, 8}, {0, 8, 8}, {8, 8, 8}},
	std: []float64{1.0, 1.5, 2.0, 1.2, 2.5, 1.0, 1.8, 1.3},
}

// points draws n points (row-major x, y, z) and their blob labels; blob i
// gets every len(centers)-th point, so sizes are equal up to one.
func (b blobSet) points(n int, seed uint64) ([]float64, []int) {
	rng := rand.New(rand.NewPCG(seed, 0xb10b5))
	x := make([]float64, 3*n)
	lab := make([]int, n)
	k := len(b.centers)
	for i := 0; i < n; i++ {
		c := i % k
		lab[i] = c
		for j := 0; j < 3; j++ {
			x[3*i+j] = b.centers[c][j] + b.std[c]*rng.NormFloat64()
		}
	}
	return x, lab
}

// pointsFile writes (or reuses) WORK/NAME-N.bin: n records of 4
// little-endian float64 (x, y, z, label), the format both sides read
// (numpy: np.fromfile(path, "<f8").reshape(-1, 4)).
func (e *env) pointsFile(b blobSet, n int) (string, []float64, []int, error) {
	x, lab := b.points(n, 42)
	path := fmt.Sprintf("%s/%s-%d.bin", e.work, b.name, n)
	if fileExists(path) {
		return path, x, lab, nil
	}
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return "", nil, nil, err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	var buf [32]byte
	for i := range lab {
		for j := 0; j < 3; j++ {
			binary.LittleEndian.PutUint64(buf[8*j:], math.Float64bits(x[3*i+j]))
		}
		binary.LittleEndian.PutUint64(buf[24:], math.Float64bits(float64(lab[i])))
		w.Write(buf[:])
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return "", nil, nil, err
	}
	if err := f.Close(); err != nil {
		return "", nil, nil, err
	}
	return path, x, lab, os.Rename(tmp, path)
}

// writeCSV writes a header and rows with shortest round-trip formatting
// ('g', -1), so a CSV reader gets back exactly the same float64 values.
func writeCSV(path string, header string, n int, row func(i int, b []byte) []byte) error {
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	io.WriteString(w, header+"\n")
	var b []byte
	for i := 0; i < n; i++ {
		b = row(i, b[:0])
		b = append(b, '\n')
		w.Write(b)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func appendFloats(b []byte, v ...float64) []byte {
	for i, x := range v {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendFloat(b, x, 'g', -1, 64)
	}
	return b
}
