"""Peer of `custseg-bench kmeans`: scikit-learn's KMeans(n_clusters=K, n_init=N).

usage: kmeans.py POINTS.bin K N_INIT RUNS
Times fit() only: reading the points file is excluded (custseg's time covers
its whole command, reading the table included). Run r uses random_state=r.
Prints {"seconds": [...], "inertia": [...], "n_iter": [...]} as one JSON line.
"""
import sys
import time

from _common import need_sklearn, read_points, report

need_sklearn()
from sklearn.cluster import KMeans  # noqa: E402

x, _ = read_points(sys.argv[1])
k, n_init, runs = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
seconds, inertia, n_iter = [], [], []
for r in range(runs):
    km = KMeans(n_clusters=k, n_init=n_init, random_state=r)
    t0 = time.perf_counter()
    km.fit(x)
    seconds.append(time.perf_counter() - t0)
    inertia.append(float(km.inertia_))
    n_iter.append(int(km.n_iter_))
report(seconds=seconds, inertia=inertia, n_iter=n_iter, n=len(x))
