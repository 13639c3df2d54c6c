"""Benchmark: LatentTransitionModel at 10^5 clients, 2 time points, 12 items, 6 classes,
5 starts, against the naive baseline run in the same process: a cross-sectional
LatentClassModel (same starts, same tolerance) fitted on the two time points stacked
(2 x 10^5 rows), which has no transitions at all.

Data: a known latent transition model (6 classes, 12 items with 5 levels, a transition
matrix with 0.75 on the diagonal), seeded. Prints both wall times, the ratio, the
transition matrix recovery (largest absolute error after aligning the classes) and the
ARI of the baseline-time classes.

Usage::

    python benchmarks/bench_lta.py            # 100,000 clients
    python benchmarks/bench_lta.py --quick    # 20,000 clients
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment
from sklearn.metrics import adjusted_rand_score

from clusterdiscovery import LatentClassModel, LatentTransitionModel

K, J, L = 6, 12, 5


def simulate(n, seed=2024):
    rng = np.random.default_rng(seed)
    probs = rng.dirichlet(np.full(L, 1.0), size=(K, J))  # (K, J, L)
    A = np.full((K, K), 0.25 / (K - 1))
    np.fill_diagonal(A, 0.75)
    z1 = rng.choice(K, n, p=rng.dirichlet(np.full(K, 8.0)))
    z2 = (rng.random(n)[:, None] > np.cumsum(A[z1], axis=1)).sum(axis=1)

    def items(z):
        cum = probs.cumsum(axis=2)[z]
        X = np.minimum((cum < rng.random((n, J, 1))).sum(axis=2), L - 1)
        return pd.DataFrame(X, columns=[f"item{j}" for j in range(J)])

    return [items(z1), items(z2)], (z1, z2), A, probs


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--n-init", type=int, default=5)
    args = parser.parse_args(argv)
    n = 20_000 if args.quick else 100_000
    X, (z1, _), A, probs = simulate(n)
    t0 = time.perf_counter()
    lta = LatentTransitionModel(K, n_init=args.n_init, tol=1e-6, random_state=0).fit(X)
    t_lta = time.perf_counter() - t0
    t0 = time.perf_counter()
    LatentClassModel(K, n_init=args.n_init, tol=1e-6, random_state=0).fit(
        pd.concat(X, ignore_index=True))
    t_lca = time.perf_counter() - t0
    path = lta.predict(X)
    est = np.stack([lta.probabilities_[f"item{j}"] for j in range(J)], axis=1)  # (K, J, L)
    cost = ((est[:, None] - probs[None]) ** 2).sum(axis=(2, 3))
    _, match = linear_sum_assignment(cost)  # fitted class i <-> true class match[i]
    order = np.argsort(match)
    err = np.abs(lta.transition_[np.ix_(order, order)] - A).max()
    print(f"clients {n:,}, 2 time points, {J} items, {K} classes, {args.n_init} starts")
    print(f"LatentTransitionModel: {t_lta:.1f} s ({lta.n_iter_} EM iterations of the best "
          f"start, converged {lta.converged_})")
    print(f"baseline LatentClassModel on the stacked time points: {t_lca:.1f} s")
    print(f"ratio LTA / stacked LCA: {t_lta / t_lca:.2f}")
    print(f"largest transition error {err:.4f}; ARI at time 1 "
          f"{adjusted_rand_score(z1, path[:, 0]):.3f}")
    print(f"under 2 minutes: {t_lta < 120}")


if __name__ == "__main__":
    main()
