# The drift bench's peer: per window, KS (scipy ks_2samp, asymptotic) and PSI on the reference's quantile bins
# for every feature, Benjamini-Hochberg across features, and the label-prior chi-square; the same flag rule as
# rareflow (q <= 0.01 and PSI >= 0.2 or KS D >= 0.1). Prints JSON: ms per window and windows with a flagged feature.
import json
import sys
import time

import numpy as np
from scipy import stats

train_file, windows_file, labels_file = sys.argv[1:4]
train_rows, windows, rows, cols = (int(v) for v in sys.argv[4:8])
prior = float(sys.argv[8])
train = np.fromfile(train_file, dtype=np.float64).reshape(train_rows, cols)
data = np.fromfile(windows_file, dtype=np.float64).reshape(windows, rows, cols)
labels = np.fromfile(labels_file, dtype=np.uint8).reshape(windows, rows)

rng = np.random.default_rng(3)
sample = train[rng.choice(train_rows, size=min(5000, train_rows), replace=False)]
edges = [np.unique(np.quantile(train[:, c], np.arange(1, 10) / 10)) for c in range(cols)]
ref_props = []
for c in range(cols):
    counts = np.bincount(np.searchsorted(edges[c], train[:, c], side="right"), minlength=len(edges[c]) + 1)
    ref_props.append(np.maximum(counts / train_rows, 1e-4))

flagged = 0
start = time.perf_counter()
for w in range(windows):
    x = data[w]
    p = np.empty(cols)
    d = np.empty(cols)
    psi = np.empty(cols)
    for c in range(cols):
        res = stats.ks_2samp(sample[:, c], x[:, c], method="asymp")
        p[c], d[c] = res.pvalue, res.statistic
        counts = np.bincount(np.searchsorted(edges[c], x[:, c], side="right"), minlength=len(edges[c]) + 1)
        cur = np.maximum(counts / rows, 1e-4)
        psi[c] = float(np.sum((cur - ref_props[c]) * np.log(cur / ref_props[c])))
    q = stats.false_discovery_control(p)
    if np.any((q <= 0.01) & ((psi >= 0.2) | (d >= 0.1))):
        flagged += 1
    positives = int(labels[w].sum())
    stats.chisquare([rows - positives, positives], [rows * (1 - prior), rows * prior])
elapsed = time.perf_counter() - start
print(json.dumps({"msPerWindow": 1000 * elapsed / windows, "featureFlagged": flagged}))
