"""Peer for bench/gbdt.ts: scikit-learn's HistGradientBoostingClassifier fit on the same Parquet file, timed (load
excluded), with balanced class weights and early stopping on, as rareflow's gbdt fits by default on large data.

Usage: gbdtPeer.py TRAIN_PARQUET LABEL RUNS. Threads: OMP_NUM_THREADS, set by the caller. Prints one JSON object:
each run's fit seconds and the iterations boosting ran.
"""
import json
import sys
import time

import pyarrow.parquet as pq
from sklearn.ensemble import HistGradientBoostingClassifier


def main() -> None:
    path, label, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
    table = pq.read_table(path).to_pandas()
    y = table.pop(label).astype(int).to_numpy()
    x = table.to_numpy(dtype="float64")
    seconds = []
    iterations = 0
    for _ in range(runs):
        model = HistGradientBoostingClassifier(class_weight="balanced", early_stopping=True, random_state=0)
        t = time.perf_counter()
        model.fit(x, y)
        seconds.append(time.perf_counter() - t)
        iterations = int(model.n_iter_)
    print(json.dumps({"seconds": seconds, "iterations": iterations}))


if __name__ == "__main__":
    main()
