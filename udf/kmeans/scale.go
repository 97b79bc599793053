package kmeans

// Scale writes the coordinates of raw feature vector x in the model's
// scaled space into z (len D()):
//
//	z_j = (t(x_j) − center_j) / scale_j,  t = log1p or the identity,
//
// the space in which centroids and distances live (silhouettes of stored
// segments are computed there).
func (m *Model) Scale(z, x []float64) error { return m.scaleInto(z, x) }
