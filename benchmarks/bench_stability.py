"""Benchmark of assess_stability (clusterwise bootstrap Jaccard).

Data: make_blobs, 100,000 x 30, 6 centres; estimator KMeans(k=6, n_init=1); B = 100
bootstrap resamples (``--quick``: 20,000 rows, B = 20). Prints

(a) the overhead ratio: assess_stability(n_jobs=1) time / time of the same B bare
    k-means fits on the same bootstrap resamples (same seeds), i.e. what the resampling,
    label bookkeeping, Jaccard, ARI and AMI add on top of the clustering itself
    (assess_stability also fits the reference once: B + 1 fits in all);
(b) the speed-up of n_jobs=2 over n_jobs=1, twice: against n_jobs=1 with scikit-learn's
    default OpenMP threads (k-means already uses both cores) and against n_jobs=1 limited
    to one thread (loky gives each of the 2 workers one thread);
(c) the Jaccard step alone: vectorised contingency table vs a naive Python loop with
    per-cluster set intersections, on the B resamples' labels.

``--threads 1`` runs (a) and (c) with OpenMP/BLAS limited to one thread: on a busy shared
machine scikit-learn's multi-threaded k-means is slowed by oversubscription so much, and
so unevenly, that the ratio in (a) is dominated by noise otherwise.

Run: python benchmarks/bench_stability.py [--quick] [--threads 1]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from sklearn.cluster import KMeans
from sklearn.datasets import make_blobs
from threadpoolctl import threadpool_limits

from clusterdiscovery.stability import assess_stability
from clusterdiscovery.stability._estimator import seeded_clone
from clusterdiscovery.stability._metrics import clusterwise_jaccard
from clusterdiscovery.stability._resample import child_seeds, draw_indices


def bare_fits(est, X, n_resamples, random_state):
    """The same B bootstrap fits assess_stability makes, and nothing else."""
    labels = []
    for seed in child_seeds(random_state, n_resamples + 1)[1:]:
        rng = np.random.default_rng(seed)
        fit_idx, shared, first = draw_indices("bootstrap", X.shape[0], 0.8, rng)
        est_seed = int(rng.integers(0, 2**31 - 1))
        lab = seeded_clone(est, est_seed).fit_predict(X[fit_idx])
        labels.append((shared, lab[first]))
    return labels


def naive_jaccard(ref, shared, lab):
    """Per-cluster Python sets: max over D of |C ∩ D| / |C ∪ D| on the shared rows."""
    ref_s = ref[shared]
    clusters_c = {c: set(shared[ref_s == c].tolist()) for c in np.unique(ref_s)}
    clusters_d = {d: set(shared[lab == d].tolist()) for d in np.unique(lab) if d != -1}
    return [max(len(C & D) / len(C | D) for D in clusters_d.values())
            for C in clusters_c.values()]


def timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20,000 rows, B = 20")
    parser.add_argument("--threads", type=int, default=None,
                        help="thread limit for (a) and the n_jobs=1 runs (default: none)")
    args = parser.parse_args()
    n, b = (20_000, 20) if args.quick else (100_000, 100)
    X, _ = make_blobs(n_samples=n, n_features=30, centers=6, cluster_std=4.0,
                      random_state=0)
    est = KMeans(n_clusters=6, n_init=1)
    print(f"data {n} x 30, KMeans(k=6, n_init=1), B = {b} bootstrap resamples, "
          f"thread limit {args.threads}")

    with threadpool_limits(args.threads):
        t_bare, bare = timed(lambda: bare_fits(est, X, b, 0))
        t_one, res1 = timed(lambda: assess_stability(est, X, n_resamples=b,
                                                     random_state=0, n_jobs=1))
    print(f"B bare k-means fits:              {t_bare:8.2f} s")
    print(f"assess_stability n_jobs=1:        {t_one:8.2f} s")
    print(f"(a) overhead ratio:               {t_one / t_bare:8.3f}  (aim <= 1.3)")

    # start the two loky workers (imports take seconds on a busy machine) before timing
    t_warm, _ = timed(lambda: assess_stability(est, X[:2000], n_resamples=2,
                                               random_state=0, n_jobs=2))
    print(f"worker pool start-up (+2 tiny resamples): {t_warm:.2f} s (not counted below)")
    t_two, res2 = timed(lambda: assess_stability(est, X, n_resamples=b, random_state=0,
                                                 n_jobs=2))
    assert res1.jaccard.equals(res2.jaccard), "n_jobs changed the result"
    with threadpool_limits(1):
        t_one_1t, _ = timed(lambda: assess_stability(est, X, n_resamples=b,
                                                     random_state=0, n_jobs=1))
    print(f"assess_stability n_jobs=2:        {t_two:8.2f} s  (identical result)")
    print(f"assess_stability n_jobs=1, 1 thr: {t_one_1t:8.2f} s")
    print(f"(b) speed-up n_jobs=2 vs n_jobs=1 (thread limit {args.threads}): "
          f"{t_one / t_two:6.2f}")
    print(f"(b) speed-up n_jobs=2 vs n_jobs=1 (one thread):      {t_one_1t / t_two:6.2f}"
          f"  (aim >= 1.6)")

    ref = res1.reference_labels
    clusters = np.unique(ref)
    codes = np.searchsorted(clusters, ref)
    t_vec, vec = timed(lambda: [clusterwise_jaccard(codes[s], clusters.size, lab)[0]
                                for s, lab in bare])
    t_naive, naive = timed(lambda: [naive_jaccard(ref, s, lab) for s, lab in bare])
    np.testing.assert_allclose(np.vstack(vec), np.array(naive))
    print(f"(c) Jaccard step, {b} resamples: vectorised {t_vec:.3f} s, naive sets "
          f"{t_naive:.3f} s: ratio {t_naive / t_vec:.1f}x")


if __name__ == "__main__":
    main()
