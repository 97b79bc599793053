package cluster

import "errors"

// ErrLabelCount is wrapped by the errors returned when a metric is undefined
// for the number of distinct labels (fewer than 2, or as many as points).
// Every error of this package starts with "cluster: ".
var ErrLabelCount = errors.New("number of labels out of range")

// ErrCanceled is wrapped by the error a silhouette returns when its
// SilhouetteOptions.Cancel asked it to stop.
var ErrCanceled = errors.New("canceled")
