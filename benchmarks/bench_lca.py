"""Benchmark: LatentClassModel vs StepMix on a large categorical latent class problem.

Data: rows simulated from a known latent class model (6 classes, 12 items with 5 levels
each, seeded). Both models get the same data, the same number of random starts, the same
iteration cap and the same convergence rule (stop when the mean log-likelihood per row
changes by less than ``tol``). Prints both final log-likelihoods (at the returned
parameters), both wall times and the time ratio, and checks the two acceptance rules:
ours reaches StepMix's log-likelihood within 1e-6 (relative) and is at least 5x faster.

Usage::

    python benchmarks/bench_lca.py            # 100,000 rows, vs StepMix
    python benchmarks/bench_lca.py --quick    # 20,000 rows
    python benchmarks/bench_lca.py --million  # also: peak memory of our fit at 1,000,000 rows
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
import warnings

import numpy as np

N_CLASSES, N_ITEMS, N_LEVELS = 6, 12, 5


def simulate(n_rows, seed=2024):
    """Rows from a known 6-class LCA; returns (codes int array (n, 12), true labels)."""
    rng = np.random.default_rng(seed)
    shares = rng.dirichlet(np.full(N_CLASSES, 8.0))
    probs = rng.dirichlet(np.full(N_LEVELS, 1.0), size=(N_CLASSES, N_ITEMS))  # (K, J, L)
    z = rng.choice(N_CLASSES, size=n_rows, p=shares)
    cum = probs.cumsum(axis=2)[z]  # (n, J, L)
    u = rng.random((n_rows, N_ITEMS, 1))
    X = np.minimum((cum < u).sum(axis=2), N_LEVELS - 1)
    return X.astype(np.int64), z


def fit_ours(X, n_init, max_iter, tol, seed):
    from clusterdiscovery.models import LatentClassModel

    t = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = LatentClassModel(N_CLASSES, n_init=n_init, max_iter=max_iter, tol=tol,
                             random_state=seed).fit(X)
    return m, time.perf_counter() - t


def fit_stepmix(X, n_init, max_iter, tol, seed):
    from stepmix.stepmix import StepMix

    t = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = StepMix(n_components=N_CLASSES, measurement="categorical", n_init=n_init,
                    max_iter=max_iter, abs_tol=tol, rel_tol=0.0, random_state=seed,
                    progress_bar=0, verbose=0).fit(X)
    elapsed = time.perf_counter() - t
    return m, elapsed


def million(n_rows=1_000_000):
    """Run in a subprocess: peak memory of our fit on ``n_rows`` rows."""
    import resource
    import tracemalloc

    X, _ = simulate(n_rows, seed=7)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    tracemalloc.start()
    m, secs = fit_ours(X, n_init=1, max_iter=1000, tol=1e-8, seed=0)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"1,000,000 rows x {N_ITEMS} items: fit {secs:.1f} s ({m.n_iter_} iterations, "
          f"converged={m.converged_}), log-likelihood {m.loglik_:.3f}")
    print(f"  data array: {X.nbytes / 2**20:.0f} MiB; peak memory allocated during fit "
          f"(tracemalloc): {peak / 2**20:.0f} MiB; process max RSS before fit "
          f"{rss_before:.0f} MiB, after fit {rss_after:.0f} MiB")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="20,000 rows instead of 100,000")
    ap.add_argument("--million", action="store_true", help="also measure memory at 1e6 rows")
    ap.add_argument("--n-init", type=int, default=3)
    ap.add_argument("--max-iter", type=int, default=1000)
    ap.add_argument("--tol", type=float, default=1e-8)
    ap.add_argument("--_million-child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args._million_child:
        million()
        return

    n = 20_000 if args.quick else 100_000
    X, z = simulate(n)
    n_unique = np.unique(X, axis=0).shape[0]
    print(f"data: {n:,} rows x {N_ITEMS} categorical items ({N_LEVELS} levels), "
          f"{N_CLASSES} true classes, {n_unique:,} unique response patterns")
    print(f"both: n_init={args.n_init}, max_iter={args.max_iter}, "
          f"stop when |change in mean log-likelihood| < {args.tol:g}")

    ours, t_ours = fit_ours(X, args.n_init, args.max_iter, args.tol, seed=0)
    ll_ours = ours.loglik_
    sm, t_sm = fit_stepmix(X, args.n_init, args.max_iter, args.tol, seed=0)
    ll_sm = sm.score(X) * n  # mean log-likelihood at StepMix's returned parameters

    from sklearn.metrics import adjusted_rand_score

    ari_ours = adjusted_rand_score(z, ours.labels_)
    ari_sm = adjusted_rand_score(z, sm.predict(X))
    print(f"clusterdiscovery LatentClassModel: loglik {ll_ours:.4f}  time {t_ours:7.2f} s  "
          f"iterations(best start) {ours.n_iter_}  ARI vs truth {ari_ours:.3f}")
    print(f"StepMix                          : loglik {ll_sm:.4f}  time {t_sm:7.2f} s  "
          f"iterations(best start) {sm.n_iter_}  ARI vs truth {ari_sm:.3f}")
    ratio = t_sm / t_ours
    rel = (ll_ours - ll_sm) / abs(ll_sm)
    print(f"time ratio StepMix / ours: {ratio:.1f}x")
    print(f"relative log-likelihood difference (ours - StepMix) / |StepMix|: {rel:+.2e}")
    ok_ll = ll_ours >= ll_sm - 1e-6 * abs(ll_sm)
    ok_t = ratio >= 5
    print(f"acceptance: loglik >= StepMix - 1e-6 rel: {'PASS' if ok_ll else 'FAIL'}; "
          f">= 5x faster: {'PASS' if ok_t else 'FAIL'}")

    if args.million:
        subprocess.run([sys.executable, __file__, "--_million-child"], check=True)


if __name__ == "__main__":
    main()
