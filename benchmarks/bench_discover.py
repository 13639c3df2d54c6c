"""The default discover() pipeline on a large synthetic population: time per stage, peak memory,
and how well the chosen solution recovers the true subgroups.

Run:  python benchmarks/bench_discover.py                      # 100,000 clients
      python benchmarks/bench_discover.py --n-clients 1000000       # 10^6 clients
      python benchmarks/bench_discover.py --n-clients 20000 --seed 7   # the recovery check
      python benchmarks/bench_discover.py --quick               # 5,000 clients
      python benchmarks/bench_discover.py --n-clients 10000 --profile prof.txt  # pyinstrument
      python benchmarks/bench_discover.py --all-candidates      # every k's stability assessed

Prints the time of each stage, the total, the process's peak resident memory, the chosen
k against the true number of subgroups, and the adjusted Rand index (ARI) of the chosen
labels against the truth. As a baseline it also times a plain k-means (k = truth, n_init=10)
on the same preprocessed features in the same process and prints the pipeline's ratio to it
and that k-means's ARI.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
import warnings


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n-clients", type=int, default=100_000)
    ap.add_argument("--n-clusters", type=int, default=6)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--n-jobs", type=int, default=None)
    ap.add_argument("--quick", action="store_true", help="5,000 clients")
    ap.add_argument("--all-candidates", action="store_true",
                    help="assess the stability of every k (k_min..k_max), not the best 3")
    ap.add_argument("--accelerate", choices=["squarem", "none"], default=None,
                    help="LatentClassModel's EM accelerator (default: the model's default)")
    ap.add_argument("--profile", metavar="FILE",
                    help="profile discover() with pyinstrument and write the text tree here")
    args = ap.parse_args(argv)
    n = 5_000 if args.quick else args.n_clients

    from sklearn.cluster import KMeans
    from sklearn.metrics import adjusted_rand_score

    from clusterdiscovery import discover
    from clusterdiscovery.datasets import make_client_population
    from clusterdiscovery.features import make_preprocessor

    t0 = time.perf_counter()
    pop = make_client_population(n_clients=n, n_clusters=args.n_clusters,
                                 random_state=args.seed)
    t_gen = time.perf_counter() - t0
    print(f"population: {n:,} clients, {len(pop.events):,} events, "
          f"{args.n_clusters} true subgroups (generated in {t_gen:.1f} s)")

    config = {}
    if args.all_candidates:
        from clusterdiscovery.pipeline import DEFAULTS

        m = DEFAULTS["models"]
        config["stability"] = {"candidates": m["k_max"] - m["k_min"] + 1}
    if args.accelerate is not None:
        from clusterdiscovery import LatentClassModel

        LatentClassModel.__init__.__kwdefaults__["accelerate"] = args.accelerate
    profiler = None
    if args.profile:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.01)
        profiler.start()
    with tempfile.TemporaryDirectory() as out, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t0 = time.perf_counter()
        study = discover(config or None, data=pop, out=out, random_state=args.seed,
                         n_jobs=args.n_jobs)
        total = time.perf_counter() - t0
    if profiler is not None:
        profiler.stop()
        with open(args.profile, "w") as fh:
            fh.write(profiler.output_text(unicode=False, color=False))
        print(f"profile written to {args.profile}")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print("\nstage            seconds")
    for stage, seconds in study.timings.items():
        print(f"  {stage:<14} {seconds:8.1f}")
    print(f"  {'total':<14} {total:8.1f}")
    print(f"peak resident memory of the process: {peak_mb:,.0f} MB")
    cpu = resource.getrusage(resource.RUSAGE_SELF)
    print(f"CPU time of the process: {cpu.ru_utime + cpu.ru_stime:,.1f} s (wall {total:,.1f} s;"
          f" on a shared machine the CPU time is the fairer figure)")

    truth = pop.true_labels.loc[study.labels.index]
    ari = adjusted_rand_score(truth, study.labels)
    print(f"\nchosen: {study.model_name}, k = {study.k} (truth {args.n_clusters}; "
          f"within 1: {abs(study.k - args.n_clusters) <= 1})")
    print(f"ARI of the chosen labels against the truth: {ari:.3f}")
    print(study.candidates.to_string(index=False))

    t0 = time.perf_counter()
    X = make_preprocessor(pop.schema).fit_transform(pop.clients)
    km = KMeans(n_clusters=args.n_clusters, n_init=10, random_state=args.seed).fit(X)
    t_km = time.perf_counter() - t0
    print(f"\nbaseline k-means (k = truth, n_init=10) on the preprocessed features: "
          f"{t_km:.1f} s, ARI {adjusted_rand_score(truth, km.labels_):.3f}; "
          f"pipeline / baseline time ratio {total / t_km:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
