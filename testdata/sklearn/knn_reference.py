#!/usr/bin/python3
"""References for udf/knn against scikit-learn's KNeighborsClassifier.

Run from the repository root with Debian's scikit-learn 1.2.1:

    /usr/bin/python3 testdata/sklearn/knn_reference.py

It writes testdata/sklearn/knn_<name>.csv (columns: set = train|test, the
numeric features, y = the class) and testdata/sklearn/knn_reference.json
(per data set and weights: scikit-learn's predictions on the test rows in
file order as a string of class digits, and the class probabilities of
each test row). The features are standardised with StandardScaler fitted
on the training rows, as udf/knn does, and the classifier is
KNeighborsClassifier(n_neighbors=5, weights=...). The Go test
(udf/knn/sklearn_test.go) trains on the same rows; it never runs Python.

Values are rounded to 2 decimals, and one data set has small integer
features, so that some test rows have equidistant neighbours: the Go test
detects those exact ties (where scikit-learn's choice among equidistant
neighbours is arbitrary) and counts them.
"""
import csv
import json
import os

import numpy as np
import sklearn
from sklearn.datasets import make_classification
from sklearn.neighbors import KNeighborsClassifier
from sklearn.preprocessing import StandardScaler

HERE = os.path.dirname(os.path.abspath(__file__))
K = 5


def datasets():
    out = {}
    X, y = make_classification(n_samples=3000, n_features=4, n_informative=3, n_redundant=1,
                               n_classes=3, n_clusters_per_class=1, flip_y=0.05, random_state=4)
    X[:, 2] = X[:, 2] * 100 + 500  # a feature of another scale: standardising matters
    out["three_class"] = (np.round(X, 2), y)
    rng = np.random.RandomState(5)
    n = 2500
    # customer-like counts (small integers: many exact ties) and an amount
    freq = rng.poisson(3, n)
    recency = rng.randint(0, 60, n)
    amount = np.round(rng.gamma(2.0, 50.0, n), 2)
    score = 0.6 * freq - 0.05 * recency + 0.01 * amount + rng.normal(0, 1, n)
    y = (score > np.median(score)).astype(int)
    out["customers"] = (np.column_stack([recency, freq, amount]).astype(float), y)
    return out


def main():
    ref = {"sklearn": sklearn.__version__, "k": K, "datasets": {}}
    for name, (X, y) in datasets().items():
        n = len(y)
        test = np.zeros(n, dtype=bool)
        test[np.random.RandomState(7).permutation(n)[: n // 3]] = True
        path = os.path.join(HERE, "knn_%s.csv" % name)
        with open(path, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["set"] + ["x%d" % j for j in range(X.shape[1])] + ["y"])
            for i in range(n):
                w.writerow(["test" if test[i] else "train"] + ["%.10g" % v for v in X[i]] + [int(y[i])])
        scaler = StandardScaler().fit(X[~test])
        Xtr, Xte = scaler.transform(X[~test]), scaler.transform(X[test])
        runs = []
        for weights in ["uniform", "distance"]:
            clf = KNeighborsClassifier(n_neighbors=K, weights=weights).fit(Xtr, y[~test])
            pred = clf.predict(Xte)
            proba = clf.predict_proba(Xte)
            runs.append({"weights": weights,
                         "predictions": "".join(str(int(c)) for c in pred),
                         "proba": [[float(p) for p in row] for row in proba]})
        ref["datasets"][name] = runs
    with open(os.path.join(HERE, "knn_reference.json"), "w") as f:
        json.dump(ref, f, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
