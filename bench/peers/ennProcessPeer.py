"""Whole-process peer for `rareflow denoise --method enn`: read the same Parquet file with pyarrow, run
imbalanced-learn's EditedNearestNeighbours(n_neighbors=3).fit_resample, write the kept rows to Parquet, and print one
JSON object with the call's own seconds and the rows kept.

Usage: ennProcessPeer.py PARQUET OUT.parquet [LABEL]
Used by bench/neighborProcesses.ts, run after run against rareflow.
"""
import json
import sys
import time

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from imblearn.under_sampling import EditedNearestNeighbours


def main() -> None:
    path, out = sys.argv[1], sys.argv[2]
    label = sys.argv[3] if len(sys.argv) > 3 else "label"
    table = pq.read_table(path)
    names = [c for c in table.column_names if c != label]
    y = (table.column(label).to_numpy() == 1).astype(np.int64)
    x = np.column_stack([table.column(c).to_numpy() for c in names]).astype(np.float64)
    started = time.perf_counter()
    enn = EditedNearestNeighbours(n_neighbors=3)
    x_out, y_out = enn.fit_resample(x, y)
    seconds = time.perf_counter() - started
    columns = {name: x_out[:, j] for j, name in enumerate(names)}
    columns[label] = y_out.astype(np.int32)
    pq.write_table(pa.table(columns), out)
    print(json.dumps({"fit_resample_seconds": seconds, "rows_out": int(len(y_out))}))


if __name__ == "__main__":
    main()
