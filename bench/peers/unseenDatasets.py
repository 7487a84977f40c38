"""Twelve two-class sets that are not among the shared datasets, for `QUALITY_DIR=DIR npm run bench:quality`: a check
that the default's choice, never tuned on these, holds on data it has not seen. Made from scikit-learn's bundled
datasets (no download): five digits each against the rest, breast cancer, wine, iris and the top tenth of the
diabetes target, each with its positives thinned to a rare class; and three seeded make_classification sets.

Usage: .rareflow/bench-venv/bin/python bench/peers/unseenDatasets.py DIR
"""

import sys

import numpy as np
import pandas as pd
from sklearn import datasets

out = sys.argv[1]
rng = np.random.default_rng(7)


def save(name, X, y, positives):
    X = np.asarray(X, float)
    y = np.asarray(y).astype(int)
    pos = np.flatnonzero(y == 1)
    keep = np.sort(np.concatenate([np.flatnonzero(y == 0), rng.choice(pos, size=min(positives, len(pos)), replace=False)]))
    frame = pd.DataFrame(X[keep], columns=[f"f{i}" for i in range(X.shape[1])])
    frame["label"] = y[keep]
    frame.to_csv(f"{out}/{name}.csv", index=False)
    print(name, frame.shape, int(frame.label.sum()))


digits = datasets.load_digits()
for k in [1, 3, 5, 8, 9]:
    save(f"digits{k}", digits.data, digits.target == k, 30)
cancer = datasets.load_breast_cancer()
save("cancer", cancer.data, cancer.target == 0, 25)
wine = datasets.load_wine()
save("wine2", wine.data, wine.target == 2, 10)
diabetes = datasets.load_diabetes()
save("diabetes", diabetes.data, diabetes.target >= np.quantile(diabetes.target, 0.9), 44)
iris = datasets.load_iris()
save("iris2", iris.data, iris.target == 2, 12)
settings = [(3000, 20, 5, 0.03, 0.01, 1.0), (5000, 50, 10, 0.015, 0.0, 1.2), (2000, 8, 4, 0.05, 0.03, 0.7)]
for i, (n, p, informative, share, flip, sep) in enumerate(settings):
    X, y = datasets.make_classification(
        n_samples=n, n_features=p, n_informative=informative, n_redundant=2, weights=[1 - share], flip_y=flip, class_sep=sep, random_state=100 + i
    )
    save(f"synth{i}", X, y, 10**6)
