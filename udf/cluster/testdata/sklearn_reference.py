# Reference values for udf/cluster tests: run with Debian /usr/bin/python3 (scikit-learn 1.2.1, numpy 1.24.2).
# Prints n d k single silhouette_score davies_bouldin_score calinski_harabasz_score; dataset() mirrors cluster_test.go.
import numpy as np
from sklearn.metrics import silhouette_score, davies_bouldin_score, calinski_harabasz_score
def dataset(n, d, k, single):
    X = np.zeros((n, d)); lab = np.zeros(n, dtype=int)
    for i in range(n):
        l = i % k
        if single and l == k-1 and i != k-1:
            l = 0
        lab[i] = l
        for j in range(d):
            X[i, j] = float((i*37 + j*101 + (i*i*13) % 97) % 211) / 10.0 + (l * 7.0 if j == 0 else 0.0)
    return X, lab
for (n, d, k, single) in [(60,3,4,False),(45,2,3,True),(50,5,3,False),(30,1,2,False),(80,3,5,True)]:
    X, lab = dataset(n, d, k, single)
    lab2 = lab * 10 - 3  # arbitrary integer labels
    print(n, d, k, single, repr(silhouette_score(X, lab2)), repr(davies_bouldin_score(X, lab2)), repr(calinski_harabasz_score(X, lab2)))
