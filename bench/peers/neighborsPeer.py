"""Peer for bench/neighbors.ts: imbalanced-learn 0.14.2 and scikit-learn on one CSV, for timing and parity.

Usage: neighborsPeer.py CSV LABEL POSITIVE [--adasyn-k K] [--enn-k K] [--no-adasyn] [--no-enn] [--no-counts]
Prints one JSON object:
  adasyn.seconds      imbalanced-learn ADASYN(n_neighbors=K).fit_resample, import and CSV read excluded;
  adasyn.counts       per minority row (ascending row order) g_i, computed as imbalanced-learn does: Δ_i from
                      sklearn NearestNeighbors(K + 1) dropping the first column, r = Δ/K, r /= Σr, rint(r · G);
  adasyn.delta        Δ_i per minority row;
  reference.delta, reference.counts
                      the same He et al. (2008) allocation from an independent exact search written here: distances
                      Σ(x − y)² in float64 one row at a time, a stable sort so equal distances go to the lower row,
                      and the query row itself excluded by its index (imbalanced-learn drops the first column
                      instead, which with duplicate rows may be a copy rather than the row itself);
  enn.seconds, enn.kept  EditedNearestNeighbours(n_neighbors=K).fit_resample and its sample_indices_.
"""
import argparse
import csv
import json
import time

import numpy as np
from imblearn.over_sampling import ADASYN
from imblearn.under_sampling import EditedNearestNeighbours
from sklearn.neighbors import NearestNeighbors


def read(path, label, positive):
    with open(path, newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        li = header.index(label)
        rows = list(reader)
    x = np.array([[float(v) for j, v in enumerate(r) if j != li] for r in rows], dtype=np.float64)
    y = np.array([1 if r[li].strip() == positive else 0 for r in rows], dtype=np.int64)
    return x, y


def adasyn_counts(x, y, k):
    nn = NearestNeighbors(n_neighbors=k + 1).fit(x)
    x_min = x[y == 1]
    nns = nn.kneighbors(x_min, return_distance=False)[:, 1:]
    delta = np.sum(y[nns] != 1, axis=1)
    ratio_nn = delta / k
    ratio_nn /= np.sum(ratio_nn)
    n_samples = int(np.sum(y == 0) - np.sum(y == 1))
    counts = np.rint(ratio_nn * n_samples).astype(int)
    return delta, counts


def reference_counts(x, y, k):
    """ADASYN's g_i from exact neighbours with a defined tie rule: an independent check of rareflow's exact mode."""
    minority = np.flatnonzero(y == 1)
    delta = np.zeros(len(minority), dtype=np.int64)
    for i, row in enumerate(minority):
        d = np.sum((x - x[row]) ** 2, axis=1)
        d[row] = np.inf
        order = np.argsort(d, kind="stable")[:k]
        delta[i] = int(np.sum(y[order] != 1))
    ratio = delta / k
    ratio /= np.sum(ratio)
    n_samples = int(np.sum(y == 0) - np.sum(y == 1))
    return delta, np.rint(ratio * n_samples).astype(int)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("csv")
    p.add_argument("label")
    p.add_argument("positive")
    p.add_argument("--adasyn-k", type=int, default=5)
    p.add_argument("--enn-k", type=int, default=3)
    p.add_argument("--no-adasyn", action="store_true")
    p.add_argument("--no-enn", action="store_true")
    p.add_argument("--no-counts", action="store_true")
    p.add_argument("--reference", action="store_true", help="also compute the independent exact-search allocation")
    a = p.parse_args()
    x, y = read(a.csv, a.label, a.positive)
    out = {"rows": int(len(y)), "cols": int(x.shape[1]), "positives": int(y.sum())}
    if not a.no_adasyn:
        t = time.perf_counter()
        xa, ya = ADASYN(n_neighbors=a.adasyn_k, random_state=0).fit_resample(x, y)
        out["adasyn"] = {"seconds": time.perf_counter() - t, "syntheticRows": int(len(ya) - len(y))}
        if not a.no_counts:
            t = time.perf_counter()
            delta, counts = adasyn_counts(x, y, a.adasyn_k)
            out["adasyn"]["countsSeconds"] = time.perf_counter() - t
            out["adasyn"]["delta"] = delta.tolist()
            out["adasyn"]["counts"] = counts.tolist()
    if a.reference:
        delta, counts = reference_counts(x, y, a.adasyn_k)
        out["reference"] = {"delta": delta.tolist(), "counts": counts.tolist()}
    if not a.no_enn:
        t = time.perf_counter()
        enn = EditedNearestNeighbours(n_neighbors=a.enn_k)
        enn.fit_resample(x, y)
        out["enn"] = {"seconds": time.perf_counter() - t, "kept": np.sort(enn.sample_indices_).tolist()}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
