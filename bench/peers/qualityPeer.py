"""Peer for bench/quality.ts: the strongest Python baselines under the same stratified folds as rareflow's models.

Usage: qualityPeer.py MATRIX_CSV FOLDS_TXT. MATRIX_CSV holds the numeric (one-hot) features as rareflow read
them, label 0/1 last; FOLDS_TXT one fold number per row (one repeat of the folds). Prints JSON: per model, per fold, the G-mean, the
minority recall and the normalised PR-AUC (average precision minus the test prevalence).
"""
import json
import sys

import numpy as np
from imblearn.ensemble import BalancedRandomForestClassifier
from imblearn.over_sampling import ADASYN
from imblearn.under_sampling import EditedNearestNeighbours
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score
from sklearn.preprocessing import StandardScaler


def scores_of(y, p, threshold):
    pred = p >= threshold
    tpr = float((pred & (y == 1)).sum() / (y == 1).sum())
    tnr = float((~pred & (y == 0)).sum() / (y == 0).sum())
    return {"gMean": float(np.sqrt(tpr * tnr)), "recall": tpr, "prAucNormalised": float(average_precision_score(y, p) - y.mean())}


def main() -> None:
    data = np.loadtxt(sys.argv[1], delimiter=",", skiprows=1, ndmin=2)
    folds = np.loadtxt(sys.argv[2], dtype=int)
    x, y = data[:, :-1], data[:, -1].astype(int)
    names = ["lrBalanced", "lrAdasyn", "lrEnnAdasyn", "rf", "rfPrevalence", "rfBalanced", "balancedRf", "hgbBalanced"]
    out = {k: [] for k in names}
    notes = []

    def adasyn(xs, ys, what):
        try:
            return ADASYN(random_state=0).fit_resample(xs, ys)
        except (RuntimeError, ValueError) as e:
            notes.append(f"fold {k}: ADASYN failed ({e}); {what} fit without it")
            return xs, ys

    for k in sorted(set(folds.tolist())):
        tr, te = folds != k, folds == k
        xtr, ytr, xte, yte = x[tr], y[tr], x[te], y[te]
        scaler = StandardScaler().fit(xtr)
        xs, xts = scaler.transform(xtr), scaler.transform(xte)
        lrb = LogisticRegression(max_iter=2000, class_weight="balanced").fit(xs, ytr)
        out["lrBalanced"].append(scores_of(yte, lrb.predict_proba(xts)[:, 1], 0.5))
        xa, ya = adasyn(xs, ytr, "logistic regression")
        lr = LogisticRegression(max_iter=2000).fit(xa, ya)
        out["lrAdasyn"].append(scores_of(yte, lr.predict_proba(xts)[:, 1], 0.5))
        xe, ye = EditedNearestNeighbours().fit_resample(xs, ytr)
        if len(set(ye.tolist())) < 2:
            notes.append(f"fold {k}: ENN removed a whole class; LR + ENN + ADASYN fit without ENN")
            xe, ye = xs, ytr
        xea, yea = adasyn(xe, ye, "LR + ENN + ADASYN")
        lre = LogisticRegression(max_iter=2000).fit(xea, yea)
        out["lrEnnAdasyn"].append(scores_of(yte, lre.predict_proba(xts)[:, 1], 0.5))
        rf = RandomForestClassifier(n_estimators=100, n_jobs=2, random_state=0).fit(xtr, ytr)
        prf = rf.predict_proba(xte)[:, 1]
        out["rf"].append(scores_of(yte, prf, 0.5))
        out["rfPrevalence"].append(scores_of(yte, prf, float(ytr.mean())))
        rfb = RandomForestClassifier(n_estimators=100, n_jobs=2, random_state=0, class_weight="balanced").fit(xtr, ytr)
        out["rfBalanced"].append(scores_of(yte, rfb.predict_proba(xte)[:, 1], 0.5))
        brf = BalancedRandomForestClassifier(n_estimators=100, n_jobs=2, random_state=0).fit(xtr, ytr)
        out["balancedRf"].append(scores_of(yte, brf.predict_proba(xte)[:, 1], 0.5))
        hgb = HistGradientBoostingClassifier(class_weight="balanced", random_state=0).fit(xtr, ytr)
        out["hgbBalanced"].append(scores_of(yte, hgb.predict_proba(xte)[:, 1], 0.5))
    print(json.dumps({"models": out, "notes": notes}))


if __name__ == "__main__":
    main()
