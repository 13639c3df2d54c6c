"""Benchmark of monitoring.review_status on a large synthetic caseload.

Run:  python benchmarks/bench_monitoring.py            (1,000,000 assignments, 5,000,000 contacts)
      python benchmarks/bench_monitoring.py --quick    (100,000 / 500,000)

Prints the wall time and peak memory of ``review_status`` and, as a peer run in the same
process, a plain pandas groupby/merge implementation of the same rules without discharges
(``naive_status``); the two must agree client by client. Also times ``trend`` over 36
month ends.
"""

from __future__ import annotations

import argparse
import resource
import time
import tracemalloc

import numpy as np
import pandas as pd

from clusterdiscovery.monitoring import load_review_periods, review_status, trend


def make_data(n_assign: int, n_contacts: int, n_clients: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    ids = pd.Index([f"C{i:07d}" for i in range(n_clients)])
    teams = np.array([f"T{i:02d}" for i in range(40)])
    client_team = rng.integers(0, teams.size, n_clients)
    start = np.datetime64("2023-01-01", "D").astype(np.int64)
    c_client = rng.integers(0, n_clients, n_contacts)
    c_day = start + rng.integers(0, 3 * 365, n_contacts)
    codes = load_review_periods().index.to_numpy()
    a_client = rng.integers(0, n_clients, n_assign)
    a_day = start + rng.integers(0, 3 * 365, n_assign)
    contacts = pd.DataFrame({
        "client_id": ids[c_client],
        "date": c_day.astype("datetime64[D]").astype("datetime64[s]"),
        "team": teams[client_team[c_client]],
    })
    assignments = pd.DataFrame({
        "client_id": ids[a_client],
        "cluster": rng.choice(codes, n_assign),
        "assigned_on": a_day.astype("datetime64[D]").astype("datetime64[s]"),
        "team": teams[client_team[a_client]],
    })
    return assignments, contacts


def naive_status(assignments, contacts, as_of, lookback_days=365, due_within_days=28,
                 missing_threshold=2):
    """Peer: the obvious pandas groupby/merge version (no discharges, no exclusions)."""
    as_of = pd.Timestamp(as_of)
    con = contacts.drop_duplicates()
    con = con.loc[con["date"] <= as_of]
    g = con.groupby("client_id")
    per = pd.DataFrame({"last_contact": g["date"].max(), "n_contacts": g.size()})
    per = per.loc[per["last_contact"] >= as_of - pd.Timedelta(days=lookback_days)]
    asg = assignments.drop_duplicates()
    asg = asg.loc[asg["assigned_on"] <= as_of]
    last = asg.sort_values(["client_id", "assigned_on"], kind="stable").drop_duplicates(
        "client_id", keep="last").set_index("client_id")
    periods = load_review_periods()
    per = per.join(last[["cluster", "assigned_on"]], how="left")
    due = pd.Series(pd.NaT, index=per.index, dtype="datetime64[s]")
    for code, off in periods["offset"].items():
        sel = per["cluster"] == code
        due[sel] = per.loc[sel, "assigned_on"] + off
    left = (due - as_of).dt.days
    status = np.where(per["cluster"].isna(),
                      np.where(per["n_contacts"] >= missing_threshold, "missing", "due"),
                      np.where(left < 0, "expired",
                               np.where(left <= due_within_days, "due", "current")))
    return pd.Series(status, index=per.index, name="status")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="1/10 of the full size")
    ap.add_argument("--no-tracemalloc", action="store_true",
                    help="skip the traced second run (tracemalloc slows numpy a little)")
    args = ap.parse_args(argv)
    scale = 10 if args.quick else 1
    n_assign, n_contacts, n_clients = 1_000_000 // scale, 5_000_000 // scale, 250_000 // scale
    t0 = time.perf_counter()
    assignments, contacts = make_data(n_assign, n_contacts, n_clients)
    print(f"data: {n_assign:,} assignments, {n_contacts:,} contacts, {n_clients:,} clients "
          f"(made in {time.perf_counter() - t0:.1f} s)")
    as_of = "2025-06-30"

    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    res = review_status(assignments, contacts, as_of=as_of)
    t_ours = time.perf_counter() - t0
    rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"review_status: {t_ours:.2f} s for {len(res):,} clients in service; "
          f"peak RSS {rss1 / 1024:.0f} MB (growth during the call {(rss1 - rss0) / 1024:.0f} MB)")
    print(res.summary.to_string())

    t0 = time.perf_counter()
    peer = naive_status(assignments, contacts, as_of)
    t_peer = time.perf_counter() - t0
    ours = res.table.set_index("client_id")["status"].astype(str)
    agree = ours.reindex(peer.index).eq(peer).mean() if len(peer) == len(ours) else np.nan
    print(f"peer (pandas groupby/merge, no discharges): {t_peer:.2f} s; "
          f"ratio peer/ours {t_peer / t_ours:.2f}; clients agree: {agree:.4%} "
          f"({len(peer):,} vs {len(ours):,} in service)")

    if not args.no_tracemalloc:
        tracemalloc.start()
        t0 = time.perf_counter()
        review_status(assignments, contacts, as_of=as_of)
        t_traced = time.perf_counter() - t0
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"tracemalloc peak of review_status: {peak / 2**20:.0f} MB "
              f"(traced run {t_traced:.2f} s)")

    t0 = time.perf_counter()
    tr = trend(assignments, contacts, start="2023-01-01", end="2025-12-31")
    t_trend = time.perf_counter() - t0
    print(f"trend: {t_trend:.2f} s for {tr.overall.shape[0]} month ends")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
