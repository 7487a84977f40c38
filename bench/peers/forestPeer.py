"""Peer for bench/forest.ts: scikit-learn's RandomForestClassifier fit on the same CSV, timed (load excluded).

Usage: forestPeer.py TRAIN_CSV TEST_CSV TREES JOBS. Prints one JSON object: fit seconds, node count, and the
test-set average precision and G-mean at the training prevalence (the RFQ rule), for a quality sanity check.
"""
import json
import sys
import time

import numpy as np
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import average_precision_score


def main() -> None:
    train_path, test_path, trees, jobs = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    train = np.loadtxt(train_path, delimiter=",", skiprows=1)
    test = np.loadtxt(test_path, delimiter=",", skiprows=1)
    x, y = train[:, :-1], train[:, -1].astype(int)
    xt, yt = test[:, :-1], test[:, -1].astype(int)
    model = RandomForestClassifier(n_estimators=trees, n_jobs=jobs, random_state=0)
    t = time.perf_counter()
    model.fit(x, y)
    seconds = time.perf_counter() - t
    t = time.perf_counter()
    p = model.predict_proba(xt)[:, 1]
    predict_seconds = time.perf_counter() - t
    prevalence = y.mean()
    pred = p >= prevalence
    tpr = (pred & (yt == 1)).sum() / (yt == 1).sum()
    tnr = (~pred & (yt == 0)).sum() / (yt == 0).sum()
    nodes = int(sum(e.tree_.node_count for e in model.estimators_))
    print(json.dumps({
        "seconds": seconds,
        "predictSeconds": predict_seconds,
        "nodes": nodes,
        "averagePrecision": float(average_precision_score(yt, p)),
        "gMeanAtPrevalence": float(np.sqrt(tpr * tnr)),
    }))


if __name__ == "__main__":
    main()
