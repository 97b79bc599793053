# Reference inertias for udf/kmeans TestInertiaMatchesScikitLearn (scikit-learn 1.2.1); ds() mirrors qualityData in kmeans_test.go.
import numpy as np
from sklearn.cluster import KMeans
from sklearn.preprocessing import StandardScaler
def ds(n):
    X = np.zeros((n,3))
    for i in range(n):
        c = i % 6
        cen = (c*0.7, (c*c % 5)*0.5, (c % 3)*0.9)
        for j in range(3):
            X[i,j] = ((i*i*31 + i*j*17 + j*7919 + i*101) % 1009) / 1009.0 + cen[j]
    return X
X = StandardScaler().fit_transform(ds(3000))
for k in (3,5,8):
    km = KMeans(n_clusters=k, n_init=10, random_state=0).fit(X)
    print(k, repr(km.inertia_), km.n_iter_)
