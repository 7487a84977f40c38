"""Whole-process peer for `rareflow adasyn`: read the same Parquet file with pyarrow, run imbalanced-learn's
ADASYN(n_neighbors=5).fit_resample, and print one JSON object with the call's own seconds and the rows out.

Usage: adasynProcessPeer.py PARQUET [LABEL]
Used by bench/neighbors.ts (section `process`, run after run against rareflow) and for `farm-bench --vs`.
"""
import json
import sys
import time

import numpy as np
import pyarrow.parquet as pq
from imblearn.over_sampling import ADASYN


def main() -> None:
    path = sys.argv[1]
    label = sys.argv[2] if len(sys.argv) > 2 else "label"
    table = pq.read_table(path)
    y = (table.column(label).to_numpy() == 1).astype(np.int64)
    x = np.column_stack([table.column(c).to_numpy() for c in table.column_names if c != label]).astype(np.float64)
    started = time.perf_counter()
    _, y_out = ADASYN(n_neighbors=5, random_state=0).fit_resample(x, y)
    print(json.dumps({"fit_resample_seconds": time.perf_counter() - started, "rows_out": int(len(y_out))}))


if __name__ == "__main__":
    main()
