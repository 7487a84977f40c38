"""Fits the scikit-learn LogisticRegression that predictPeer.py loads, on a CSV (label column last)."""
import pickle
import sys

import numpy as np
from sklearn.linear_model import LogisticRegression

data = np.genfromtxt(sys.argv[1], delimiter=",", names=True)
names = list(data.dtype.names)
features = names[:-1]
x = np.column_stack([data[n] for n in features])
y = data[names[-1]].astype(int)
model = LogisticRegression(max_iter=1000).fit(x, y)
with open(sys.argv[2], "wb") as f:
    pickle.dump((model, features), f)
