"""Shared helpers of the scikit-learn peers run by bench/cmd/custseg-bench."""
import json
import sys


def need_sklearn():
    """Exit with install instructions when numpy or scikit-learn is missing."""
    try:
        import numpy  # noqa: F401
        import sklearn  # noqa: F401
    except ImportError as err:
        sys.stderr.write(
            "peer needs numpy and scikit-learn (%s). On Debian/Ubuntu:\n"
            "  apt-get install -y --no-install-recommends python3-sklearn python3-pandas\n"
            "and run the bench with --python /usr/bin/python3\n" % err)
        sys.exit(3)


def read_points(path):
    """n x 4 little-endian float64 records (x, y, z, label) written by custseg-bench."""
    import numpy as np
    a = np.fromfile(path, dtype="<f8").reshape(-1, 4)
    return np.ascontiguousarray(a[:, :3]), a[:, 3].astype(np.int64)


def report(**fields):
    """One JSON line on stdout: what custseg-bench parses."""
    import sklearn
    fields["sklearn"] = sklearn.__version__
    print(json.dumps(fields))
