#!/usr/bin/python3
"""Reference values of scikit-learn's classification metrics for custseg's
metric aggregates (udf/classmetrics, the SQL functions accuracy_score,
precision_score, recall_score, f1_score, roc_auc_score and
confusion_matrix). Run with Debian's scikit-learn 1.2.1:

    /usr/bin/python3 testdata/sklearn/classify_metrics.py > testdata/sklearn/classify_metrics.json

The Go tests read the JSON (they never run Python). Each case holds its rows
and sklearn's values: accuracy, the macro averages (average='macro' over the
labels of actual ∪ predicted, zero_division left at its default: a class
never predicted has precision 0, a class never in actual recall 0, both 0
give F1 0), per-label one-vs-rest precision/recall/F1 (average=None), ROC
AUC with each label of actual as the positive class where both classes
occur, and the confusion matrix keyed by label text.
"""
import json
import warnings

import numpy as np
import sklearn
from sklearn.metrics import (accuracy_score, confusion_matrix, f1_score,
                             precision_score, recall_score, roc_auc_score)

warnings.simplefilter("ignore")  # zero_division warnings are the point of some cases


def case(name, actual, predicted, score):
    labels = sorted(set(actual) | set(predicted))
    out = {
        "name": name,
        "actual": actual,
        "predicted": predicted,
        "score": score,
        "accuracy": accuracy_score(actual, predicted),
        "precision_macro": precision_score(actual, predicted, average="macro"),
        "recall_macro": recall_score(actual, predicted, average="macro"),
        "f1_macro": f1_score(actual, predicted, average="macro"),
        "per_label": {},
        "roc_auc": {},
        "confusion": {},
    }
    p = precision_score(actual, predicted, labels=labels, average=None)
    r = recall_score(actual, predicted, labels=labels, average=None)
    f = f1_score(actual, predicted, labels=labels, average=None)
    for i, lab in enumerate(labels):
        out["per_label"][str(lab)] = {"precision": p[i], "recall": r[i], "f1": f[i]}
    for lab in sorted(set(actual)):
        y = [1 if a == lab else 0 for a in actual]
        if 0 < sum(y) < len(y):
            out["roc_auc"][str(lab)] = roc_auc_score(y, score)
    m = confusion_matrix(actual, predicted, labels=labels)
    for i, a in enumerate(labels):
        out["confusion"][str(a)] = {str(b): int(m[i][j]) for j, b in enumerate(labels)}
    return out


def floats(a):
    return [float(x) for x in a]


rng = np.random.RandomState(12)
n = 300
rand_actual = rng.randint(0, 4, n)
# Predictions right 60% of the time; scores rounded to one decimal so that
# many tie, correlated with class 3.
rand_pred = np.where(rng.rand(n) < 0.6, rand_actual, rng.randint(0, 4, n))
rand_score = np.round(rng.rand(n) + 0.3 * (rand_actual == 3), 1)

cases = [
    case("binary",
         [0, 1, 1, 0, 1, 1, 0, 0, 1, 1],
         [0, 1, 0, 0, 1, 1, 1, 0, 1, 0],
         [0.1, 0.9, 0.4, 0.2, 0.8, 0.7, 0.6, 0.3, 0.95, 0.35]),
    case("multiclass",
         ["a", "a", "a", "b", "b", "b", "b", "c", "c", "c", "c", "c"],
         ["a", "b", "a", "b", "b", "c", "a", "c", "c", "a", "c", "b"],
         [0.9, 0.3, 0.8, 0.2, 0.4, 0.1, 0.7, 0.5, 0.6, 0.65, 0.2, 0.3]),
    # "c" occurs in actual but is never predicted; "d" is predicted but never
    # occurs in actual.
    case("never_predicted",
         ["a", "b", "c", "a", "b", "c", "a"],
         ["a", "b", "a", "d", "b", "b", "a"],
         [1.0, 2.0, 3.0, 1.0, 2.0, 3.0, 1.0]),
    # Scores with ties across the classes (the trapezoid counts a tie as half).
    case("ties",
         ["no", "yes", "yes", "no", "yes", "no", "no", "yes", "no", "yes"],
         ["no", "yes", "no", "no", "yes", "yes", "no", "yes", "no", "no"],
         [0.5, 0.5, 0.5, 0.2, 0.8, 0.8, 0.5, 1.0, 0.2, 0.2]),
    # Integer labels: the Go tests feed them as INTEGER and as text.
    case("integer_labels",
         [1, 2, 3, 1, 2, 3, 1, 2, 3, 3, 10],
         [1, 2, 2, 1, 3, 3, 2, 2, 3, 10, 10],
         [1, 2, 3, 1, 2, 3, 2, 2, 3, 4, 4]),
    case("random",
         [int(x) for x in rand_actual],
         [int(x) for x in rand_pred],
         floats(rand_score)),
]

# One case per line keeps the file short and its diffs readable.
print('{"sklearn": %s, "script": "testdata/sklearn/classify_metrics.py", "cases": [' % json.dumps(sklearn.__version__))
print(",\n".join(json.dumps(c) for c in cases))
print("]}")
