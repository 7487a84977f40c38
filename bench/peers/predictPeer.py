"""Peer for bench/predict.ts: load a fitted scikit-learn LogisticRegression and score a Parquet file with
pyarrow + pandas, batch by batch, writing score and pred to a CSV. Prints rows and seconds as JSON."""
import json
import pickle
import sys
import time

import pyarrow.parquet as pq


def main() -> None:
    model_path, data_path, out_path, threshold = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
    started = time.perf_counter()
    with open(model_path, "rb") as f:
        model, features = pickle.load(f)
    rows = 0
    with open(out_path, "w") as out:
        out.write("score,pred\n")
        for batch in pq.ParquetFile(data_path).iter_batches(batch_size=262144, columns=features):
            frame = batch.to_pandas()
            score = model.predict_proba(frame[features].to_numpy())[:, 1]
            pred = (score >= threshold).astype(int)
            out.write("\n".join(f"{s!r},{p}" for s, p in zip(score.tolist(), pred.tolist())))
            out.write("\n")
            rows += len(frame)
    print(json.dumps({"rows": rows, "seconds": time.perf_counter() - started}))


if __name__ == "__main__":
    main()
