"""Benchmark: compare_services at 10^5 clients, 8 clusters, AIPW, 1,000 bootstrap resamples,
against the naive baseline of refitting the same statsmodels models in every resample (timed
on 20 resamples per cluster and scaled to 1,000) in the same process.

Usage::

    python benchmarks/bench_what_works.py            # 100,000 clients
    python benchmarks/bench_what_works.py --quick    # 20,000 clients, 200 resamples
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

import clusterdiscovery as cd
from clusterdiscovery.services._estimators import effect, fit_models


def simulate(n, k=8, seed=0):
    rng = np.random.default_rng(seed)
    cl = rng.integers(0, k, n)
    Z = rng.normal(size=(n, 6))
    t = (rng.random(n) < 1 / (1 + np.exp(-(Z[:, 0] - 0.5)))).astype(int)
    y = 10 + Z @ np.linspace(1, 0.2, 6) + (cl % 3) * t + rng.normal(0, 2, n)
    cost = 100 + 300 * t + rng.gamma(2, 50, n)
    df = pd.DataFrame(Z, columns=[f"z{j}" for j in range(6)])
    return df.assign(k=cl, service=t, y=y, cost=cost)


def main(argv=None):
    p = argparse.ArgumentParser()
    p.add_argument("--quick", action="store_true")
    args = p.parse_args(argv)
    n, B = (20_000, 200) if args.quick else (100_000, 1000)
    df = simulate(n)
    conf = [f"z{j}" for j in range(6)]
    t0 = time.perf_counter()
    res = cd.compare_services(df, df["k"], service="service", outcome="y", confounders=conf,
                              cost="cost", n_bootstrap=B, random_state=0, n_jobs=2)
    ours = time.perf_counter() - t0
    # baseline: statsmodels refits per resample, 20 resamples of every cluster, scaled
    rng = np.random.default_rng(1)
    t0 = time.perf_counter()
    for k in range(8):
        sub = df[df.k == k]
        X = np.column_stack([np.ones(len(sub)), sub[conf].to_numpy()])
        t, y = sub["service"].to_numpy(float), sub["y"].to_numpy()
        for _ in range(20):
            w = np.bincount(rng.integers(0, len(sub), len(sub)), minlength=len(sub)).astype(float)
            effect(X, t, y, w, False, "aipw", fit_models(X, t, y, w, False, "aipw"))
            effect(X, t, sub["cost"].to_numpy(), w, False, "aipw",
                   fit_models(X, t, sub["cost"].to_numpy(), w, False, "aipw"))
    naive = (time.perf_counter() - t0) * B / 20 * 1.0
    print(f"clients {n:,}, 8 clusters, AIPW, outcome and cost, {B} bootstrap resamples")
    print(f"compare_services: {ours:.1f} s (n_jobs=2)")
    print(f"statsmodels refit per resample (20 timed, scaled to {B}): {naive:.1f} s")
    print(f"ratio baseline / ours: {naive / ours:.1f}")
    print(res.summary[["cluster", "estimate", "ci_low", "ci_high"]].round(3).to_string())
    print(f"under 2 minutes: {ours < 120}")


if __name__ == "__main__":
    main()
