"""The dashboard's safety: hostile team names, team types and titles render as text in
real Chromium (no blank page, no pasted payload, no script run), and the page shared
beyond the team protects one period across its views (the status and the trend month
of the same date): an attacker using every figure of the payload rebuilds no small count."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest
from _attack import leaks
from _browser import driver

from clusterdiscovery.datasets._sample import default_sample_dir
from clusterdiscovery.monitoring import review_status, trend
from clusterdiscovery.monitoring._dashboard import (
    _Cells,
    _shared_data,
    dashboard_html,
    transitions,
)
from clusterdiscovery.monitoring._worklist import work_list

SAMPLE = default_sample_dir()
AS_OF = "2025-11-30"
M = 11
HOSTILE = {"AOT-1": "<!--<script>", "EIP-N": "</script><script>window.pwned=1</script>",
           "EIP-S": "__DATA__ \u2028 & __TITLE__", "CMHT-N": "__proto__",
           "CMHT-S": "constructor"}
HOSTILE_TYPE = "<img src=x onerror=window.pwned=2>"
TITLE = "Teams __DATA__ <b>__SCRIPT__</b> & {{ title }}"


def _payload(page):
    found = re.search(r'<script type="application/json" id="dashboard-data">(.*?)</script>',
                      page, re.S)
    return json.loads(found.group(1))


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hostile")
    a = pd.read_csv(SAMPLE / "assignments.csv")
    keep = set(a["client_id"].drop_duplicates().iloc[:400])
    a = a[a["client_id"].isin(keep)].replace({"team": HOSTILE})
    e = pd.read_csv(SAMPLE / "events.csv")
    e = e[e["client_id"].isin(keep)].replace({"team": HOSTILE})
    teams = pd.read_csv(SAMPLE / "teams.csv").replace({"team": HOSTILE})
    teams.loc[teams["team"] == HOSTILE["AOT-1"], "team_type"] = HOSTILE_TYPE
    status = review_status(a, e, as_of=AS_OF, teams=teams)
    tr = trend(a, e, end=AS_OF, teams=teams)
    wl = work_list(status, e, end=pd.Timestamp(AS_OF) + pd.Timedelta(days=28))
    moves = transitions(a, end=AS_OF)
    pages = {}
    for name, w in (("full", wl), ("shared", None)):
        path = tmp / f"{name}.html"
        path.write_text(dashboard_html(status, trend=tr, transitions=moves, work_list=w,
                                       title=TITLE), encoding="utf-8")
        pages[name] = path
    return pages, status


def test_hostile_text_is_escaped_once_in_the_file(hostile):
    pages, _ = hostile
    page = pages["full"].read_text(encoding="utf-8")
    # the title is text, escaped; the placeholders in it are not replaced
    assert "<title>Teams __DATA__ &lt;b&gt;__SCRIPT__&lt;/b&gt; &amp; {{ title }}</title>" in page
    # no team name ends or alters the data element: exactly one closing tag per script
    assert page.count("</script>") == 2
    assert "<!--" not in page and "\u2028" not in page
    data = _payload(page)
    names = {t["team"] for t in data["teams"]}
    assert set(HOSTILE.values()) <= names


@pytest.mark.parametrize("which", ["full", "shared"])
def test_hostile_names_render_as_text_in_chromium(hostile, tmp_path, which):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    pages, status = hostile
    d = driver(tmp_path / "chromium")
    try:
        d.get(pages[which].resolve().as_uri())
        assert d.title == TITLE
        assert d.find_element(By.TAG_NAME, "h1").text == TITLE
        assert d.execute_script("return window.pwned === undefined;")
        # the page is drawn (not blank): status table and filters filled
        assert d.find_elements(By.CSS_SELECTOR, "#status-table tr[data-status]")
        teams = [o.get_attribute("value") for o in
                 Select(d.find_element(By.ID, "f-team")).options]
        assert set(HOSTILE.values()) <= set(teams)
        types = [o.get_attribute("value") for o in
                 Select(d.find_element(By.ID, "f-type")).options]
        assert HOSTILE_TYPE in types
        Select(d.find_element(By.ID, "f-type")).select_by_value(HOSTILE_TYPE)
        Select(d.find_element(By.ID, "f-team")).select_by_value(HOSTILE["AOT-1"])
        rows = d.find_elements(By.CSS_SELECTOR, "#status-table tr[data-status]")
        assert rows and d.execute_script("return window.pwned === undefined;")
        if which == "full":  # each hostile team's own counts
            Select(d.find_element(By.ID, "f-type")).select_by_value("")
            for name in HOSTILE.values():
                Select(d.find_element(By.ID, "f-team")).select_by_value(name)
                rows = d.find_elements(By.CSS_SELECTOR, "#status-table tr[data-status]")
                cells = rows[-1].find_elements(By.CSS_SELECTOR, "td, th")
                mine = status.table[status.table["team"] == name]
                assert int(cells[1].text) == len(mine), name
        errors = [e for e in d.get_log("browser") if e["level"] == "SEVERE"]
        assert not errors, errors
    finally:
        d.quit()


# ------------------------------------------------------------------ one period, every view
def _team_list():
    return [{"team": "A", "team_type": "X"}, {"team": "B", "team_type": "X"},
            {"team": "C", "team_type": "Y"}, {"team": "D", "team_type": "Y"}]


def _payload_lines(team_list, sh, month):
    """Everything the shared payload shows for the status and one trend month, with the
    lines linking them: statuses add up to in service, teams to types to all teams, and
    the trend month repeats the status's in service, expired and missing."""
    types = sorted({t["team_type"] for t in team_list})
    keys = [""] + [f"type:{t}" for t in types] + [f"team:{t['team']}" for t in team_list]
    hier = [([f"type:{t}" for t in types], "")] + [
        ([f"team:{x['team']}" for x in team_list if x["team_type"] == t], f"type:{t}")
        for t in types]
    shown, lines = {}, []
    for k in keys:
        for c, v in sh["status"][k].items():
            shown[("s", k, c)] = v
        row = next((r for r in sh["trend"][k] if r["month"] == month), None)
        for c in ("n", "expired", "missing"):
            shown[("t", k, c)] = None if row is None else row[c]
        lines.append(([("s", k, c) for c in ("current", "due", "expired", "missing")],
                      ("s", k, "n")))
        lines.append(([("s", k, "expired"), ("s", k, "missing")], ("s", k, "problem")))
        lines.append(([("t", k, "expired"), ("t", k, "missing"), ("t", k, "other")],
                      ("t", k, "n")))
        for tc, sc in (("n", "n"), ("expired", "expired"), ("missing", "missing")):
            lines.append(([("t", k, tc)], ("s", k, sc)))
    for view, cols in (("s", ["current", "due", "expired", "missing", "n", "problem"]),
                       ("t", ["n", "expired", "missing", "other"])):
        for parts, total in hier:
            for c in cols:
                lines.append(([(view, p, c) for p in parts], (view, total, c)))
    return shown, lines


def test_status_and_trend_of_the_same_date_are_protected_together():
    """Issue 21.1: a small team's 'due' withheld in the status could be had from the trend
    month of the same date (its in service) and the status's other counts."""
    team_list = _team_list()
    counts = {"A": {"current": 40, "due": 3, "expired": 12, "missing": 0},
              "B": {"current": 60, "due": 25, "expired": 30, "missing": 14},
              "C": {"current": 80, "due": 20, "expired": 15, "missing": 12},
              "D": {"current": 70, "due": 30, "expired": 13, "missing": 16}}
    rows = []
    for month, scale in (("2025-10", 0.9), ("2025-11", 1.0)):
        for t, c in counts.items():
            n = sum(c.values())
            rows.append({"month": month, "team": t,
                         "n_in_service": round(n * scale) if scale != 1 else n,
                         "n_expired": c["expired"], "n_missing": c["missing"]})
    sh = _shared_data(team_list, counts, rows, [], M)
    assert sh["status"]["team:A"]["due"] is None
    shown, lines = _payload_lines(team_list, sh, "2025-11")
    assert leaks(shown, lines, m=M) == []
    # each view protected on its own (the old way) lets the attacker in: the test can fail
    apart = {}
    st = _Cells(team_list)
    cols = ["current", "due", "expired", "missing"]
    tv = np.array([[counts[t["team"]][c] for c in cols] for t in team_list], float)
    tv = np.column_stack([tv, tv.sum(axis=1), tv[:, 2] + tv[:, 3]])
    idx = st.add(tv, [((0, 1, 2, 3), 4), ((2, 3), 5)], [1, 1, 1, 1, 2, 0])
    v = st.protect(M)[idx]
    tr = _Cells(team_list)
    g = np.column_stack([tv[:, 4], tv[:, 2], tv[:, 3], tv[:, 0] + tv[:, 1]])
    tidx = tr.add(g, [((1, 2, 3), 0)], [2, 1, 1, 0], never_shown=(3,))
    w = tr.protect(M)[tidx]
    num = lambda x: None if np.isnan(x) else int(x)  # noqa: E731
    for k, row, trow in zip(st.keys, v, w):
        apart[k] = ({c: num(x) for c, x in zip(cols + ["n", "problem"], row)},
                    {"month": "2025-11", "n": num(trow[0]), "expired": num(trow[1]),
                     "missing": num(trow[2])})
    old = {"status": {k: s for k, (s, _) in apart.items()},
           "trend": {k: [t] for k, (_, t) in apart.items()}}
    shown_old, _ = _payload_lines(team_list, old, "2025-11")
    assert leaks(shown_old, lines, m=M) != []


def test_the_monitor_page_resists_the_attacker_across_views(hostile):
    """On the sample (as of a month end): status and the trend month of the same date."""
    pages, status = hostile
    data = _payload(pages["shared"].read_text(encoding="utf-8"))
    sh = data["shared"]
    shown, lines = _payload_lines(data["teams"], sh, AS_OF[:7])
    assert shown[("t", "", "n")] == shown[("s", "", "n")] == len(status.table)
    assert any(v is None for v in shown.values())
    assert leaks(shown, lines, m=M) == []
