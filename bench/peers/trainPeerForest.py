"""Fits the scikit-learn RandomForestClassifier that predictPeer.py loads for the forest comparison of
bench/predict.ts, sized like rareflow's default forest: 100 trees, sqrt(features) per split, fully grown, each tree
on a bootstrap of a class-balanced set (every positive and as many negatives), as rareflow's balanced sampling
draws. Prints the total node count, to compare with the rareflow model's."""
import json
import pickle
import sys

import numpy as np
from sklearn.ensemble import RandomForestClassifier

data = np.genfromtxt(sys.argv[1], delimiter=",", names=True)
names = list(data.dtype.names)
features = names[:-1]
x = np.column_stack([data[n] for n in features])
y = data[names[-1]].astype(int)
rng = np.random.default_rng(0)
positives = np.flatnonzero(y == 1)
negatives = rng.choice(np.flatnonzero(y == 0), size=positives.size, replace=False)
rows = np.concatenate([positives, negatives])
model = RandomForestClassifier(n_estimators=100, max_features="sqrt", random_state=0).fit(x[rows], y[rows])
with open(sys.argv[2], "wb") as f:
    pickle.dump((model, features), f)
print(json.dumps({"nodes": int(sum(t.tree_.node_count for t in model.estimators_))}))
