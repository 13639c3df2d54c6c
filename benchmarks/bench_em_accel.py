"""The fast LatentClassModel EM against plain EM, in the same process, on the clustering
features of the synthetic client population (27 mixed columns: categorical, ordinal,
binary, gaussian, lognormal, count).

"fast": SQUAREM acceleration and short runs of the starts (the defaults,
``accelerate="squarem", start_tol=1e-5``); "plain": ``accelerate="none", start_tol=0``
(the EM before issue 16). For each k both fit the same data from the same seeds
(``n_init`` starts); the script prints the CPU time of each (``time.process_time``: fairer
than wall time on a shared machine), the ratio, the M-steps of the kept start and the
log-likelihoods. Then the stability of one solution under a few bootstrap resamples with
each engine: CPU time ratio and the clusters' mean Jaccard (equal up to Monte Carlo error
when both reach the same maxima).

Run:  python benchmarks/bench_em_accel.py                  # 10,000 clients, k = 4, 6, 8
      python benchmarks/bench_em_accel.py --n-clients 100000 --ks 6
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n-clients", type=int, default=10_000)
    ap.add_argument("--ks", type=int, nargs="+", default=[4, 6, 8])
    ap.add_argument("--n-init", type=int, default=3)
    ap.add_argument("--n-resamples", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)

    from threadpoolctl import threadpool_limits

    from clusterdiscovery import LatentClassModel, assess_stability
    from clusterdiscovery.datasets import make_client_population
    from clusterdiscovery.pipeline._stage_features import _measurement

    pop = make_client_population(n_clients=args.n_clients, n_clusters=6,
                                 random_state=args.seed)
    cols = list(pop.schema.feature_columns)
    X = pop.clients[cols]
    measurement = {c: _measurement(pop.schema.features[c]) for c in cols}
    engines = {"plain": {"accelerate": "none", "start_tol": 0.0},
               "fast": {"accelerate": "squarem", "start_tol": 1e-5}}
    print(f"{args.n_clients:,} clients, {len(cols)} columns, n_init={args.n_init}")
    print(f"{'k':>3} {'plain CPU s':>12} {'fast CPU s':>11} {'ratio':>6} {'M-steps':>12} "
          f"{'plain loglik':>16} {'fast loglik':>16}")
    total = {"plain": 0.0, "fast": 0.0}
    fitted = {}
    with threadpool_limits(limits=1), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for k in args.ks:
            row = {}
            for name, kw in engines.items():
                t = time.process_time()
                m = LatentClassModel(k, measurement=measurement, n_init=args.n_init,
                                     random_state=args.seed, **kw).fit(X)
                row[name] = (time.process_time() - t, m)
                total[name] += row[name][0]
                fitted[(name, k)] = m
            (tp, mp), (tf, mf) = row["plain"], row["fast"]
            print(f"{k:>3} {tp:12.1f} {tf:11.1f} {tp / tf:6.1f} {mp.n_iter_:>5}/{mf.n_iter_:<6}"
                  f" {mp.loglik_:16.3f} {mf.loglik_:16.3f}")
        print(f"all fits: plain {total['plain']:.1f} s, fast {total['fast']:.1f} s CPU, "
              f"ratio {total['plain'] / total['fast']:.1f}")

        k = args.ks[len(args.ks) // 2]
        print(f"\nstability of k = {k}, {args.n_resamples} bootstrap resamples:")
        for name in engines:
            est = fitted[(name, k)]
            t = time.process_time()
            res = assess_stability(est, X, n_resamples=args.n_resamples, random_state=1,
                                   reference_labels=est.labels_, warn=False)
            cpu = time.process_time() - t
            jac = ", ".join(f"{v:.2f}" for v in res.summary["jaccard_mean"])
            print(f"  {name:<6} CPU {cpu:7.1f} s   mean Jaccard per cluster: {jac}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
