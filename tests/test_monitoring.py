"""Tests of clusterdiscovery.monitoring on hand-built client timelines.

Review periods used (published MHCT maxima): cluster 14 = 4 weeks, 1 = 12 weeks,
3 = 6 months, 11 = 12 months.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest

from clusterdiscovery.exceptions import SchemaError
from clusterdiscovery.monitoring import (
    SCORE_COLUMNS,
    ParetoTeams,
    ReviewStatus,
    TeamSummary,
    load_review_periods,
    pareto_teams,
    review_status,
    team_summary,
    trend,
    work_list,
)

D = pd.Timestamp


def asg(rows):
    """rows: (client, cluster, date[, team])."""
    cols = ["client_id", "cluster", "assigned_on", "team"][: len(rows[0])]
    df = pd.DataFrame(rows, columns=cols)
    df["assigned_on"] = pd.to_datetime(df["assigned_on"])
    return df


def con(rows):
    """rows: (client, date[, team])."""
    cols = ["client_id", "date", "team"][: len(rows[0])]
    df = pd.DataFrame(rows, columns=cols)
    df["date"] = pd.to_datetime(df["date"])
    return df


def row(res, client):
    t = res.table.set_index("client_id")
    assert client in t.index, f"{client} not in service"
    return t.loc[client]


# ---------------------------------------------------------------- review periods


def test_published_review_periods():
    p = load_review_periods()
    assert 9 not in p.index and len(p) == 21
    assert (p.loc[14, "unit"], p.loc[14, "n"]) == ("weeks", 4)
    assert (p.loc[1, "unit"], p.loc[1, "n"]) == ("weeks", 12)
    assert (p.loc[3, "unit"], p.loc[3, "n"]) == ("months", 6)
    assert (p.loc[11, "unit"], p.loc[11, "n"]) == ("months", 12)
    assert D("2025-01-01") + p.loc[14, "offset"] == D("2025-01-29")


@pytest.mark.parametrize(
    "cluster, assigned, due",
    [
        (3, "2025-08-31", "2026-02-28"),  # 6 calendar months, clipped to month end
        (3, "2023-08-31", "2024-02-29"),  # leap year
        (3, "2025-03-31", "2025-09-30"),
        (11, "2024-02-29", "2025-02-28"),  # 12 months from a leap day
        (14, "2025-12-10", "2026-01-07"),  # 4 weeks = 28 days across a year end
        (1, "2025-01-01", "2025-03-26"),  # 12 weeks = 84 days
    ],
)
def test_month_end_and_week_arithmetic(cluster, assigned, due):
    res = review_status(asg([("A", cluster, assigned)]), con([("A", assigned)]),
                        as_of=assigned)
    assert row(res, "A")["review_due"] == D(due)


def test_custom_intervals_and_bad_period_text():
    a = asg([("A", "X", "2025-01-31")])
    res = review_status(a, con([("A", "2025-01-31")]), as_of="2025-02-01",
                        intervals={"X": "1 month"})
    assert row(res, "A")["review_due"] == D("2025-02-28")
    with pytest.raises(ValueError, match="six months"):
        review_status(a, con([("A", "2025-01-31")]), as_of="2025-02-01",
                      intervals={"X": "six months"})


# ---------------------------------------------------------------- statuses and boundaries


def test_due_date_boundaries():
    # cluster 14 on 1 Jan -> review due 29 Jan
    a = asg([("A", 14, "2025-01-01")])
    c = con([("A", "2025-01-01")])
    on_due = row(review_status(a, c, as_of="2025-01-29"), "A")
    assert on_due["status"] == "due" and on_due["days_overdue"] == 0
    tomorrow = row(review_status(a, c, as_of="2025-01-28"), "A")
    assert tomorrow["status"] == "due"
    late = row(review_status(a, c, as_of="2025-01-30"), "A")  # expired by one day
    assert late["status"] == "expired" and late["days_overdue"] == 1
    assert row(review_status(a, c, as_of="2025-03-01"), "A")["days_overdue"] == 31


def test_due_within_days_window():
    a = asg([("A", 3, "2025-01-01")])  # review due 2025-07-01
    c = con([("A", "2025-01-01")])
    # exactly due_within_days before the due date: due; one day earlier: current
    assert row(review_status(a, c, as_of="2025-06-03"), "A")["status"] == "due"
    assert row(review_status(a, c, as_of="2025-06-02"), "A")["status"] == "current"
    st = review_status(a, c, as_of="2025-06-24", due_within_days=7)
    assert row(st, "A")["status"] == "due"
    st = review_status(a, c, as_of="2025-06-23", due_within_days=7)
    assert row(st, "A")["status"] == "current"
    assert row(review_status(a, c, as_of="2025-06-30", due_within_days=0),
               "A")["status"] == "current"
    assert row(review_status(a, c, as_of="2025-07-01", due_within_days=0),
               "A")["status"] == "due"


def test_reviewed_exactly_on_due_date_is_current_that_day():
    # due 29 Jan; re-clustered (cluster 3, 6 months) on 29 Jan
    a = asg([("A", 14, "2025-01-01"), ("A", 3, "2025-01-29")])
    c = con([("A", "2025-01-01"), ("A", "2025-01-29")])
    r = row(review_status(a, c, as_of="2025-01-29"), "A")
    assert r["status"] == "current"
    assert r["last_cluster"] == 3 and r["assigned_on"] == D("2025-01-29")
    assert r["review_due"] == D("2025-07-29")
    # the day before the re-review, the old cluster was still 'due', not expired
    assert row(review_status(a, c, as_of="2025-01-28"), "A")["status"] == "due"


def test_clustered_twice_on_one_day_later_row_in_file_order_wins():
    c = con([("A", "2025-01-10")])
    a = asg([("A", 14, "2025-01-10"), ("A", 3, "2025-01-10")])
    res = review_status(a, c, as_of="2025-01-20")
    assert row(res, "A")["last_cluster"] == 3
    assert row(res, "A")["status"] == "current"
    ex = res.exclusions.set_index("reason")["n_rows"]
    assert ex[[r for r in ex.index if "same day" in r][0]] == 1
    res2 = review_status(a.iloc[::-1], c, as_of="2025-01-20")
    assert row(res2, "A")["last_cluster"] == 14


def test_never_clustered_missing_threshold():
    c = con([("A", "2025-01-05"), ("B", "2025-01-05"), ("B", "2025-01-20"),
             ("C", "2025-01-05"), ("C", "2025-01-20"), ("C", "2025-01-25")])
    a = asg([("Z", 3, "2025-01-01")])  # someone else, not in service
    res = review_status(a, c, as_of="2025-02-01")
    ra, rb = row(res, "A"), row(res, "B")
    # below the threshold: the first cluster is due, no review date yet
    assert ra["status"] == "due" and pd.isna(ra["review_due"]) and pd.isna(ra["last_cluster"])
    # at the threshold: missing, overdue since the contact that reached it (20 Jan)
    assert rb["status"] == "missing" and rb["days_overdue"] == 12
    assert rb["n_contacts"] == 2
    res3 = review_status(a, c, as_of="2025-02-01", missing_threshold=3)
    assert row(res3, "B")["status"] == "due" and row(res3, "C")["status"] == "missing"
    assert row(res3, "C")["days_overdue"] == 7
    assert "Z" not in set(res.table["client_id"])


def test_lookback_window_defines_in_service():
    a = asg([("A", 11, "2024-01-01")])
    c = con([("A", "2024-01-01")])
    assert "A" in set(review_status(a, c, as_of="2024-12-31").table["client_id"])  # 365 d
    assert "A" not in set(review_status(a, c, as_of="2025-01-01").table["client_id"])
    res = review_status(a, c, as_of="2024-03-01", lookback_days=60)
    assert "A" in set(res.table["client_id"])  # 60 days back is 2024-01-01 (leap year)
    res = review_status(a, c, as_of="2024-03-02", lookback_days=60)
    assert len(res) == 0


def test_discharged_clients_excluded():
    a = asg([("A", 3, "2025-01-10"), ("B", 3, "2025-01-10")])
    c = con([("A", "2025-01-10"), ("A", "2025-02-10"), ("B", "2025-01-10"),
             ("B", "2025-02-10")])
    dis = pd.DataFrame({"client_id": ["A", "B"],
                        "discharged_on": pd.to_datetime(["2025-02-10", "2025-03-15"])})
    res = review_status(a, c, as_of="2025-03-01", discharges=dis)
    # A discharged on the day of the last contact: out; B not yet discharged on as_of
    assert list(res.table["client_id"]) == ["B"]
    res = review_status(a, c, as_of="2025-03-20", discharges=dis)
    assert len(res) == 0
    # the same through a client register with discharge_date
    clients = pd.DataFrame({"discharge_date": pd.to_datetime(["2025-02-10", pd.NaT])},
                           index=pd.Index(["A", "B"], name="client_id"))
    res = review_status(a, c, as_of="2025-03-01", clients=clients)
    assert list(res.table["client_id"]) == ["B"]
    res = review_status(a, c, as_of="2025-03-01", discharges=clients)  # register as table
    assert list(res.table["client_id"]) == ["B"]


def test_re_referred_after_discharge_is_in_service_again():
    a = asg([("A", 3, "2025-01-10")])
    dis = pd.DataFrame({"client_id": ["A"], "discharged_on": pd.to_datetime(["2025-02-01"])})
    c1 = con([("A", "2025-01-10"), ("A", "2025-03-01")])  # one contact after discharge
    r = row(review_status(a, c1, as_of="2025-03-05", discharges=dis), "A")
    # a new episode: the cluster from before the discharge no longer counts
    assert r["status"] == "due" and pd.isna(r["last_cluster"]) and r["n_contacts"] == 1
    c2 = con([("A", "2025-01-10"), ("A", "2025-03-01"), ("A", "2025-03-04")])
    r = row(review_status(a, c2, as_of="2025-03-05", discharges=dis), "A")
    assert r["status"] == "missing" and r["days_overdue"] == 1
    a2 = asg([("A", 3, "2025-01-10"), ("A", 11, "2025-03-04")])
    r = row(review_status(a2, c2, as_of="2025-03-05", discharges=dis), "A")
    assert r["status"] == "current" and r["last_cluster"] == 11
    # discharged twice, re-referred twice
    dis2 = pd.DataFrame({"client_id": ["A", "A"],
                         "discharged_on": pd.to_datetime(["2025-02-01", "2025-03-10"])})
    assert len(review_status(a2, c2, as_of="2025-03-12", discharges=dis2)) == 0
    c3 = pd.concat([c2, con([("A", "2025-04-01")])], ignore_index=True)
    r = row(review_status(a2, c3, as_of="2025-04-02", discharges=dis2), "A")
    assert r["status"] == "due" and r["n_contacts"] == 1


def test_team_priority_register_then_last_contact_then_assignment():
    a = asg([("A", 3, "2025-01-10", "T_asg"), ("B", 3, "2025-01-10", "T_asg")])
    c = pd.DataFrame({"client_id": ["A", "A", "B"],
                      "date": pd.to_datetime(["2025-01-10", "2025-01-20", "2025-01-10"]),
                      "team": ["T1", "T2", None]})
    res = review_status(a, c, as_of="2025-02-01")
    assert row(res, "A")["team"] == "T2" and row(res, "B")["team"] == "T_asg"
    reg = pd.DataFrame({"client_id": ["A", "B"], "team": ["T_reg", "T_reg"]})
    res = review_status(a, c, as_of="2025-02-01", clients=reg)
    assert set(res.table["team"]) == {"T_reg"}


def test_timezones_ignored_and_time_of_day_dropped():
    a = asg([("A", 14, "2025-01-01")])
    c = con([("A", "2025-01-01")])
    naive = review_status(a, c, as_of="2025-01-29")
    a_tz = a.assign(assigned_on=a["assigned_on"].dt.tz_localize("Europe/London")
                    + pd.Timedelta(hours=23))
    c_tz = c.assign(date=c["date"].dt.tz_localize("UTC") + pd.Timedelta(hours=5))
    res = review_status(a_tz, c_tz, as_of=pd.Timestamp("2025-01-29 18:00", tz="UTC"))
    pd.testing.assert_frame_equal(res.table, naive.table)
    assert any("Time zones ignored" in n for n in res.notes)


# ---------------------------------------------------------------- bad input


def test_exclusions_are_counted():
    a = asg([("A", 3, "2025-01-10"), ("A", 3, "2025-01-10"),  # duplicated row
             ("A", 9, "2025-01-11"),  # no cluster 9 in MHCT
             ("B", 99, "2025-01-11"),
             ("B", 3, "2025-06-01"),  # after as_of
             ("X", 3, "2025-01-11")])  # not in register
    c = con([("A", "2025-01-10"), ("B", "2025-01-10"), ("B", "2025-01-10"),
             ("Y", "2025-01-10"), ("Y", "2025-01-11"), ("A", None)])
    reg = pd.DataFrame({"client_id": ["A", "B"]})
    res = review_status(a, c, as_of="2025-02-01", clients=reg)
    ex = res.exclusions
    got = {(t, r.split(" (")[0].split(",")[0]): n for t, r, n in ex.itertuples(index=False)}
    assert got == {
        ("assignments", "duplicated row"): 1,
        ("assignments", "unknown cluster code"): 2,
        ("assignments", "client not in the 'clients' register"): 1,
        ("assignments", "assigned after as_of"): 1,
        ("contacts", "duplicated row"): 1,
        ("contacts", "client not in the 'clients' register"): 2,
        ("contacts", "missing date in 'date'"): 1,
    }
    assert "'9'" in " ".join(ex["reason"]) and "'99'" in " ".join(ex["reason"])
    assert row(res, "A")["last_cluster"] == 3 and row(res, "B")["status"] == "due"
    # duplicates kept on request (e.g. two genuine contacts on one day without a time)
    res2 = review_status(a, c, as_of="2025-02-01", clients=reg, drop_duplicates=False)
    assert row(res2, "B")["status"] == "missing"


def test_missing_columns_and_bad_parameters():
    a = asg([("A", 3, "2025-01-10")])
    c = con([("A", "2025-01-10")])
    with pytest.raises(SchemaError, match=r"'assigned_on'"):
        review_status(a.drop(columns="assigned_on"), c, as_of="2025-02-01")
    with pytest.raises(SchemaError, match=r"'date'"):
        review_status(a, c.rename(columns={"date": "when"}), as_of="2025-02-01")
    res = review_status(a, c.rename(columns={"date": "when"}), as_of="2025-02-01",
                        date_col="when")
    assert len(res) == 1
    with pytest.raises(ValueError, match="as_of"):
        review_status(a, c, as_of="not a date")
    with pytest.raises(TypeError, match="as_of"):
        review_status(a, c, as_of=None)
    with pytest.raises(TypeError, match="contacts"):
        review_status(a, c.to_numpy(), as_of="2025-02-01")
    with pytest.raises(ValueError, match="due_within_days"):
        review_status(a, c, as_of="2025-02-01", due_within_days=-1)
    with pytest.raises(TypeError, match="missing_threshold"):
        review_status(a, c, as_of="2025-02-01", missing_threshold=2.5)
    with pytest.raises(SchemaError, match="not dates"):
        review_status(a, c.assign(date=["31st of never"]), as_of="2025-02-01")
    with pytest.raises(ValueError, match="empty"):
        review_status(a, c.iloc[:0], as_of="2025-02-01")


def test_numbers_are_not_taken_for_dates_and_bad_flags_are_refused(tmp_path):
    a = asg([("A", 3, "2025-01-10")])
    c = con([("A", "2025-01-10")])
    # pandas reads numbers as nanoseconds since 1970: refuse instead of evaluating in 1970
    with pytest.raises(TypeError, match="as_of"):
        review_status(a, c, as_of=20250201)
    with pytest.raises(TypeError, match="start"):
        trend(a, c, start=20250101, end="2025-02-01")
    with pytest.raises(SchemaError, match="'assigned_on' of the 'assignments' table holds "
                                          "numbers"):
        review_status(a.assign(assigned_on=20250110), c, as_of="2025-02-01")
    with pytest.raises(SchemaError, match="'date' of the 'contacts' table holds numbers"):
        review_status(a, c.assign(date=20250110), as_of="2025-02-01")
    # an all-empty discharge column (read from a CSV as float NaN) is still fine
    dis = pd.DataFrame({"client_id": ["A"], "discharged_on": [np.nan]})
    assert len(review_status(a, c, as_of="2025-02-01", discharges=dis)) == 1
    with pytest.raises(TypeError, match="drop_duplicates"):
        review_status(a, c, as_of="2025-02-01", drop_duplicates="yes")
    empty = tmp_path / "periods.csv"
    empty.write_text("")
    with pytest.raises(ValueError, match="is empty"):
        load_review_periods(empty)
    with pytest.raises(TypeError, match="'path' parameter"):
        load_review_periods(5)


def test_register_giving_a_client_two_teams_is_refused():
    a = asg([("A", 3, "2025-01-10")])
    c = con([("A", "2025-01-10")])
    # which of the two teams is current is unknowable
    reg = pd.DataFrame({"client_id": ["A", "A"], "team": ["T1", "T2"]})
    with pytest.raises(SchemaError, match="more than one 'team', e.g. 'A'"):
        review_status(a, c, as_of="2025-02-01", clients=reg)
    same = pd.DataFrame({"client_id": ["A", "A"], "team": ["T1", "T1"]})
    assert review_status(a, c, as_of="2025-02-01", clients=same).table["team"].tolist() == [
        "T1"]


def _frames():
    a = asg([("A", 3, "2025-01-10", "T1"), ("A", 3, "2025-01-10", "T1"),
             ("B", 14, "2025-01-10", "T2")])
    c = con([("A", "2025-01-10", "T1"), ("B", "2025-01-12", "T2"), ("C", "2025-01-12", "T2"),
             ("C", "2025-01-13", "T2"), ("C", "2025-03-01", "T2")])
    dis = pd.DataFrame({"client_id": ["A"], "discharged_on": ["2025-06-01"]})
    teams = pd.DataFrame({"team": ["T1", "T2"], "team_type": ["CMHT", "EIP"]})
    return a, c, dis, teams


def test_inputs_never_modified():
    a, c, dis, teams = _frames()
    copies = [x.copy(deep=True) for x in (a, c, dis, teams)]
    st = review_status(a, c, as_of="2025-02-01", discharges=dis, teams=teams)
    team_summary(st, teams=teams, team_types=["EIP"])
    pareto_teams(st.table, teams=teams)
    work_list(st, c)
    trend(a, c, discharges=dis, teams=teams, team_types=["CMHT"])
    for before, after in zip(copies, (a, c, dis, teams)):
        pd.testing.assert_frame_equal(before, after)


# ---------------------------------------------------------------- team summary and Pareto


def _status_table():
    # problems (expired + missing) per team: a 5, b 3, c 1, d 1, e 0 (total 10)
    spec = {"a": ["expired"] * 3 + ["missing"] * 2 + ["current"] * 5,
            "b": ["expired", "missing", "missing", "due"],
            "c": ["expired", "current", "current", "current"],
            "d": ["missing"],
            "e": ["current", "due"]}
    rows = [(t, s) for t, ss in spec.items() for s in ss]
    return pd.DataFrame(rows, columns=["team", "status"])


def test_team_summary_arithmetic():
    ts = team_summary(_status_table())
    assert isinstance(ts, TeamSummary)
    s = ts.summary
    assert s.loc["a", ["n_in_service", "n_current", "n_due", "n_expired", "n_missing"]
                 ].tolist() == [10, 5, 0, 3, 2]
    assert s.loc["b", "share_missing"] == pytest.approx(0.5)
    assert s.loc["c", "share_current"] == pytest.approx(0.75)
    assert s.loc["e", "share_problem"] == 0
    np.testing.assert_allclose(s[[f"share_{k}" for k in
                                  ("current", "due", "expired", "missing")]].sum(axis=1), 1)
    assert ts.overall["n_in_service"] == 21
    assert ts.overall["share_problem"] == pytest.approx(10 / 21)


def test_pareto_arithmetic_and_80_percent_boundary():
    p = pareto_teams(_status_table())
    assert isinstance(p, ParetoTeams)
    s = p.summary
    assert s["team"].tolist() == ["a", "b", "c", "d", "e"]  # c, d tie: by name
    np.testing.assert_allclose(s["share_of_problem"], [0.5, 0.3, 0.1, 0.1, 0.0])
    np.testing.assert_allclose(s["cumulative_share"], [0.5, 0.8, 0.9, 1.0, 1.0])
    np.testing.assert_allclose(s["problem_rate"], [0.5, 0.75, 0.25, 1.0, 0.0])
    # a and b make exactly 80 %: c is not needed
    assert p.top_teams == ["a", "b"]
    assert pareto_teams(_status_table(), threshold=0.81).top_teams == ["a", "b", "c"]
    assert pareto_teams(_status_table(), threshold=0.5).top_teams == ["a"]


def test_team_type_filter():
    teams = pd.DataFrame({"team": list("abcde"),
                          "team_type": ["CMHT", "EIP", "CMHT", "EIP", "CMHT"]})
    p = pareto_teams(_status_table(), teams=teams, team_types=["CMHT"])
    assert p.summary["team"].tolist() == ["a", "c", "e"]
    np.testing.assert_allclose(p.summary["share_of_problem"], [5 / 6, 1 / 6, 0])
    assert p.top_teams == ["a"]
    ts = team_summary(_status_table(), teams=teams, team_types="EIP")
    assert ts.summary.index.tolist() == ["b", "d"]
    assert ts.summary["team_type"].tolist() == ["EIP", "EIP"]
    with pytest.raises(ValueError, match="OPMH"):
        pareto_teams(_status_table(), teams=teams, team_types=["OPMH"])
    with pytest.raises(ValueError, match="teams"):
        team_summary(_status_table(), team_types=["CMHT"])


def test_results_plot_and_html():
    import matplotlib.pyplot as plt

    a, c, dis, teams = _frames()
    st = review_status(a, c, as_of="2025-02-01", teams=teams)
    assert isinstance(st, ReviewStatus) and "team_type" in st.table
    for res in (st, team_summary(st), pareto_teams(st), work_list(st, c),
                trend(a, c)):
        fig, ax = plt.subplots()
        assert res.plot(ax=ax) is ax
        assert "<table" in res._repr_html_()
        assert isinstance(res.to_frame(), pd.DataFrame)
        plt.close(fig)
    assert "Excluded input rows" in st._repr_html_()  # the duplicated assignment


# ---------------------------------------------------------------- work list


def test_work_list_content(tmp_path):
    a = asg([("E", 14, "2025-01-01"),  # expired on 29 Jan
             ("R", 3, "2024-08-15"),  # due 15 Feb: due by an appointment on 20 Feb
             ("K", 3, "2024-10-01"),  # due 1 Apr: current, not due at 10 Feb
             ("S", 3, "2024-09-01")])  # due 1 Mar, appointment 5 Mar
    c = con([("E", "2025-01-01"), ("R", "2025-01-05"), ("K", "2025-01-05"),
             ("M", "2025-01-05"), ("M", "2025-01-08"),  # missing
             ("F", "2025-01-20"),  # 1 contact: first cluster due at the next one
             ("S", "2025-01-20")])
    appts = con([("E", "2025-02-03", "T1"), ("E", "2025-02-10", "T1"),
                 ("R", "2025-02-05", "T1"), ("R", "2025-02-20", "T1"),
                 ("K", "2025-02-10", "T1"), ("M", "2025-02-06", "T2"),
                 ("F", "2025-02-07", "T2"), ("S", "2025-03-05", "T2"),
                 ("N", "2025-02-07", "T2"),  # not in service
                 ("M", "2025-01-20", "T2")])  # before the range
    st = review_status(a, c, as_of="2025-02-01")
    assert st.table.set_index("client_id")["status"].astype(str).to_dict() == {
        "E": "expired", "F": "due", "K": "current", "M": "missing", "R": "due", "S": "due"}
    wl = work_list(st, appts)
    t = wl.table.set_index("client_id")
    assert sorted(t.index) == ["E", "F", "M", "R"]  # S: appointment after 1 Mar
    assert t.loc["E", "reason"] == "expired review"
    assert t.loc["E", "appointment_date"] == D("2025-02-03")  # the first one
    assert t.loc["R", "reason"] == "review due by appointment"
    assert t.loc["R", "appointment_date"] == D("2025-02-20")
    assert t.loc["M", "reason"] == "missing cluster" and pd.isna(t.loc["M", "last_cluster"])
    assert t.loc["F", "reason"] == "first cluster due"
    assert t.loc["E", "last_cluster"] == 14 and t.loc["E", "review_due"] == D("2025-01-29")
    assert t.loc["E", "team"] == "T1"
    assert all(col in wl.table for col in [*SCORE_COLUMNS, "new_cluster"])
    assert wl.table[[*SCORE_COLUMNS, "new_cluster"]].isna().all().all()
    assert any("not in service" in n for n in wl.notes)
    # a wider range reaches S; an earlier end drops R
    assert "S" in set(work_list(st, appts, end="2025-03-31").table["client_id"])
    assert "R" not in set(work_list(st, appts, end="2025-02-10").table["client_id"])
    assert wl.summary.loc["T1", "total"] == 2

    wl.to_csv(tmp_path / "wl.csv")
    back = pd.read_csv(tmp_path / "wl.csv")
    assert back.shape == wl.table.shape and back["honos_1"].isna().all()

    # another instrument's blank rating columns, or none
    other = work_list(st, appts, score_columns=["phq9_total", "gad7_total"]).table
    assert list(other.columns[-3:]) == ["phq9_total", "gad7_total", "new_cluster"]
    assert not any(c in other for c in SCORE_COLUMNS)
    assert list(work_list(st, appts, score_columns=[]).table.columns[-1:]) == ["new_cluster"]
    with pytest.raises(TypeError, match="score_columns"):
        work_list(st, appts, score_columns="phq9")
    with pytest.raises(ValueError, match=r"score_columns.*\['team'\]"):
        work_list(st, appts, score_columns=["team"])
    assert back.loc[back.client_id == "E", "review_due"].item() == "2025-01-29"
    wl.to_excel(tmp_path / "wl.xlsx")
    assert pd.read_excel(tmp_path / "wl.xlsx").shape == wl.table.shape


def test_work_list_excel_without_openpyxl(monkeypatch, tmp_path):
    import importlib.util

    a, c, _, _ = _frames()
    wl = work_list(review_status(a, c, as_of="2025-02-01"), c)
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *args: None if name == "openpyxl" else real(name, *args))
    with pytest.raises(ImportError, match="pip install openpyxl"):
        wl.to_excel(tmp_path / "x.xlsx")
    with pytest.raises(TypeError, match="review_status"):
        work_list(pd.DataFrame(), c)


# ---------------------------------------------------------------- trend


def test_trend_on_hand_history():
    a = asg([("A", 14, "2025-01-15"), ("A", 3, "2025-03-10")])
    c = con([("A", "2025-01-15", "T1"), ("A", "2025-02-15", "T1"), ("A", "2025-03-10", "T1"),
             ("B", "2025-01-05", "T2"), ("B", "2025-02-20", "T2"), ("B", "2025-03-20", "T2")])
    tr = trend(a, c, end="2025-03-31")
    o = tr.overall
    assert o.index.tolist() == [D("2025-01-31"), D("2025-02-28"), D("2025-03-31")]
    assert o["n_in_service"].tolist() == [2, 2, 2]
    # Jan: A due (review 12 Feb), B first cluster due; Feb: A expired, B missing;
    # Mar: A current again, B missing
    assert o["n_expired"].tolist() == [0, 1, 0]
    assert o["n_missing"].tolist() == [0, 1, 1]
    np.testing.assert_allclose(o["share_problem"], [0, 1, 0.5])
    wide = tr.by_team("share_missing")
    assert wide["T2"].tolist() == [0, 1, 1] and wide["T1"].tolist() == [0, 0, 0]
    with pytest.raises(ValueError, match="measure"):
        tr.by_team("nope")


def test_trend_matches_review_status_at_each_month_end():
    rng = np.random.default_rng(7)
    n = 300
    ids = np.array([f"C{i:03d}" for i in range(n)])
    c = pd.DataFrame({"client_id": ids[rng.integers(0, n, 3000)],
                      "date": pd.Timestamp("2024-01-01")
                      + pd.to_timedelta(rng.integers(0, 540, 3000), unit="D"),
                      "team": "T"})
    codes = load_review_periods().index.to_numpy()
    a = pd.DataFrame({"client_id": ids[rng.integers(0, n, 600)],
                      "cluster": rng.choice(codes, 600),
                      "assigned_on": pd.Timestamp("2024-01-01")
                      + pd.to_timedelta(rng.integers(0, 540, 600), unit="D")})
    dis = pd.DataFrame({"client_id": ids[:60],
                        "discharged_on": pd.Timestamp("2024-06-01")
                        + pd.to_timedelta(rng.integers(0, 300, 60), unit="D")})
    tr = trend(a, c, discharges=dis, start="2024-03-01", end="2025-06-30").overall
    assert tr.shape[0] == 16
    for me in tr.index[::5]:
        s = review_status(a, c, as_of=me, discharges=dis).summary["n_clients"]
        assert tr.loc[me, ["n_current", "n_due", "n_expired", "n_missing"]].tolist() == \
            s.tolist()


def _reference_status(a, c, dis, as_of, lookback=365, within=28, threshold=2):
    """Per-client Python reference of the documented rules (slow, for testing only)."""
    periods = load_review_periods()["offset"]
    out = {}
    for cid in sorted(set(c["client_id"])):
        cd = sorted(d for d in c.loc[c.client_id == cid, "date"] if d <= as_of)
        discharged = [d for d in dis.loc[dis.client_id == cid, "discharged_on"] if d <= as_of]
        start = max(discharged) if discharged else pd.Timestamp.min
        ep = [d for d in cd if d > start]
        if not ep or ep[-1] < as_of - pd.Timedelta(days=lookback):
            continue
        rows = [(d, k) for d, k in zip(a.loc[a.client_id == cid, "assigned_on"],
                                       a.loc[a.client_id == cid, "cluster"])
                if start < d <= as_of]
        if not rows:
            out[cid] = "missing" if len(ep) >= threshold else "due"
            continue
        last_day = max(d for d, _ in rows)
        cluster = [k for d, k in rows if d == last_day][-1]
        due = last_day + periods[cluster]
        left = (due - as_of).days
        out[cid] = "expired" if left < 0 else ("due" if left <= within else "current")
    return out


def test_vectorised_status_agrees_with_per_client_reference():
    rng = np.random.default_rng(11)
    n = 80
    ids = np.array([f"C{i:02d}" for i in range(n)])
    base = pd.Timestamp("2024-01-01")
    c = pd.DataFrame({"client_id": ids[rng.integers(0, n, 500)],
                      "date": base + pd.to_timedelta(rng.integers(0, 700, 500), unit="D")})
    codes = load_review_periods().index.to_numpy()
    a = pd.DataFrame({"client_id": ids[rng.integers(0, n, 200)],
                      "cluster": rng.choice(codes, 200),
                      "assigned_on": base + pd.to_timedelta(rng.integers(0, 700, 200),
                                                            unit="D")})
    dis = pd.DataFrame({"client_id": ids[rng.integers(0, n, 40)],
                        "discharged_on": base + pd.to_timedelta(rng.integers(0, 700, 40),
                                                                unit="D")})
    c = c.drop_duplicates()
    a = a.drop_duplicates()
    seen = set()
    for as_of in ["2024-06-30", "2025-02-28", "2025-11-30"]:
        ts = pd.Timestamp(as_of)
        got = review_status(a, c, as_of=ts, discharges=dis).table
        got = got.set_index("client_id")["status"].astype(str).to_dict()
        assert got == _reference_status(a, c, dis, ts)
        seen |= set(got.values())
        # the discharges matter: fewer clients in service with them than without
        assert len(got) < len(review_status(a, c, as_of=ts))
    assert seen == {"current", "due", "expired", "missing"}


# ---------------------------------------------------------------- command line


def _write_csvs(tmp_path):
    a, c, dis, teams = _frames()
    c = pd.concat([c, con([("B", "2025-02-10", "T2")])], ignore_index=True)  # appointment
    paths = {}
    for name, df in {"assignments": a, "contacts": c, "teams": teams}.items():
        paths[name] = tmp_path / f"{name}.csv"
        df.to_csv(paths[name], index=False)
    clients = pd.DataFrame({"client_id": ["A", "B", "C"], "team": ["T1", "T2", "T2"],
                            "discharge_date": [None, None, None]})
    paths["clients"] = tmp_path / "clients.csv"
    clients.to_csv(paths["clients"], index=False)
    return paths


def test_cli_monitor_writes_every_file(tmp_path, capsys):
    from clusterdiscovery.cli import main

    p = _write_csvs(tmp_path)
    out = tmp_path / "out"
    code = main(["monitor", str(p["assignments"]), str(p["contacts"]), "--as-of",
                 "2025-02-01", "--out", str(out), "--teams", str(p["teams"]),
                 "--clients", str(p["clients"])])
    assert code == 0, capsys.readouterr().err
    for f in ("status.csv", "team_summary.csv", "pareto.csv", "pareto.png", "trend.csv",
              "trend.png", "work_list.csv", "exclusions.csv"):
        assert (out / f).stat().st_size > 0, f
    status = pd.read_csv(out / "status.csv")
    assert sorted(status["client_id"]) == ["A", "B", "C"]
    # B: review due 7 Feb, appointment 10 Feb; C: missing, appointment 1 Mar
    assert set(pd.read_csv(out / "work_list.csv")["client_id"]) == {"B", "C"}
    assert "3 clients in service" in capsys.readouterr().out


def test_cli_bad_input_one_line_error(tmp_path, capsys):
    from clusterdiscovery.cli import main

    p = _write_csvs(tmp_path)
    args = ["monitor", str(p["assignments"]), str(p["contacts"]), "--out", str(tmp_path / "o")]
    assert main([*args, "--as-of", "2025-13-45"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "--as-of" in err and "2025-13-45" in err
    assert not (tmp_path / "o").exists()
    assert main(["monitor", str(tmp_path / "nope.csv"), str(p["contacts"]), "--as-of",
                 "2025-02-01", "--out", str(tmp_path / "o")]) == 1
    assert "not found" in capsys.readouterr().err
    pd.read_csv(p["contacts"]).drop(columns="date").to_csv(p["contacts"], index=False)
    assert main([*args, "--as-of", "2025-02-01"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "'date'" in err
    assert main(["monitor"]) == 2  # usage error from argparse
    assert main([]) == 2


# ------------------------------------------------------ ids written two ways (issue 21)
def test_numeric_and_text_ids_are_one_client(tmp_path):
    """Numeric ids in one file and text ids in another used to fail with a raw pandas
    merge error, and one stray text id in contacts made most clients 'missing'."""
    from clusterdiscovery.datasets import load_sample
    from clusterdiscovery.monitoring import review_status

    pop = load_sample()
    codes = {c: i + 1 for i, c in enumerate(pop.clients.index)}
    asg = pop.assignments.assign(client_id=pop.assignments["client_id"].map(codes))  # ints
    con = pop.events.assign(client_id=pop.events["client_id"].map(codes).astype(str))  # text
    con.loc[con.index[0], "client_id"] = " 1 "  # with spaces
    ref = review_status(pop.assignments, pop.events, as_of="2025-06-30")
    got = review_status(asg, con, as_of="2025-06-30")
    assert got.table["status"].value_counts().to_dict() == \
        ref.table["status"].value_counts().to_dict()


def test_ids_that_do_not_meet_are_an_error_with_examples():
    from clusterdiscovery.datasets import load_sample
    from clusterdiscovery.exceptions import SchemaError
    from clusterdiscovery.monitoring import review_status

    pop = load_sample()
    con = pop.events.assign(client_id="X" + pop.events["client_id"])
    with pytest.raises(SchemaError, match=r"mostly do not meet.*Examples: assignments "
                                          r"\['C000001'.*contacts \['XC"):
        review_status(pop.assignments, con, as_of="2025-06-30")
