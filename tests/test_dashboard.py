"""The care-cluster dashboard: one self-contained HTML file (no network), aggregates plus the
work list (left out with --no-work-list), driven in Debian's chromium through selenium:
filters by team type and team, the status mix, Pareto, trend, transitions, a sortable work
list and its CSV export."""


import numpy as np
import pandas as pd
import pytest
from _browser import driver

from clusterdiscovery.cli import main
from clusterdiscovery.datasets._sample import default_sample_dir
from clusterdiscovery.monitoring._dashboard import transitions

SAMPLE = default_sample_dir()  # package data: clusterdiscovery/data/sample
AS_OF = "2025-11-30"


@pytest.fixture(scope="module")
def monitored(tmp_path_factory):
    """The monitor command on the first 500 sample clients, with and without work list."""
    tmp = tmp_path_factory.mktemp("monitor")
    a = pd.read_csv(SAMPLE / "assignments.csv")
    keep = set(a["client_id"].drop_duplicates().iloc[:500])
    a = a[a["client_id"].isin(keep)]
    e = pd.read_csv(SAMPLE / "events.csv")
    e = e[e["client_id"].isin(keep)]
    a.to_csv(tmp / "a.csv", index=False)
    e.to_csv(tmp / "e.csv", index=False)
    base = ["monitor", str(tmp / "a.csv"), str(tmp / "e.csv"), "--as-of", AS_OF,
            "--teams", str(SAMPLE / "teams.csv")]
    assert main([*base, "--out", str(tmp / "full")]) == 0
    assert main([*base, "--out", str(tmp / "shared"), "--no-work-list"]) == 0
    return tmp, a


def test_transitions_count_successive_clusters_by_later_team():
    a = pd.DataFrame({"client_id": ["A", "A", "A", "B", "B", "C"],
                      "cluster": [3, 4, 4, 11, 12, 1],
                      "assigned_on": ["2024-01-01", "2024-06-01", "2025-01-01", "2024-02-01",
                                      "2024-03-01", "2024-01-01"],
                      "team": ["T1", "T1", "T2", "T2", "T2", "T1"]})
    t = transitions(a).set_index(["team", "from", "to"])["n"]
    assert t.to_dict() == {("T1", 3, 4): 1, ("T2", 4, 4): 1, ("T2", 11, 12): 1}
    assert transitions(a, end="2024-12-31")["n"].sum() == 2


def test_dashboard_is_one_offline_file_with_work_list_optional(monitored):
    tmp, _ = monitored
    full = (tmp / "full" / "dashboard.html").read_text(encoding="utf-8")
    shared = (tmp / "shared" / "dashboard.html").read_text(encoding="utf-8")
    for page in (full, shared):
        assert "<script src" not in page and "<link" not in page
        assert "http://" not in page.replace("http://www.w3.org/2000/svg", "")
        assert "https://" not in page
        assert "default-src 'none'" in page  # the page may not fetch anything
    ids = pd.read_csv(tmp / "full" / "work_list.csv")["client_id"]
    status_ids = pd.read_csv(tmp / "full" / "status.csv")["client_id"]
    assert len(ids) > 0 and all(i in full for i in ids)
    assert not any(i in shared for i in status_ids)  # no client id at all


def _status_counts(d):
    from selenium.webdriver.common.by import By

    out = {}
    for r in d.find_elements(By.CSS_SELECTOR, "#status-table tr[data-status]"):
        cells = r.find_elements(By.CSS_SELECTOR, "td, th")  # status, clients, share
        out[r.get_attribute("data-status")] = int(cells[1].text)
    return out


def test_dashboard_in_a_browser(monitored, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    tmp, a = monitored
    status = pd.read_csv(tmp / "full" / "status.csv")
    wl = pd.read_csv(tmp / "full" / "work_list.csv")
    d = driver(tmp_path / "chromium", height=1800)
    try:
        d.get((tmp / "full" / "dashboard.html").resolve().as_uri())
        d.save_screenshot(str(tmp_path / "dashboard_all.png"))
        counts = _status_counts(d)
        assert counts == {**status["status"].value_counts().reindex(
            ["current", "due", "expired", "missing"], fill_value=0).to_dict(),
            "all": len(status)}
        # filter: one team type, then one team of it
        team = wl["team"].value_counts().index[0]
        ttype = status.loc[status["team"] == team, "team_type"].iloc[0]
        Select(d.find_element(By.ID, "f-type")).select_by_value(ttype)
        options = [o.get_attribute("value") for o in
                   Select(d.find_element(By.ID, "f-team")).options if o.get_attribute("value")]
        assert sorted(options) == sorted(status.loc[status["team_type"] == ttype, "team"]
                                         .unique())
        Select(d.find_element(By.ID, "f-team")).select_by_value(team)
        mine = status[status["team"] == team]
        counts = _status_counts(d)
        assert counts["all"] == len(mine)
        assert counts["expired"] == int((mine["status"] == "expired").sum())
        assert counts["missing"] == int((mine["status"] == "missing").sum())
        rows = d.find_elements(By.CSS_SELECTOR, "#worklist tr")[1:]
        assert len(rows) == int((wl["team"] == team).sum())
        header = [th.get_attribute("data-key") for th in
                  d.find_elements(By.CSS_SELECTOR, "#worklist th")]
        team_col = header.index("team")
        assert {r.find_elements(By.TAG_NAME, "td")[team_col].text for r in rows} == {team}
        # sort by client id, descending after a second click
        th = d.find_element(By.CSS_SELECTOR, "#worklist th[data-key='client_id']")
        th.click()
        d.find_element(By.CSS_SELECTOR, "#worklist th[data-key='client_id']").click()
        shown = [r.find_elements(By.TAG_NAME, "td")[0].text
                 for r in d.find_elements(By.CSS_SELECTOR, "#worklist tr")[1:]]
        assert shown == sorted(wl.loc[wl["team"] == team, "client_id"], reverse=True)
        # the CSV export holds exactly the rows displayed
        text = d.execute_script("return window.dashboardCsv();")
        lines = text.strip().split("\n")
        assert lines[0].split(",")[0] == "client_id"
        assert [line.split(",")[0] for line in lines[1:]] == shown
        # the transitions matrix adds up to the team's re-clusterings
        cells = d.find_elements(By.CSS_SELECTOR, "#transition-matrix td")
        total = sum(int(c.text) for c in cells if c.text)
        expected = transitions(a, end=AS_OF)
        assert total == int(expected.loc[expected["team"] == team, "n"].sum())
        assert len(d.find_elements(By.CSS_SELECTOR, "#pareto rect")) == 1
        assert d.find_elements(By.CSS_SELECTOR, "#trend path[data-series='expired']")
        d.save_screenshot(str(tmp_path / "dashboard_team.png"))
        assert (tmp_path / "dashboard_team.png").stat().st_size > 10_000
        errors = [e for e in d.get_log("browser") if e["level"] == "SEVERE"]
        assert not errors, errors
    finally:
        d.quit()


def test_funnel_of_teams_in_a_browser(monitored, tmp_path):
    """issue 23: the funnel for recording beside the Pareto: one point per team at its
    share of expired + missing clusters, flagged outside the 95% / 99.8% limits around the
    all-teams share (Spiegelhalter 2005), as computed here from status.csv."""
    from selenium.webdriver.common.by import By

    tmp, _ = monitored
    status = pd.read_csv(tmp / "full" / "status.csv")
    bad = status["status"].isin(["expired", "missing"])
    p0 = bad.mean()
    by = status.assign(bad=bad).groupby("team")["bad"].agg(["size", "mean"])
    z = (by["mean"] - p0) / np.sqrt(p0 * (1 - p0) / by["size"])
    want = {t: "99.8" if abs(v) > 3.09 else "95" if abs(v) > 1.96 else "" for t, v in z.items()}
    d = driver(tmp_path / "chromium", height=1800)
    try:
        d.get((tmp / "full" / "dashboard.html").resolve().as_uri())
        dots = d.find_elements(By.CSS_SELECTOR, "#funnel circle")
        got = {c.get_attribute("data-team"): c.get_attribute("data-flag") for c in dots}
        assert got == want
        assert len(d.find_elements(By.CSS_SELECTOR, "#funnel path")) == 4
        note = d.find_element(By.CSS_SELECTOR, "#funnel p").text
        assert f"{100 * p0:.1f}%" in note
        d.save_screenshot(str(tmp_path / "funnel.png"))
        errors = [e for e in d.get_log("browser") if e["level"] == "SEVERE"]
        assert not errors, errors
    finally:
        d.quit()


# ------------------------------------------------------------------ shared beyond the team
M = 11  # min_cell_size


def _shared_data(page):
    import json
    import re

    found = re.search(r'<script type="application/json" id="dashboard-data">(.*?)</script>',
                      page, re.S)
    return json.loads(found.group(1))


def _check_lines(true, shown, lines, where):
    """No line (parts adding up to a total) has exactly one withheld cell, and where its
    total is shown its withheld parts hold no client or at least M (else subtraction
    gives a small count); every shown cell is the true count, 0 or at least M."""
    for key, v in shown.items():
        assert v is None or v == 0 or v >= M, (where, key, v)
        assert v is None or v == true[key], (where, key, v, true[key])
    for parts, total in lines:
        cells = [*parts, total]
        hidden = [c for c in cells if shown[c] is None]
        assert len(hidden) != 1, (where, cells, hidden)
        if shown[total] is not None:
            rest = sum(true[c] for c in parts if shown[c] is None)
            assert rest == 0 or rest >= M, (where, cells, rest)


def test_shared_dashboard_shows_no_small_count_nor_one_to_be_worked_out(monitored):
    """--no-work-list: every count the page holds (status by team, type and all teams,
    Pareto sums, monthly trend, transitions) is 0 or at least 11, and none withheld can be
    had by subtraction; checked against the counts of status.csv, trend.csv and the
    transitions recomputed here, over the lines the filters make (teams of a type add up to
    the type, types to all teams; statuses to those in service)."""
    tmp, a = monitored
    data = _shared_data((tmp / "shared" / "dashboard.html").read_text(encoding="utf-8"))
    sh = data["shared"]
    assert sh["min_cell_size"] == M
    assert data["status"] == {} and data["trend"] == [] and data["transitions"] == []
    status = pd.read_csv(tmp / "full" / "status.csv")
    types = status.groupby("team")["team_type"].first()
    sel = {"": list(types.index)}
    sel.update({f"type:{t}": list(types.index[types == t]) for t in sorted(types.unique())})
    sel.update({f"team:{t}": [t] for t in types.index})
    assert set(sh["status"]) == set(sel)
    hier = [([f"type:{t}" for t in sorted(types.unique())], "")] + [
        ([f"team:{x}" for x in types.index[types == t]], f"type:{t}")
        for t in sorted(types.unique())]
    # status and Pareto
    true, shown = {}, {}
    for k, teams in sel.items():
        s = status.loc[status["team"].isin(teams), "status"].value_counts()
        counts = {c: int(s.get(c, 0)) for c in ("current", "due", "expired", "missing")}
        counts.update(n=sum(counts.values()), problem=counts["expired"] + counts["missing"])
        for c, v in counts.items():
            true[(k, c)], shown[(k, c)] = v, sh["status"][k][c]
    cols = ["current", "due", "expired", "missing", "n", "problem"]
    lines = [([(p, c) for p in parts], (total, c)) for parts, total in hier for c in cols]
    lines += [([(k, c) for c in ("current", "due", "expired", "missing")], (k, "n"))
              for k in sel]
    lines += [([(k, "expired"), (k, "missing")], (k, "problem")) for k in sel]
    _check_lines(true, shown, lines, "status")
    hidden = [k for k, v in shown.items() if v is None]
    assert hidden and len(hidden) < len(shown)  # neither vacuous nor everything withheld
    assert any(true[k] >= M for k in hidden)  # complementary cells were needed
    assert shown[("", "n")] == len(status)  # the headline is kept
    # monthly trend (in service, expired, missing; n - expired - missing not small either)
    tr = pd.read_csv(tmp / "full" / "trend.csv")
    tr["month"] = tr["month_end"].str[:7]
    for month, g in tr.groupby("month"):
        true, shown = {}, {}
        for k, teams in sel.items():
            row = g[g["team"].isin(teams)][["n_in_service", "n_expired", "n_missing"]].sum()
            got = next((r for r in sh["trend"][k] if r["month"] == month),
                       {"n": 0, "expired": 0, "missing": 0} if row["n_in_service"] == 0
                       else None)
            assert got is not None, (k, month)
            for c, col in (("n", "n_in_service"), ("expired", "n_expired"),
                           ("missing", "n_missing")):
                true[(k, c)], shown[(k, c)] = int(row[col]), got[c]
            true[(k, "other")] = true[(k, "n")] - true[(k, "expired")] - true[(k, "missing")]
            known = all(shown[(k, c)] is not None for c in ("n", "expired", "missing"))
            shown[(k, "other")] = true[(k, "other")] if known else None
        lines = [([(p, c) for p in parts], (total, c)) for parts, total in hier
                 for c in ("n", "expired", "missing")]
        lines += [([(k, "expired"), (k, "missing"), (k, "other")], (k, "n")) for k in sel]
        _check_lines(true, shown, lines, f"trend {month}")
    # transitions, recomputed from the assignments
    moves = transitions(a, end=AS_OF)
    pairs = sorted(set(zip(moves["from"], moves["to"])))
    true, shown = {}, {}
    for k, teams in sel.items():
        got = {(r["from"], r["to"]): r["n"] for r in sh["transitions"][k]}
        m = moves[moves["team"].isin(teams)].groupby(["from", "to"])["n"].sum()
        for p in pairs:
            true[(k, p)] = int(m.get(p, 0))
            shown[(k, p)] = got.get(p, 0)
    lines = [([(q, p) for q in parts], (total, p)) for parts, total in hier for p in pairs]
    _check_lines(true, shown, lines, "transitions")
    assert any(v is None for v in shown.values())


def test_protect_lines_withholds_complements_and_remainders():
    from clusterdiscovery.monitoring._dashboard import protect_lines

    # 3 + 20 = 23: the 3 is withheld, then the 20 (else 23 - 20 gives it)
    assert protect_lines([3, 20, 23], [([0, 1], 2)], M).tolist() == [True, True, False]
    # 3 + 4 + 30 = 37: both small, but together 7, so one more (the smaller of 30 and 37)
    assert protect_lines([3, 4, 30, 37], [([0, 1, 2], 3)], M).tolist() == [
        True, True, True, False]
    # a less informative cell is chosen first: the total here
    assert protect_lines([3, 20, 23], [([0, 1], 2)], M, information=[1, 1, 0]).tolist() == [
        True, False, True]
    # nothing small, nothing withheld; min_cell_size 0 turns it off
    assert not protect_lines([12, 20, 32], [([0, 1], 2)], M).any()
    assert not protect_lines([3, 20, 23], [([0, 1], 2)], 0).any()


def test_shared_dashboard_in_a_browser(monitored, tmp_path):
    """The page for sharing beyond the team says what it withholds and shows, for each
    selection, exactly the protected counts (x where withheld), no work list."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    tmp, _ = monitored
    sh = _shared_data((tmp / "shared" / "dashboard.html").read_text(encoding="utf-8"))["shared"]
    status = pd.read_csv(tmp / "full" / "status.csv")
    # a team with a withheld status count, and its type
    team = next(t for t in sorted(status["team"].unique())
                if None in sh["status"][f"team:{t}"].values())
    ttype = status.loc[status["team"] == team, "team_type"].iloc[0]
    d = driver(tmp_path / "chromium", height=1800)
    try:
        d.get((tmp / "shared" / "dashboard.html").resolve().as_uri())
        subtitle = d.find_element(By.ID, "subtitle").text
        assert "counts below 11 are withheld (shown as x" in subtitle
        assert "no client-level data" in subtitle
        assert not d.find_elements(By.ID, "worklist-section")

        def displayed():
            out = {}
            for r in d.find_elements(By.CSS_SELECTOR, "#status-table tr[data-status]"):
                cells = r.find_elements(By.CSS_SELECTOR, "td, th")
                out[r.get_attribute("data-status")] = cells[1].text
            return out

        def expected(key):
            v = sh["status"][key]
            out = {s: "x" if v[s] is None else str(v[s])
                   for s in ("current", "due", "expired", "missing")}
            out["all"] = "x" if v["n"] is None else str(v["n"])
            return out

        assert displayed() == expected("")
        Select(d.find_element(By.ID, "f-type")).select_by_value(ttype)
        assert displayed() == expected(f"type:{ttype}")
        Select(d.find_element(By.ID, "f-team")).select_by_value(team)
        shown = displayed()
        assert shown == expected(f"team:{team}") and "x" in shown.values()
        for v in shown.values():
            assert v == "x" or int(v) == 0 or int(v) >= 11
        cells = [c.text for c in d.find_elements(By.CSS_SELECTOR, "#transition-matrix td")]
        assert all(c in ("", "x") or int(c) >= 11 for c in cells)
        d.save_screenshot(str(tmp_path / "dashboard_shared_team.png"))
        errors = [e for e in d.get_log("browser") if e["level"] == "SEVERE"]
        assert not errors, errors
    finally:
        d.quit()


def test_a_negative_min_cell_size_is_refused(monitored, capsys):
    tmp, _ = monitored
    code = main(["monitor", str(tmp / "a.csv"), str(tmp / "e.csv"), "--as-of", AS_OF,
                 "--out", str(tmp / "bad"), "--no-work-list", "--min-cell-size", "-1"])
    assert code == 1 and "--min-cell-size must be 0 or more" in capsys.readouterr().err
    assert not (tmp / "bad").exists()
