"""Benchmark: the latent class model's ordinal items (adjacent-category logit, a batched
Newton M-step) against the same items as categorical (a closed-form M-step), run in the
same process on the same data.

Data: the package's synthetic sample, the features its schema declares ordinal (3,000
clients), fitted
with 6 classes and 3 starts each way; then the same at 10^5 clients drawn from a fitted
ordinal model (``sample``). Prints wall times, the ratio ordinal / categorical, and the BIC
of each (the ordinal item has fewer parameters).

Usage::

    python benchmarks/bench_ordinal.py            # sample, then 100,000 clients
    python benchmarks/bench_ordinal.py --quick    # sample, then 20,000 clients
"""

from __future__ import annotations

import argparse
import time

from clusterdiscovery import LatentClassModel
from clusterdiscovery.datasets import load_sample


def _fit(X, measurement, seed=0):
    t = time.perf_counter()
    m = LatentClassModel(6, measurement=measurement, n_init=3, random_state=seed).fit(X)
    return time.perf_counter() - t, m


def _compare(X, label):
    t_cat, cat = _fit(X, "categorical")
    t_ord, ordi = _fit(X, "ordinal")
    print(f"{label}: {len(X):,} clients, {X.shape[1]} items, 6 classes, 3 starts")
    print(f"  categorical {t_cat:7.2f} s  BIC {cat.bic(X):,.0f}  ({cat.n_parameters_} "
          f"parameters)")
    print(f"  ordinal     {t_ord:7.2f} s  BIC {ordi.bic(X):,.0f}  ({ordi.n_parameters_} "
          f"parameters)")
    print(f"  ratio ordinal / categorical: {t_ord / t_cat:.2f}")
    return ordi


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    n = 20_000 if ap.parse_args().quick else 100_000
    pop = load_sample()
    X = pop.clients[pop.schema.columns_of_type("ordinal")]
    ordi = _compare(X, "sample")
    big, _ = ordi.sample(n, random_state=1)
    _compare(big, "drawn from the fitted ordinal model")


if __name__ == "__main__":
    main()
