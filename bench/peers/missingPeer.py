"""Peer for bench/missingValues.ts: Python baselines on data with gaps, under the same stratified folds.

Usage: missingPeer.py MATRIX_CSV FOLDS_TXT. MATRIX_CSV holds the numeric (one-hot) features with empty cells where a
value is missing, label 0/1 last; FOLDS_TXT one fold number per row. The forest at q* = pi and HistGradientBoosting
read NaN natively (scikit-learn >= 1.4); BalancedRandomForest and logistic regression take a median fill (logistic
regression with scikit-learn's missing indicators). Prints JSON: per model, per fold, G-mean, recall, normalised PR-AUC.
"""
import json
import sys

import numpy as np
from imblearn.ensemble import BalancedRandomForestClassifier
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from qualityPeer import scores_of


def main() -> None:
    data = np.genfromtxt(sys.argv[1], delimiter=",", skip_header=1, ndmin=2, missing_values="", filling_values=np.nan)
    folds = np.loadtxt(sys.argv[2], dtype=int)
    x, y = data[:, :-1], data[:, -1].astype(int)
    out = {k: [] for k in ["rfPrevalence", "balancedRf", "hgbBalanced", "lrBalanced"]}
    for k in sorted(set(folds.tolist())):
        tr, te = folds != k, folds == k
        xtr, ytr, xte, yte = x[tr], y[tr], x[te], y[te]
        rf = RandomForestClassifier(n_estimators=100, n_jobs=2, random_state=0).fit(xtr, ytr)
        out["rfPrevalence"].append(scores_of(yte, rf.predict_proba(xte)[:, 1], float(ytr.mean())))
        brf = make_pipeline(SimpleImputer(strategy="median"), BalancedRandomForestClassifier(n_estimators=100, n_jobs=2, random_state=0))
        out["balancedRf"].append(scores_of(yte, brf.fit(xtr, ytr).predict_proba(xte)[:, 1], 0.5))
        hgb = HistGradientBoostingClassifier(class_weight="balanced", random_state=0).fit(xtr, ytr)
        out["hgbBalanced"].append(scores_of(yte, hgb.predict_proba(xte)[:, 1], 0.5))
        lr = make_pipeline(
            SimpleImputer(strategy="median", add_indicator=True), StandardScaler(), LogisticRegression(max_iter=2000, class_weight="balanced")
        )
        out["lrBalanced"].append(scores_of(yte, lr.fit(xtr, ytr).predict_proba(xte)[:, 1], 0.5))
    print(json.dumps({"models": out}))


if __name__ == "__main__":
    main()
