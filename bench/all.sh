#!/bin/sh
# Runs every side-by-side target of docs/PERFORMANCE.md in sequence (about
# 11 minutes on 2 idle cores, most of it scikit-learn's 200k silhouette and
# custseg's 1M one) and keeps the output in $WORK/all.log.
#   sh bench/all.sh            # from the repository root
# Data and databases go to $WORK (default /tmp/custseg-bench) and are reused.
set -eu
WORK=${WORK:-/tmp/custseg-bench}
mkdir -p "$WORK"
go build -o "$WORK/custseg" ./cmd/custseg
go build -o "$WORK/custseg-bench" ./bench/cmd/custseg-bench
B="$WORK/custseg-bench --work $WORK --custseg $WORK/custseg"
{
  set +e  # one failed target must not stop the others
  echo "== uptime before: $(uptime)"
  $B kmeans --n 1000000 --runs 3
  $B load --runs 5
  $B features --rows 50000000 --runs 3
  $B autok --customers 1000000
  $B silhouette --n 50000 --runs 3 --peer-runs 3
  $B silhouette --n 200000 --runs 3 --peer-runs 1
  $B silhouette --n 1000000 --runs 1 --no-peer
  echo "== uptime after: $(uptime)"
} 2>&1 | tee "$WORK/all.log"
