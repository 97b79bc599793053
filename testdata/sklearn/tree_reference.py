#!/usr/bin/python3
"""References for udf/tree's CART against scikit-learn's DecisionTreeClassifier.

Run from the repository root with Debian's scikit-learn 1.2.1:

    /usr/bin/python3 testdata/sklearn/tree_reference.py

It writes testdata/sklearn/tree_<name>.csv (columns: set = train|test, the
numeric features, y = the class) and testdata/sklearn/tree_reference.json
(per data set and hyper-parameters: scikit-learn's test accuracy, its
predictions on the test rows in file order as a string of class digits, and
the tree's depth and leaf count, for random_state=0 and in other_seeds for
random_state 1 to 9). The Go test (udf/tree/sklearn_test.go) trains CART on the same rows
with the same hyper-parameters; it never runs Python.

Synthetic values are rounded to 3 decimals and the retail ones are integers,
so that scikit-learn's float32 copy of X keeps every value distinct and both
sides see the same splits.
"""
import csv
import datetime
import gzip
import json
import os
import random

import numpy as np
import sklearn
from sklearn.datasets import make_classification, make_moons
from sklearn.tree import DecisionTreeClassifier

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "..", "..", "shared", "data", "online_retail.csv.gz")

CONFIGS = [
    {"criterion": "gini", "max_depth": 4, "min_samples_leaf": 1},
    {"criterion": "entropy", "max_depth": 6, "min_samples_leaf": 5},
    {"criterion": "gini", "max_depth": 8, "min_samples_leaf": 2},
]

# random_state only breaks ties between equally good splits (the features
# are visited in a seeded random order); the other seeds show which trees
# those ties allow.
SEEDS = range(10)


def synthetic():
    out = {}
    X, y = make_classification(n_samples=2000, n_features=6, n_informative=4, n_redundant=1,
                               n_classes=2, flip_y=0.05, random_state=1)
    out["binary"] = (X, y)
    X, y = make_classification(n_samples=2000, n_features=6, n_informative=4, n_redundant=0,
                               n_classes=3, n_clusters_per_class=1, flip_y=0.03, random_state=2)
    out["three_class"] = (X, y)
    X, y = make_moons(n_samples=1500, noise=0.3, random_state=3)
    noise = np.random.RandomState(3).normal(size=(1500, 2))
    out["moons"] = (np.hstack([X, noise]), y)
    return {k: (np.round(X, 3), y) for k, (X, y) in out.items()}


def retail():
    """Online Retail customers as of 2011-09-01 (the fixture's cleaning:
    CustomerID present, no cancellation, Quantity > 0, UnitPrice > 0):
    recency_days, frequency (invoices), monetary (rounded to whole pounds),
    tenure_days, distinct products; y = 1 when the customer bought again
    within the next 90 days."""
    if not os.path.exists(DATA):
        return None
    cutoff = datetime.datetime(2011, 9, 1)
    horizon = cutoff + datetime.timedelta(days=90)
    cust = {}
    with gzip.open(DATA, "rt", encoding="utf-8", newline="") as f:
        r = csv.reader(f)
        next(r)
        for inv, stock, _, qty, date, price, cid, _ in r:
            if not cid or inv.startswith("C") or int(qty) <= 0 or float(price) <= 0:
                continue
            d = datetime.datetime.strptime(date, "%Y-%m-%d %H:%M:%S")
            c = cust.setdefault(cid, {"first": None, "last": None, "inv": set(), "money": 0.0,
                                      "stock": set(), "again": 0})
            if d < cutoff:
                c["first"] = d if c["first"] is None else min(c["first"], d)
                c["last"] = d if c["last"] is None else max(c["last"], d)
                c["inv"].add(inv)
                c["stock"].add(stock)
                c["money"] += int(qty) * float(price)
            elif d < horizon:
                c["again"] = 1
    rows, y = [], []
    for cid in sorted(cust):
        c = cust[cid]
        if c["first"] is None:
            continue
        rows.append([(cutoff - c["last"]).days, len(c["inv"]), round(c["money"]),
                     (cutoff - c["first"]).days, len(c["stock"])])
        y.append(c["again"])
    return np.array(rows, dtype=float), np.array(y)


def write(name, X, y, train):
    with open(os.path.join(HERE, f"tree_{name}.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["set"] + [f"x{j}" for j in range(X.shape[1])] + ["y"])
        for i in range(len(y)):
            w.writerow(["train" if train[i] else "test"] + [f"{v:.12g}" for v in X[i]] + [int(y[i])])


def main():
    sets = synthetic()
    r = retail()
    if r is not None:
        sets["retail"] = r
    ref = {"sklearn": sklearn.__version__, "datasets": {}}
    for name, (X, y) in sets.items():
        rng = random.Random(7)
        train = [rng.random() < 0.7 for _ in range(len(y))]
        write(name, X, y, train)
        tr = np.array(train)
        res = []
        for cfg in CONFIGS:
            runs = []
            for seed in SEEDS:
                clf = DecisionTreeClassifier(random_state=seed, **cfg).fit(X[tr], y[tr])
                pred = clf.predict(X[~tr])
                runs.append(dict(random_state=seed, accuracy=float((pred == y[~tr]).mean()),
                                 depth=int(clf.get_depth()), leaves=int(clf.get_n_leaves()),
                                 predictions="".join(str(int(p)) for p in pred)))
            res.append(dict(cfg, **runs[0], other_seeds=runs[1:]))
        ref["datasets"][name] = res
    with open(os.path.join(HERE, "tree_reference.json"), "w") as f:
        json.dump(ref, f, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
