// Package udf is the root of custseg's math: the packages under it (rfm,
// kmeans, the function catalog, ...) are pure Go over the standard library
// and gonum, so that every engine binding, the loadable extensions and the
// CLI share one implementation. They never import a database driver nor use
// cgo: importcheck_test.go enforces it.
package udf
