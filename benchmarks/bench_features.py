"""Benchmark ``features.aggregate_events`` against a straightforward pandas version.

The peer is what one would write first: ``events.groupby("client_id").apply(per_client)``
where ``per_client`` computes the same columns for one client's events. Both run in this
process on the same seeded synthetic events (a second, stronger peer using built-in
groupby reductions without ``apply`` is timed too, for context) (1,000,000 events for 100,000 clients by
default); the script checks that they agree and prints both times and the ratio.

Run::

    python benchmarks/bench_features.py            # full size
    python benchmarks/bench_features.py --quick    # 100,000 events, 10,000 clients

If the naive version would take longer than ``--naive-budget`` seconds (default 120) on
the full table, it is timed on a random subset of clients and extrapolated linearly in the
number of clients; the output says so. ``--full-naive`` forces the full run.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from clusterdiscovery.features import aggregate_events

SERVICES = np.array(["outpatient", "community_contact", "medication_review",
                     "psychological_therapy", "crisis", "ae_attendance", "inpatient_day",
                     "residential_day"])
SERVICE_P = np.array([0.25, 0.25, 0.1, 0.1, 0.05, 0.03, 0.17, 0.05])
UNIT_COST = np.array([150.0, 90.0, 60.0, 120.0, 300.0, 200.0, 450.0, 250.0])
AS_OF = pd.Timestamp("2025-12-31")
WINDOW = 730.0
GAP = 7
INPATIENT = ("inpatient_day",)
CRISIS = ("crisis", "ae_attendance")


def make_events(n_events: int, n_clients: int, seed: int = 0) -> pd.DataFrame:
    """Seeded synthetic events: skewed use per client, three years of dates."""
    if n_events < n_clients:
        raise ValueError("n_events must be >= n_clients (every client has an event).")
    rng = np.random.default_rng(seed)
    activity = rng.gamma(0.6, 1.0, n_clients)
    # every client has at least one event; the rest follow a skewed activity level
    extra = rng.choice(n_clients, size=n_events - n_clients, p=activity / activity.sum())
    cid = np.concatenate([np.arange(n_clients), extra])
    svc = rng.choice(len(SERVICES), size=n_events, p=SERVICE_P)
    days = rng.integers(0, 3 * 365, n_events)
    dates = pd.Timestamp("2023-01-01") + pd.to_timedelta(days, unit="D")
    cost = UNIT_COST[svc] * rng.lognormal(0.0, 0.5, n_events)
    cost[rng.random(n_events) < 0.1] = 0.0
    return pd.DataFrame({
        "client_id": pd.Series([f"C{i:06d}" for i in range(n_clients)]).to_numpy()[cid],
        "date": dates,
        "service": SERVICES[svc],
        "cost": cost,
    })


def naive_per_client(g: pd.DataFrame) -> pd.Series:
    """The same columns for one client, the obvious way."""
    g = g[g["date"] <= AS_OF]
    out = {}
    if len(g):
        out["first_contact"] = g["date"].min()
        out["last_contact"] = g["date"].max()
        out["days_since_last_contact"] = (AS_OF - g["date"].max()).days
    else:
        out["first_contact"] = pd.NaT
        out["last_contact"] = pd.NaT
        out["days_since_last_contact"] = np.nan
    w = g[g["date"] > AS_OF - pd.Timedelta(days=WINDOW)]
    for s in SERVICES:
        sel = w[w["service"] == s]
        out[f"n_{s}"] = len(sel)
        out[f"cost_{s}"] = sel["cost"].sum()
    out["n_total"] = len(w)
    out["cost_total"] = w["cost"].sum()
    years = WINDOW / 365.25
    out["n_total_per_year"] = len(w) / years
    out["cost_total_per_year"] = w["cost"].sum() / years
    out["inpatient_days"] = w.loc[w["service"].isin(INPATIENT), "date"].dt.normalize().nunique()
    crisis = w.loc[w["service"].isin(CRISIS), "date"].sort_values()
    if len(crisis):
        gaps = crisis.diff().dt.days
        out["crisis_episodes"] = 1 + int((gaps > GAP).sum())
    else:
        out["crisis_episodes"] = 0
    return pd.Series(out)


def naive(events: pd.DataFrame) -> pd.DataFrame:
    return events.groupby("client_id").apply(naive_per_client, include_groups=False)


def pandas_vectorised(events: pd.DataFrame) -> pd.DataFrame:
    """A second, stronger peer: the same columns with built-in groupby reductions (no apply)."""
    upto = events[events["date"] <= AS_OF]
    w = upto[upto["date"] > AS_OF - pd.Timedelta(days=WINDOW)]
    g = w.groupby(["client_id", "service"])["cost"].agg(["size", "sum"]).unstack(fill_value=0)
    out = pd.DataFrame(index=pd.Index(np.sort(upto["client_id"].unique()), name="client_id"))
    for s in SERVICES:
        out[f"n_{s}"] = g["size"][s].reindex(out.index, fill_value=0) if s in g["size"] else 0
        out[f"cost_{s}"] = g["sum"][s].reindex(out.index, fill_value=0.0) if s in g["sum"] else 0.0
    out["n_total"] = w.groupby("client_id").size().reindex(out.index, fill_value=0)
    out["cost_total"] = w.groupby("client_id")["cost"].sum().reindex(out.index, fill_value=0.0)
    years = WINDOW / 365.25
    out["n_total_per_year"] = out["n_total"] / years
    out["cost_total_per_year"] = out["cost_total"] / years
    inp = w[w["service"].isin(INPATIENT)]
    out["inpatient_days"] = (inp.assign(day=inp["date"].dt.normalize())
                             .groupby("client_id")["day"].nunique()
                             .reindex(out.index, fill_value=0))
    cri = w[w["service"].isin(CRISIS)].sort_values(["client_id", "date"])
    gap = cri.groupby("client_id")["date"].diff().dt.days
    new = gap.isna() | (gap > GAP)
    out["crisis_episodes"] = new.groupby(cri["client_id"]).sum().reindex(out.index,
                                                                         fill_value=0)
    dates = upto.groupby("client_id")["date"]
    out["first_contact"] = dates.min()
    out["last_contact"] = dates.max()
    out["days_since_last_contact"] = (AS_OF - out["last_contact"]).dt.days.astype(float)
    return out


def ours(events: pd.DataFrame) -> pd.DataFrame:
    return aggregate_events(events, as_of=AS_OF, window_days=WINDOW, services=list(SERVICES),
                            episode_gap_days=GAP)


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--quick", action="store_true", help="100k events, 10k clients")
    p.add_argument("--events", type=int, default=1_000_000)
    p.add_argument("--clients", type=int, default=100_000)
    p.add_argument("--naive-budget", type=float, default=120.0)
    p.add_argument("--full-naive", action="store_true")
    p.add_argument("--repeats", type=int, default=3)
    args = p.parse_args(argv)
    if args.quick:
        args.events, args.clients = 100_000, 10_000

    events = make_events(args.events, args.clients, seed=0)
    n_clients = events["client_id"].nunique()
    print(f"events: {len(events):,} rows for {n_clients:,} clients "
          f"(as_of {AS_OF.date()}, window {WINDOW:.0f} days)")

    times = []
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        fast = ours(events)
        times.append(time.perf_counter() - t0)
    t_ours = min(times)
    print(f"aggregate_events: {t_ours:.2f} s (best of {args.repeats}; "
          f"all: {', '.join(f'{t:.2f}' for t in times)})")

    t0 = time.perf_counter()
    vec = pandas_vectorised(events)
    t_vec = time.perf_counter() - t0
    _check_agreement(fast, vec, "pandas vectorised groupby")
    print(f"pandas vectorised groupby (no apply, a stronger peer): {t_vec:.2f} s; "
          f"ratio {t_vec / t_ours:.1f}x")

    # naive: pilot on a subset of clients to decide whether the full run fits the budget
    rng = np.random.default_rng(1)
    ids = np.sort(events["client_id"].unique())
    pilot_ids = rng.choice(ids, size=max(1, len(ids) // 50), replace=False)
    pilot = events[events["client_id"].isin(pilot_ids)]
    t0 = time.perf_counter()
    naive(pilot)
    t_pilot = time.perf_counter() - t0
    estimate = t_pilot * len(ids) / len(pilot_ids)
    if args.full_naive or estimate <= args.naive_budget:
        subset_ids, sub = ids, events
        note = "full table"
    else:
        subset_ids = rng.choice(ids, size=max(1, int(len(ids) * args.naive_budget / estimate
                                                     / 2)), replace=False)
        sub = events[events["client_id"].isin(subset_ids)]
        note = (f"subset of {len(subset_ids):,} clients, EXTRAPOLATED linearly to "
                f"{len(ids):,} clients (full run estimated at {estimate:.0f} s > budget "
                f"{args.naive_budget:.0f} s; use --full-naive to run it all)")
    t0 = time.perf_counter()
    slow = naive(sub)
    t_sub = time.perf_counter() - t0
    t_naive = t_sub * len(ids) / len(subset_ids)
    print(f"pandas groupby.apply: {t_naive:.1f} s ({note}; measured {t_sub:.1f} s)")

    _check_agreement(fast, slow, "groupby.apply")
    print(f"ratio (groupby.apply / aggregate_events): {t_naive / t_ours:.0f}x  "
          f"[aim: aggregate_events < 5 s and >= 10x]")


def _check_agreement(fast: pd.DataFrame, peer: pd.DataFrame, name: str) -> None:
    """Stop with an error unless ``fast`` equals ``peer`` on the peer's clients and columns."""
    f = fast.loc[peer.index]
    cols = [c for c in peer.columns if c in f.columns]
    worst = 0.0
    for c in cols:
        a, b = f[c], peer[c]
        if c in ("first_contact", "last_contact"):
            ok = (pd.to_datetime(a).values == pd.to_datetime(b).values) | (a.isna() & b.isna())
            if not ok.all():
                raise SystemExit(f"MISMATCH with {name} in {c}")
        else:
            a, b = a.to_numpy(float), b.to_numpy(float)
            if not np.allclose(a, b, rtol=1e-9, atol=1e-6, equal_nan=True):
                raise SystemExit(f"MISMATCH with {name} in {c}: max diff "
                                 f"{np.nanmax(np.abs(a - b))}")
            worst = max(worst, float(np.nanmax(np.abs(a - b), initial=0.0)))
    print(f"agreement with {name}: {len(cols)} common columns equal on {len(peer):,} clients "
          f"(largest abs difference {worst:.2e})")


if __name__ == "__main__":
    main()
