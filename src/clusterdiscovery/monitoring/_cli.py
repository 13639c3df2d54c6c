"""The ``clusterdiscovery monitor`` subcommand: status, team summary, Pareto, trend, work list.

``cli.py`` mounts it with :func:`add_monitor_parser` and runs it with :func:`run_monitor`.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from .._checks import read_table
from .._csv import write_csv
from .._dates import check_date_format, parse_date, parse_dates
from .._output import staged_directory

__all__ = ["add_monitor_parser", "run_monitor"]

DESCRIPTION = """\
Care-cluster review monitoring. Reads a care-cluster history (ASSIGNMENTS.csv: client_id,
cluster, assigned_on[, team]) and contacts/bed days (CONTACTS.csv: client_id, date[, team])
and writes into DIR: status.csv (one row per client in service on --as-of), team_summary.csv,
pareto.csv + pareto.png, trend.csv + trend.png, work_list.csv (clients to cluster at their
appointments in the --work-days days after --as-of; contacts dated after --as-of serve as
appointments unless --appointments is given), exclusions.csv (input rows not used, why) and
dashboard.html: one self-contained page (no network) with filters by team and team type, the
status mix, the Pareto of teams, the monthly trend, the transitions between successive care
clusters and the work list (sortable, exportable to CSV). --no-work-list leaves the work list
(the only client-level data) out of the dashboard, for sharing beyond the team; that page
withholds every count below --min-cell-size (11) and any count from which one could be
worked out.
"""


def add_monitor_parser(subparsers) -> argparse.ArgumentParser:
    """Add the ``monitor`` subcommand to an ``argparse`` subparsers object."""
    p = subparsers.add_parser(
        "monitor", help="care-cluster review status, team Pareto, trend and work list",
        description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("assignments", metavar="ASSIGNMENTS.csv", help="care-cluster history")
    p.add_argument("contacts", metavar="CONTACTS.csv", help="contacts and bed days")
    p.add_argument("--as-of", required=True, metavar="DATE",
                   help="evaluation date, YYYY-MM-DD (or in --date-format)")
    p.add_argument("--date-format", metavar="FORMAT", default=None,
                   help="strptime format of every date in the files and --as-of, e.g. "
                        "%%d/%%m/%%Y (default: ISO 8601, YYYY-MM-DD; day/month orders are "
                        "never guessed)")
    p.add_argument("--out", required=True, metavar="DIR", help="output directory")
    p.add_argument("--teams", metavar="TEAMS.csv", help="team, team_type")
    p.add_argument("--clients", metavar="CLIENTS.csv",
                   help="client register: client_id[, team, discharge_date]")
    p.add_argument("--discharges", metavar="DISCHARGES.csv",
                   help="client_id, discharged_on (several per client allowed)")
    p.add_argument("--appointments", metavar="APPOINTMENTS.csv",
                   help="client_id, date[, team]; default: contacts dated after --as-of")
    p.add_argument("--team-types", metavar="TYPE,TYPE",
                   help="comma-separated team types for the summary, Pareto and trend")
    p.add_argument("--due-within-days", type=int, default=28, metavar="N")
    p.add_argument("--lookback-days", type=int, default=365, metavar="N")
    p.add_argument("--missing-threshold", type=int, default=2, metavar="N")
    p.add_argument("--work-days", type=int, default=28, metavar="N",
                   help="work list covers appointments in the N days after --as-of")
    p.add_argument("--no-work-list", action="store_true",
                   help="leave the work list (client ids) out of dashboard.html, for sharing "
                        "beyond the team: its counts below --min-cell-size are then withheld")
    p.add_argument("--min-cell-size", type=int, default=11, metavar="N",
                   help="with --no-work-list, the smallest count the dashboard shows "
                        "(default 11)")
    p.set_defaults(func=run_monitor)
    return p


#: the date columns the command reads, by the names its description gives
_DATE_COLUMNS = ("assigned_on", "date", "discharge_date", "discharged_on")


def _read(path, what: str, date_format=None) -> pd.DataFrame:
    table = read_table(path, what)
    if date_format is not None:  # read once here by the package's date parser
        for col in _DATE_COLUMNS:
            if col in table.columns:
                table[col] = parse_dates(table[col], col, table=f"'{what}'",
                                         date_format=date_format,
                                         fix="pass --date-format {fmt}")
    return table


def run_monitor(args) -> int:
    """Run ``clusterdiscovery monitor`` with parsed ``args``; returns the exit code (0).

    Bad input raises (``ValueError``, ``TypeError``, ``FileNotFoundError``); the caller
    turns that into a one-line message and a non-zero exit code.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ._dashboard import dashboard_html, transitions
    from ._status import review_status
    from ._summary import pareto_teams, team_summary
    from ._trend import trend
    from ._worklist import work_list

    fmt = check_date_format(args.date_format, "--date-format")
    # fail fast, before reading big files
    as_of_ts = parse_date(args.as_of, "--as-of", date_format=fmt).normalize()
    if args.min_cell_size < 0:
        raise ValueError(f"--min-cell-size must be 0 or more; got {args.min_cell_size}.")
    for name in ("due_within_days", "lookback_days", "missing_threshold", "work_days"):
        if getattr(args, name) < (0 if name == "due_within_days" else 1):
            raise ValueError(f"--{name.replace('_', '-')} must be positive; "
                             f"got {getattr(args, name)}.")
    assignments = _read(args.assignments, "assignments", fmt)
    contacts = _read(args.contacts, "contacts", fmt)
    teams = _read(args.teams, "teams") if args.teams else None
    clients = _read(args.clients, "clients", fmt) if args.clients else None
    discharges = _read(args.discharges, "discharges", fmt) if args.discharges else None
    appointments = (_read(args.appointments, "appointments", fmt) if args.appointments
                    else contacts)
    team_types = [t.strip() for t in args.team_types.split(",")] if args.team_types else None
    rules = dict(due_within_days=args.due_within_days, lookback_days=args.lookback_days,
                 missing_threshold=args.missing_threshold)
    common = dict(clients=clients, discharges=discharges, teams=teams, **rules)

    # written to a staged folder, moved into --out only when every file is written
    final = Path(args.out)
    with staged_directory(final) as out:
        status = review_status(assignments, contacts, as_of=as_of_ts, **common)
        write_csv(status.table, out / "status.csv", index=False, date_format="%Y-%m-%d")
        write_csv(status.exclusions, out / "exclusions.csv", index=False)
        summary = team_summary(status, team_types=team_types)
        write_csv(summary.summary, out / "team_summary.csv")
        pareto = pareto_teams(status, team_types=team_types)
        write_csv(pareto.summary, out / "pareto.csv", index=False)
        fig, ax = plt.subplots(figsize=(9, 5))
        pareto.plot(ax=ax)
        fig.tight_layout()
        fig.savefig(out / "pareto.png", dpi=110)
        plt.close(fig)
        tr = trend(assignments, contacts, end=as_of_ts, team_types=team_types, **common)
        write_csv(tr.summary, out / "trend.csv", index=False, date_format="%Y-%m-%d")
        fig, ax = plt.subplots(figsize=(9, 5))
        tr.plot(ax=ax)
        fig.tight_layout()
        fig.savefig(out / "trend.png", dpi=110)
        plt.close(fig)
        wl = work_list(status, appointments, end=as_of_ts + pd.Timedelta(days=args.work_days))
        wl.to_csv(out / "work_list.csv")
        moves = transitions(assignments, end=as_of_ts)
        (out / "dashboard.html").write_text(
            dashboard_html(status, trend=tr, transitions=moves,
                           work_list=None if args.no_work_list else wl,
                           min_cell_size=args.min_cell_size),
            encoding="utf-8")
    out = final

    s = status.summary
    shares = ", ".join(f"{k} {v:.1%}" for k, v in s["share"].items())
    print(f"{len(status)} clients in service on {as_of_ts.date()}: {shares}")
    print(f"{len(pareto.top_teams)} of {pareto.summary.shape[0]} teams hold "
          f"{pareto.threshold:.0%} of expired + missing: {', '.join(pareto.top_teams)}")
    n_excl = int(status.exclusions["n_rows"].sum())
    if n_excl:
        print(f"{n_excl} input rows excluded (see exclusions.csv)")
    print(f"work list: {len(wl)} clients; files written to {out}")
    return 0
