"""The default discover() pipeline on a large synthetic population: time per stage, peak memory,
and how well the chosen solution recovers the true subgroups.

Run:  python benchmarks/bench_discover.py                      # 100,000 clients
      python benchmarks/bench_discover.py --n-clients 1000000       # 10^6 clients
      python benchmarks/bench_discover.py --n-clients 20000 --seed 7   # the recovery check
      python benchmarks/bench_discover.py --quick               # 5,000 clients
      python benchmarks/bench_discover.py --n-clients 10000 --profile prof.txt  # pyinstrument
      python benchmarks/bench_discover.py --all-candidates      # every k's stability assessed

Prints the CPU and wall time of each stage (CPU of this process: pass ``--n-jobs 1`` to
compare CPU figures, since worker processes are not counted), the total, the peak memory
of each stage (this process's resident memory, and the whole process tree's: this process
and its joblib workers, summed as proportional set sizes so that pages they share, such as
memory-mapped arrays, count once), the chosen
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
from types import SimpleNamespace


class MemoryWatch:
    """Sample this process's RSS and the process tree's summed PSS every ``interval`` s;
    keep the peak of each labelled stage."""

    def __init__(self, interval=0.5):
        import threading

        import psutil

        self.proc, self.stage, self.interval = psutil.Process(), "start", interval
        self.peaks = {}  # stage -> [own RSS MB, tree PSS MB]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _sample(self):
        import psutil

        own = self.proc.memory_info().rss
        tree = 0
        for p in [self.proc, *self.proc.children(recursive=True)]:
            try:
                tree += p.memory_full_info().pss
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                pass
        peak = self.peaks.setdefault(self.stage, [0.0, 0.0])
        peak[0], peak[1] = max(peak[0], own / 2**20), max(peak[1], tree / 2**20)

    def _run(self):
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(self.interval)

    def mark(self, stage):
        self._sample()
        self.stage = stage

    def stop(self):
        self._sample()
        self._stop.set()
        self._thread.join()


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

    watch = MemoryWatch()
    watch.mark("generate")
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
    # the pipeline's stage clock records wall time here and returns CPU time (this
    # process; with n_jobs > 1 the workers' CPU is not counted, so compare CPU at n_jobs=1)
    import clusterdiscovery.pipeline._progress as pipeline

    stamps = []
    names = iter(["data", "features", "models", "stability", "profile", "describe", "write"])

    def both():
        stamps.append(time.perf_counter())
        watch.mark(next(names, "after") if len(stamps) % 2 else "between stages")
        return time.process_time()

    pipeline.time = SimpleNamespace(perf_counter=both)
    with tempfile.TemporaryDirectory() as out, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t0 = time.perf_counter()
        study = discover(config or None, data=pop, out=out, random_state=args.seed,
                         n_jobs=args.n_jobs)
        total = time.perf_counter() - t0
    pipeline.time = time
    watch.stop()
    if profiler is not None:
        profiler.stop()
        with open(args.profile, "w") as fh:
            fh.write(profiler.output_text(unicode=False, color=False))
        print(f"profile written to {args.profile}")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    cpu_stage = dict(study.timings)
    wall = {name: stamps[2 * i + 1] - stamps[2 * i] for i, name in enumerate(cpu_stage)}
    print("\nstage             CPU s    wall s   peak MB (this process, process tree)")
    for stage in cpu_stage:
        own, tree = watch.peaks.get(stage, [float("nan")] * 2)
        print(f"  {stage:<14} {cpu_stage[stage]:8.1f} {wall[stage]:9.1f}   {own:8,.0f} {tree:8,.0f}")
    print(f"  {'total':<14} {sum(cpu_stage.values()):8.1f} {total:9.1f}")
    own, tree = watch.peaks["generate"]
    print(f"  (generating the population: {own:,.0f} MB, before discover)")
    tree_peak = max(v[1] for k, v in watch.peaks.items() if k != "generate")
    print(f"peak resident memory of the process: {peak_mb:,.0f} MB; of the process tree "
          f"during discover (summed PSS, sampled every {watch.interval} s): {tree_peak:,.0f} MB")
    cpu = resource.getrusage(resource.RUSAGE_SELF)
    print(f"CPU time of the process: {cpu.ru_utime + cpu.ru_stime:,.1f} s (wall {total:,.1f} s;"
          f" on a shared machine the CPU time is the fairer figure)")

    truth = pop.true_labels.loc[study.labels.index]
    ari = adjusted_rand_score(truth, study.labels)
    print(f"\nchosen: {study.model_name}, k = {study.k} (truth {args.n_clusters}; "
          f"within 1: {abs(study.k - args.n_clusters) <= 1})")
    print(f"ARI of the chosen labels against the truth: {ari:.3f}")
    print(study.candidates.to_string(index=False))

    t0, c0 = time.perf_counter(), time.process_time()
    X = make_preprocessor(pop.schema).fit_transform(pop.clients)
    km = KMeans(n_clusters=args.n_clusters, n_init=10, random_state=args.seed).fit(X)
    t_km, c_km = time.perf_counter() - t0, time.process_time() - c0
    print(f"\nbaseline k-means (k = truth, n_init=10) on the preprocessed features: "
          f"{t_km:.1f} s wall, {c_km:.1f} s CPU, ARI {adjusted_rand_score(truth, km.labels_):.3f}; "
          f"pipeline / baseline time ratio {total / t_km:.1f} (wall), "
          f"{sum(cpu_stage.values()) / c_km:.1f} (CPU)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
