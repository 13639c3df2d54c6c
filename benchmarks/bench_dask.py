"""The Dask engine end to end on a LocalCluster: Parquet events -> per-client features ->
latent class fit -> assignment -> Parquet, with time and peak memory per worker, and the
in-memory versus Dask log-likelihood from the same starting values.

Run:  python benchmarks/bench_dask.py                              # 10^7 clients, 10^8 events
      python benchmarks/bench_dask.py --n-clients 1000000 --compare  # + in-memory agreement
      python benchmarks/bench_dask.py --quick                       # 10^4 clients (a minute)

Clients are generated in chunks by ``make_client_population`` (seeded per chunk, true
subgroups kept) and written straight to Parquet, one file per chunk, so the generator never
holds more than one chunk: a chunk's events are its clients' events (about 10 per client
per year on average), so the event files are split by client and the aggregation skips the
shuffle (``by_client=True``). The cluster is ``LocalCluster(n_workers=2,
threads_per_worker=1)``; the peak resident memory of each worker process is read from
the workers at the end (``resource.getrusage``), the client's own from this process.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import time
import warnings
from pathlib import Path

#: clustering columns and their latent class measurement (the sample schema's features)
N_CLUSTERS = 6


def _peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def generate(root: Path, n_clients: int, chunk: int, seed: int):
    """Write clients/part-*.parquet and events/part-*.parquet; return (n_events, schema)."""
    from clusterdiscovery.datasets import make_client_population

    (root / "clients").mkdir(parents=True)
    (root / "events").mkdir()
    n_events, schema = 0, None
    for i, start in enumerate(range(0, n_clients, chunk)):
        size = min(chunk, n_clients - start)
        pop = make_client_population(n_clients=size, n_clusters=N_CLUSTERS,
                                     random_state=seed + i)
        prefix = f"c{i:05d}-"
        clients = pop.clients.copy()
        clients.index = prefix + clients.index.astype(str)
        clients["true_cluster"] = pop.true_labels.to_numpy()
        events = pop.events.copy()
        events["client_id"] = prefix + events["client_id"].astype(str)
        clients.to_parquet(root / "clients" / f"part-{i:05d}.parquet")
        events.to_parquet(root / "events" / f"part-{i:05d}.parquet", index=False)
        n_events += len(events)
        schema = pop.schema
    return n_events, schema


def worker_peaks(client):
    def peak():
        import resource as r

        return r.getrusage(r.RUSAGE_SELF).ru_maxrss / 1024

    return client.run(peak)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n-clients", type=int, default=10_000_000)
    ap.add_argument("--chunk", type=int, default=50_000,
                    help="clients per Parquet file (one partition in flight per worker)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--memory-limit", default="auto", help="per worker, e.g. '6GB'")
    ap.add_argument("--n-components", type=int, default=N_CLUSTERS)
    ap.add_argument("--compare", action="store_true",
                    help="also fit in memory from the same start and compare log-likelihoods")
    ap.add_argument("--quick", action="store_true", help="10^4 clients, with --compare")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--keep", help="directory to write the Parquet files to (kept)")
    args = ap.parse_args(argv)
    n = 10_000 if args.quick else args.n_clients
    chunk = min(args.chunk, max(n // 4, 1)) if args.quick else args.chunk
    compare = args.compare or args.quick

    import dask.dataframe as dd
    from distributed import Client, LocalCluster
    from sklearn.metrics import adjusted_rand_score
    from sklearn.utils import check_random_state

    from clusterdiscovery import LatentClassModel
    from clusterdiscovery.features import aggregate_events_dask
    from clusterdiscovery.models._lca_dask import fit_dask, prepare_dask, start_params
    from clusterdiscovery.persistence import build_model
    from clusterdiscovery.pipeline._stage_features import _measurement

    root = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench_dask_"))
    times = {}
    # Start the workers first: a forked process inherits its parent's peak resident size,
    # so workers started after the data generation would report the client's peak.
    cluster = LocalCluster(n_workers=args.workers, threads_per_worker=1,
                           memory_limit=args.memory_limit, dashboard_address=None)
    client = Client(cluster)
    start_peaks = worker_peaks(client)
    try:
        t0 = time.perf_counter()
        n_events, schema = generate(root, n, chunk, args.seed)
        times["generate to Parquet"] = time.perf_counter() - t0
        print(f"{n:,} clients, {n_events:,} events in {len(list((root / 'events').iterdir()))}"
              f" Parquet files ({times['generate to Parquet']:.1f} s)")

        cols = list(schema.feature_columns)
        measurement = {c: _measurement(schema.features[c]) for c in cols}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t0 = time.perf_counter()
            events = dd.read_parquet(root / "events")
            agg = aggregate_events_dask(events, window_days=365, by_client=True)
            agg.to_parquet(root / "features")
            times["aggregate events"] = time.perf_counter() - t0

            clients = dd.read_parquet(root / "clients")
            X = clients[cols]
            model = LatentClassModel(args.n_components, measurement=measurement,
                                     random_state=args.seed)
            # the starting values, drawn once so the in-memory fit can start from them too
            model._check_params()
            parts, stats, _ = prepare_dask(model, X)
            start = start_params(model, parts, stats, check_random_state(args.seed))
            del parts
            t0 = time.perf_counter()
            fit_dask(model, X, starts=[start])
            times["fit (1 start)"] = time.perf_counter() - t0

            t0 = time.perf_counter()
            spec = build_model(model)
            spec.assign(X).to_parquet(root / "labels")
            times["assign -> Parquet"] = time.perf_counter() - t0

        peaks = worker_peaks(client)
        print("\nstage                     seconds")
        for k, v in times.items():
            print(f"  {k:<24}{v:9.1f}")
        print(f"fit: {model.n_iter_} M-steps (SQUAREM), log-likelihood {model.loglik_:.6f}")
        for addr, mb in peaks.items():
            print(f"peak resident memory of worker {addr}: {mb:,.0f} MB (at its start "
                  f"{start_peaks[addr]:,.0f} MB)")
        print(f"peak resident memory of the client process: {_peak_mb():,.0f} MB")

        labels = dd.read_parquet(root / "labels", columns=["label"]).compute()["label"]
        truth = dd.read_parquet(root / "clients", columns=["true_cluster"]).compute()
        truth = truth["true_cluster"].loc[labels.index]
        print(f"ARI of the Dask fit against the true subgroups: "
              f"{adjusted_rand_score(truth, labels):.3f}")

        if compare:
            client.close()
            cluster.close()
            t0 = time.perf_counter()
            Xm = dd.read_parquet(root / "clients", columns=cols).compute()
            ref = LatentClassModel(args.n_components, measurement=measurement)
            from clusterdiscovery.models._lca_data import compress

            ref._check_params()
            data = ref._encode(Xm, fit=True)
            pdata, w = compress(data, ref._n_levels, None)
            mstats = ref._column_stats(pdata, w)
            _, ll, _, n_iter, _ = ref._run_em(ref._design(pdata), w, start, mstats)
            t_mem = time.perf_counter() - t0
            rel = abs(ll - model.loglik_) / abs(ll)
            print(f"\nin memory from the same start: log-likelihood {ll:.6f} ({n_iter} M-steps, "
                  f"{t_mem:.1f} s); Dask {model.loglik_:.6f}; relative difference {rel:.2e} "
                  f"({'<' if rel < 1e-8 else '>='} 1e-8)")
        else:
            client.close()
            cluster.close()
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
