"""The study's choice on a synthetic population with known subgroups: chosen k, ARI and the
time of each stage in CPU seconds of this process (robust on a shared machine) and wall time.

Run:  python benchmarks/bench_choice.py --n-clients 20000 --seed 11
Prints the chosen k against the truth (make_client_population's 6 subgroups), the adjusted
Rand index of the chosen labels, the candidates table and, per stage, CPU and wall seconds.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import warnings


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n-clients", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=11)
    args = ap.parse_args(argv)

    from types import SimpleNamespace

    import pandas as pd
    from sklearn.metrics import adjusted_rand_score

    import clusterdiscovery.pipeline._progress as pipeline
    from clusterdiscovery import discover
    from clusterdiscovery.datasets import make_client_population

    pop = make_client_population(n_clients=args.n_clients, random_state=args.seed)
    truth_k = int(pop.true_labels.nunique())
    real = time.perf_counter
    stamps = []

    def both():  # the pipeline's stage clock: record wall time, return CPU time
        stamps.append(real())
        return time.process_time()

    pipeline.time = SimpleNamespace(perf_counter=both)
    with tempfile.TemporaryDirectory() as out, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        study = discover(data=pop, out=out, random_state=args.seed)
    cpu = dict(study.timings)
    wall = {name: stamps[2 * i + 1] - stamps[2 * i] for i, name in enumerate(cpu)}
    ari = adjusted_rand_score(pop.true_labels.loc[study.labels.index], study.labels)
    print(f"{args.n_clients:,} clients, seed {args.seed}: chosen k = {study.k} (truth "
          f"{truth_k}; within 1: {abs(study.k - truth_k) <= 1}), ARI {ari:.3f}")
    pd.set_option("display.width", 200)
    print(study.candidates.round(3).to_string(index=False))
    print("\nstage          CPU s    wall s")
    for name in cpu:
        print(f"  {name:<10} {cpu[name]:8.1f} {wall[name]:9.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
