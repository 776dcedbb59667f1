"""How predictable is a 7B result from the same mixture's 3B result? (ADMIRE IFT)

A reference point for the transfer study's recorded-runs variant, not part of
mixopt: for the mixtures recorded at both 3B and 7B, the Pearson correlation
of their 3B and 7B values per metric, and the spread of the 7B values.
Usage (from the repository root): python3 results/transfer/admire-ift/same-mixture-correlation.py
"""
import collections
import csv
import json

import numpy as np

mapping = json.load(open("examples/recorded-runs/admire-mapping.json"))
rows = list(csv.DictReader(open("../shared/runs/admire-ift-runs.csv")))
ratios = [k for k in rows[0] if k.startswith("ratio_")]
by = collections.defaultdict(dict)
for r in rows:
    by[tuple(round(float(r[k]), 6) for k in ratios)][r["model"]] = r
both = [v for v in by.values() if "Qwen2.5-7B" in v and "Qwen2.5-3B" in v]
print(f"{len(both)} mixtures recorded at both 3B and 7B")
print(f"{'metric':<18} {'corr(3B,7B)':>11} {'corr^2':>7} {'sd(7B)':>8}")
for met in mapping["metrics"]:
    c = met["column"]
    a = np.array([float(v["Qwen2.5-3B"][c]) for v in both])
    b = np.array([float(v["Qwen2.5-7B"][c]) for v in both])
    r = np.corrcoef(a, b)[0, 1]
    print(f"{met['name']:<18} {r:>11.2f} {r * r:>7.2f} {b.std():>8.4f}")
