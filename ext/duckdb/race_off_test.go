//go:build !race

package duckdb

// raceEnabled shrinks the heaviest tests under the race detector.
const raceEnabled = false
