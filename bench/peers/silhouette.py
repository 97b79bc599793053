"""Peer of `custseg-bench silhouette`: scikit-learn's exact silhouette_score.

usage: silhouette.py POINTS.bin [RUNS]
Times silhouette_score only (reading the file is excluded, as on the custseg
side) and prints {"seconds": [...], "value": v, "n": n} as one JSON line.
"""
import sys
import time

from _common import need_sklearn, read_points, report

need_sklearn()
from sklearn.metrics import silhouette_score  # noqa: E402

x, labels = read_points(sys.argv[1])
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 1
seconds, value = [], None
for _ in range(runs):
    t0 = time.perf_counter()
    value = float(silhouette_score(x, labels, metric="euclidean"))
    seconds.append(time.perf_counter() - t0)
report(seconds=seconds, value=value, n=len(labels))
