"""Benchmark of profile_clusters (run: python benchmarks/bench_profiles.py [--quick]).

Prints, for each scenario, the wall time and peak traced memory of ``profile_clusters``
(Table 1, v-tests, SMD, eta squared, BCa cost intervals with 2,000 resamples, variance
explained, suppression) and its ratio to a plain pandas ``groupby().agg`` profile (means,
SDs, medians, quartiles, level shares; no tests, no intervals) run in the same process.
Then the BCa interval alone against ``scipy.stats.bootstrap(method="BCa")`` on the same
cost vector of 100,000 clients (same number of resamples).

Scenarios: the issue's 100,000 clients x 40 variables x 8 clusters, and the brief's
1,000,000 clients x 20 variables x 8 clusters (``--quick`` divides sizes by 10).
"""

from __future__ import annotations

import argparse
import time
import tracemalloc
import warnings

import numpy as np
import pandas as pd
from scipy import stats

from clusterdiscovery.profiling import profile_clusters
from clusterdiscovery.profiling._bootstrap import bca_interval_mean


def make_data(n: int, n_vars: int, k: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    lab = rng.integers(0, k, n)
    cols = {}
    n_cat = n_vars // 5
    n_ord = n_vars // 5
    n_num = n_vars - n_cat - n_ord
    for j in range(n_num):
        cols[f"x{j}"] = rng.normal(lab * 0.1 * (j % 3), 1.0, n)
    for j in range(n_ord):
        cols[f"honos_{j + 1}"] = np.clip(np.round(rng.normal(1 + 0.2 * (lab % 4), 1.0, n)),
                                         0, 4)
    levels = np.array(["settled", "supported", "unstable", "homeless", "other"])
    for j in range(n_cat):
        cols[f"cat{j}"] = pd.Categorical(levels[(rng.integers(0, 5, n) + lab * (j % 2)) % 5])
    cost = rng.gamma(0.6, 1500.0 * (1 + lab % 3), n)
    cost[rng.random(n) < 0.15] = 0.0
    cols["cost"] = cost
    df = pd.DataFrame(cols)
    return df, lab


def pandas_profile(df: pd.DataFrame, lab: np.ndarray):
    """The plain pandas profile the ratio is taken against."""
    g = df.assign(_cl=lab).groupby("_cl", observed=True)
    num = df.select_dtypes("number").columns
    out = [g[list(num)].agg(["mean", "std", "median"]),
           g[list(num)].quantile(0.25), g[list(num)].quantile(0.75)]
    for c in df.columns.difference(num):
        out.append(pd.crosstab(lab, df[c], normalize="index"))
    return out


def run(n: int, n_vars: int, k: int, n_bootstrap: int, n_jobs: int):
    df, lab = make_data(n, n_vars, k)
    t = time.perf_counter()
    pandas_profile(df, lab)
    t_pd = time.perf_counter() - t
    tracemalloc.start()
    t = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        prof = profile_clusters(df, lab, costs="cost", n_bootstrap=n_bootstrap,
                                random_state=0, n_jobs=n_jobs)
    t_cd = time.perf_counter() - t
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    data_mb = df.memory_usage(deep=True).sum() / 2**20
    print(f"{n:>9,} clients x {n_vars} variables x {k} clusters, {n_bootstrap} resamples, "
          f"n_jobs={n_jobs}: profile_clusters {t_cd:6.1f} s (peak traced memory "
          f"{peak / 2**20:,.0f} MB; data {data_mb:,.0f} MB); pandas groupby().agg profile "
          f"without intervals {t_pd:5.2f} s; ratio {t_cd / t_pd:5.1f}x")
    return prof


def bca_vs_scipy(n: int, n_bootstrap: int):
    rng = np.random.default_rng(1)
    x = rng.gamma(0.6, 1500.0, n)
    t = time.perf_counter()
    lo, hi = bca_interval_mean(x, n_bootstrap, np.random.default_rng(2))
    t_ours = time.perf_counter() - t
    t = time.perf_counter()
    # batch bounds scipy's memory (its jackknife otherwise holds an n x (n - 1) array)
    res = stats.bootstrap((x,), np.mean, n_resamples=n_bootstrap, method="BCa",
                          rng=np.random.default_rng(3), batch=200)
    t_sp = time.perf_counter() - t
    ci = res.confidence_interval
    print(f"BCa for the mean of {n:,} costs, {n_bootstrap} resamples: ours {t_ours:.2f} s "
          f"[{lo:,.1f}, {hi:,.1f}], scipy.stats.bootstrap {t_sp:.2f} s "
          f"[{ci.low:,.1f}, {ci.high:,.1f}]; scipy / ours = {t_sp / t_ours:.1f}x")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="sizes divided by 10")
    ap.add_argument("--n-jobs", type=int, default=1)
    ap.add_argument("--skip-large", action="store_true", help="skip the 1,000,000 scenario")
    ap.add_argument("--bca-only", action="store_true", help="only the BCa comparison")
    ap.add_argument("--no-bca", action="store_true", help="skip the BCa comparison")
    args = ap.parse_args()
    div = 10 if args.quick else 1
    if not args.bca_only:
        run(100_000 // div, 40, 8, 2000, args.n_jobs)
    if not (args.skip_large or args.bca_only):
        run(1_000_000 // div, 20, 8, 2000, args.n_jobs)
    if not args.no_bca:
        bca_vs_scipy(100_000 // div, 2000)


if __name__ == "__main__":
    main()
