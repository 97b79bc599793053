#!/usr/bin/python3
"""References for udf/forest against scikit-learn's RandomForestClassifier.

Run from the repository root with Debian's scikit-learn 1.2.1:

    /usr/bin/python3 testdata/sklearn/forest_reference.py

It reads the data sets testdata/sklearn/tree_<name>.csv that
tree_reference.py wrote (columns: set = train|test, the numeric features,
y = the class), trains RandomForestClassifier(n_estimators=100,
random_state=0, n_jobs=-1) on the train rows and writes
testdata/sklearn/forest_reference.json: per data set, the test accuracy,
the ROC AUC of the probability of the larger class (binary sets only) and
the out-of-bag accuracy. The Go test (udf/forest/sklearn_test.go) trains a
forest on the same rows; it never runs Python.
"""
import csv
import glob
import json
import os

import numpy as np
import sklearn
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import roc_auc_score

HERE = os.path.dirname(os.path.abspath(__file__))


def read(path):
    with open(path, newline="") as f:
        r = csv.reader(f)
        next(r)
        rows = list(r)
    train = np.array([r[0] == "train" for r in rows])
    X = np.array([[float(v) for v in r[1:-1]] for r in rows])
    y = np.array([int(r[-1]) for r in rows])
    return X, y, train


def main():
    ref = {"sklearn": sklearn.__version__, "n_estimators": 100, "datasets": {}}
    for path in sorted(glob.glob(os.path.join(HERE, "tree_*.csv"))):
        name = os.path.basename(path)[len("tree_"):-len(".csv")]
        X, y, tr = read(path)
        clf = RandomForestClassifier(n_estimators=100, random_state=0, n_jobs=-1, oob_score=True)
        clf.fit(X[tr], y[tr])
        proba = clf.predict_proba(X[~tr])
        pred = clf.classes_[proba.argmax(axis=1)]
        out = {"accuracy": float((pred == y[~tr]).mean()), "oob_accuracy": float(clf.oob_score_)}
        if len(clf.classes_) == 2:
            out["auc"] = float(roc_auc_score(y[~tr] == clf.classes_[1], proba[:, 1]))
        ref["datasets"][name] = out
    with open(os.path.join(HERE, "forest_reference.json"), "w") as f:
        json.dump(ref, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
