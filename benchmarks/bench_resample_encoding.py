"""Stability resamples of the latent class model: patterns taken from the full table's
encoding (the default) against encoding every resample anew.

Run:  python benchmarks/bench_resample_encoding.py                    # 10,000 clients
      python benchmarks/bench_resample_encoding.py --n-clients 100000 --n-resamples 3

Runs the default ``discover`` up to its first stability assessment (the best-BIC latent
class candidate, on the pipeline's own feature table), then times ``assess_stability`` of
that candidate both ways in CPU seconds of this process (``n_jobs=1``) and checks that
the per-resample Jaccard values are identical.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings


class _Captured(Exception):
    pass


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n-clients", type=int, default=10_000)
    ap.add_argument("--n-resamples", type=int, default=10)
    ap.add_argument("--seed", type=int, default=11)
    args = ap.parse_args(argv)

    import numpy as np

    import clusterdiscovery.stability as stability
    from clusterdiscovery import LatentClassModel, discover
    from clusterdiscovery.datasets import make_client_population

    pop = make_client_population(n_clients=args.n_clients, random_state=args.seed)
    assess = stability.assess_stability
    call = {}

    def capture(estimator, X, **kw):
        call.update(estimator=estimator, X=X, kw=kw)
        raise _Captured

    stability.assess_stability = capture
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            discover(data=pop, random_state=args.seed, n_jobs=1)
        except _Captured:
            pass
    stability.assess_stability = assess
    est, X = call["estimator"], call["X"]
    kw = dict(call["kw"], n_resamples=args.n_resamples, n_jobs=1, resume=None)
    print(f"{args.n_clients:,} clients, {type(est).__name__} k = {est.n_components}, "
          f"n_init = {est.n_init}, {args.n_resamples} bootstrap resamples")
    out = {}
    for name in ("encoded once", "encoded per resample"):
        if name == "encoded per resample":
            LatentClassModel._row_subsets = lambda self, X: None
        t0 = time.process_time()
        out[name] = assess(est, X, **kw)
        print(f"  {name:<22} {time.process_time() - t0:7.1f} s CPU")
    a, b = (r.jaccard.to_numpy() for r in out.values())
    print(f"  identical Jaccard values: {bool(np.array_equal(a, b, equal_nan=True))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
