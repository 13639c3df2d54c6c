"""Assigning new clients with a model file: time and peak memory, against the in-memory model.

Fits a latent class model (mixed categorical/gaussian/poisson columns, with missing values)
and a k-means model behind ``make_preprocessor`` on 5,000 synthetic clients, writes both as
model files, loads them, and assigns N new clients (default 1,000,000: the 5,000-client
population's rows resampled, with fresh ids). Compared with the fitted estimator's own
``predict`` in the same process (for k-means: ``preprocessor.transform`` then ``predict``).

Time is the best of two runs; peak memory is the largest traced allocation during a third
run (tracemalloc, which sees numpy and pandas buffers), above what was allocated before it.

Usage::

    python benchmarks/bench_assign.py            # 1,000,000 clients
    python benchmarks/bench_assign.py --quick    # 100,000 clients
"""

from __future__ import annotations

import argparse
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
from sklearn.cluster import KMeans

import clusterdiscovery as cd
from clusterdiscovery import LatentClassModel
from clusterdiscovery.features import make_preprocessor
from clusterdiscovery.persistence import load_model, save_model

LCA_COLUMNS = {"sex": "categorical", "housing": "categorical", "employment": "categorical",
               "ethnicity": "categorical", "honos_1": "categorical", "honos_2": "categorical",
               "honos_9": "categorical", "substance_use": "categorical",
               "justice_involvement": "categorical", "age": "gaussian",
               "years_known": "gaussian", "prior_admissions": "poisson"}


def measure(fn, repeat: int = 2):
    """(result, best wall time of ``repeat`` untraced runs, traced peak MB of one more run)."""
    best = np.inf
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return out, best, peak / 2**20


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="clients to assign")
    parser.add_argument("--quick", action="store_true", help="100,000 clients")
    args = parser.parse_args(argv)
    n = 100_000 if args.quick else args.n

    pop = cd.datasets.make_client_population(n_clients=5000, random_state=0)
    train = pop.clients
    rng = np.random.default_rng(1)
    new = train.iloc[rng.integers(0, len(train), n)].reset_index(drop=True)
    new.index = [f"N{i:07d}" for i in range(n)]
    new.index.name = "client_id"
    print(f"assigning {n:,} new clients ({new.shape[1]} columns)")

    with tempfile.TemporaryDirectory() as tmp:
        lca = LatentClassModel(6, measurement=LCA_COLUMNS, random_state=0)
        lca.fit(train[list(LCA_COLUMNS)])
        save_model(Path(tmp) / "lca.json", lca)
        lca_file = load_model(Path(tmp) / "lca.json")

        pre = make_preprocessor(pop.schema)
        km = KMeans(6, n_init=2, random_state=0).fit(pre.fit_transform(train))
        save_model(Path(tmp) / "km.json", km, preprocessor=pre, X=train)
        km_file = load_model(Path(tmp) / "km.json")
        sizes = {p.name: p.stat().st_size for p in Path(tmp).iterdir()}

    rows = []
    out, t_file, m_file = measure(lambda: lca_file.assign(new))
    ref, t_mem, m_mem = measure(lambda: lca.predict(new[list(LCA_COLUMNS)]))
    assert (out["label"].to_numpy() == ref).all()
    rows.append(("latent class (12 mixed columns, K=6)", t_file, m_file, t_mem, m_mem,
                 sizes["lca.json"]))
    out, t_file, m_file = measure(lambda: km_file.assign(new))
    ref, t_mem, m_mem = measure(lambda: km.predict(pre.transform(new)))
    agree = (out["label"].to_numpy() == ref).mean()
    rows.append((f"k-means + make_preprocessor ({km.n_features_in_} inputs, K=6)", t_file,
                 m_file, t_mem, m_mem, sizes["km.json"]))

    print(f"{'model':52s} {'file assign':>12s} {'peak MB':>8s} {'in-memory':>10s} "
          f"{'peak MB':>8s} {'ratio':>6s} {'file KB':>8s}")
    for name, tf, mf, tm, mm, size in rows:
        print(f"{name:52s} {tf:10.2f} s {mf:8.0f} {tm:8.2f} s {mm:8.0f} {tf / tm:6.2f} "
              f"{size / 1024:8.1f}")
    print(f"labels identical to the in-memory model: latent class yes; k-means {agree:.6f}")
    print("ratio = time of ClusterModel.assign (labels, probabilities, uncertain flag, "
          "names) / time of the estimator's predict (labels only)")


if __name__ == "__main__":
    main()
