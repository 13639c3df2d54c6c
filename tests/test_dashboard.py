"""The care-cluster dashboard: one self-contained HTML file (no network), aggregates plus the
work list (left out with --no-work-list), driven in Debian's chromium through selenium:
filters by team type and team, the status mix, Pareto, trend, transitions, a sortable work
list and its CSV export."""


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
