"""Peer timings for bench/run.ts: imbalanced-learn and scikit-learn on the same CSV, same parameters.

Prints one JSON object: seconds per stage (import time excluded), and row counts to check parity.
"""
import json
import sys
import time

import numpy as np

from imblearn.over_sampling import ADASYN
from imblearn.under_sampling import EditedNearestNeighbours
from sklearn.linear_model import LogisticRegression


def main() -> None:
    path, label = sys.argv[1], sys.argv[2]
    data = np.genfromtxt(path, delimiter=",", skip_header=1)
    x, y = data[:, :-1], data[:, -1].astype(int)
    out = {}
    t = time.perf_counter()
    xe, ye = EditedNearestNeighbours(n_neighbors=3).fit_resample(x, y)
    out["enn"] = {"seconds": time.perf_counter() - t, "rowsOut": int(len(ye))}
    t = time.perf_counter()
    xa, ya = ADASYN(n_neighbors=5, random_state=1).fit_resample(xe, ye)
    out["adasyn"] = {"seconds": time.perf_counter() - t, "rowsOut": int(len(ya))}
    t = time.perf_counter()
    LogisticRegression(C=1.0 / (1e-4 * len(ya)), max_iter=1000).fit(xa, ya)
    out["logreg"] = {"seconds": time.perf_counter() - t}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
