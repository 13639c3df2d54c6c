"""Regenerate the committed sample data.

Usage (from the repository root)::

    python -m clusterdiscovery.datasets.make_sample [--out DIR]

The default folder is the package's own sample, ``src/clusterdiscovery/data/sample`` of the
source checkout (package data, installed with the package).

Writes ``clients.csv``, ``events.csv`` (``events.csv.gz`` if large), ``assignments.csv``,
``teams.csv``, ``true_labels.csv``, ``schema.toml`` and the second assessment a year
later (``followup.csv``, ``followup_labels.csv``) and the services with known effects
(``services.csv``) for a population of 3,000 clients
in 6 subgroups drawn with the fixed seed 2024.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

from ._followup import make_followup, write_followup
from ._generate import make_client_population
from ._sample import (
    SAMPLE_CLIENTS,
    SAMPLE_CLUSTERS,
    SAMPLE_SEED,
    default_sample_dir,
    write_population,
)
from ._services import make_services, write_services


def make_sample(out=None, *, n_clients=SAMPLE_CLIENTS, n_clusters=SAMPLE_CLUSTERS,
                random_state=SAMPLE_SEED):
    """Draw the sample population and write it to ``out``; return the paths written."""
    pop = make_client_population(n_clients, n_clusters, random_state=random_state)
    out = default_sample_dir() if out is None else out
    paths = write_population(pop, out)
    # the second assessment from a stream of its own: the other files stay as they were
    followup = make_followup(pop, random_state=np.random.default_rng(
        np.random.SeedSequence([random_state, 2])))
    services = make_services(pop, random_state=np.random.default_rng(
        np.random.SeedSequence([random_state, 3])))
    return paths + write_followup(followup, out) + write_services(services, out)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m clusterdiscovery.datasets.make_sample",
        description="Write the synthetic sample population (fixed seed) as CSV files.",
    )
    parser.add_argument("--out", default=None,
                        help="output folder (default: the package's sample, "
                             "src/clusterdiscovery/data/sample)")
    parser.add_argument("--n-clients", type=int, default=SAMPLE_CLIENTS)
    parser.add_argument("--n-clusters", type=int, default=SAMPLE_CLUSTERS)
    parser.add_argument("--seed", type=int, default=SAMPLE_SEED)
    args = parser.parse_args(argv)
    paths = make_sample(args.out, n_clients=args.n_clients, n_clusters=args.n_clusters,
                        random_state=args.seed)
    for p in paths:
        sys.stdout.write(f"wrote {p} ({p.stat().st_size / 1e6:.2f} MB)\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
