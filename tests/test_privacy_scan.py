"""Privacy as a property of the outputs: the scanner (tests/privacy_scan.py) run on every
file ``discover`` writes, and on planted leaks to show that it finds them."""

from __future__ import annotations

import struct
import sys
import warnings
import zlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import clusterdiscovery as cd
from clusterdiscovery._output import staged_directory
from clusterdiscovery._privacy import protect_remainders, small_share

sys.path.insert(0, str(Path(__file__).parent))
from privacy_scan import scan_outputs  # noqa: E402

SMALL = {"models": {"k_min": 6, "k_max": 6, "min_share": 0},
         "stability": {"n_resamples": 5}, "profile": {"n_bootstrap": 100}}


@pytest.fixture(scope="module")
def study150(tmp_path_factory):
    """discover on 150 clients with k = 6 and min_share = 0: small clusters on purpose."""
    pop = cd.datasets.make_client_population(n_clients=150, random_state=0)
    out = tmp_path_factory.mktemp("p150")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        study = cd.discover(SMALL, data=pop, out=out, random_state=0)
    return pop, study, out


def test_discover_outputs_on_150_clients_reveal_nothing(study150):
    pop, study, out = study150
    files = {p.suffix for p in out.rglob("*") if p.is_file()}
    assert {".csv", ".md", ".html", ".json", ".png"} <= files
    sizes = study.labels.value_counts().to_dict()
    assert min(sizes.values()) < 40  # small clusters, so the scan is a real test
    findings = scan_outputs(out, ids=pop.clients.index, id_columns=[pop.schema.id],
                            total=len(pop.clients), cluster_sizes=sizes)
    assert findings == [], "\n".join(map(str, findings[:20]))


def test_stability_sizes_and_smallest_share_follow_table1(study150):
    pop, study, out = study150
    st = pd.read_csv(out / "tables" / "stability.csv", dtype=str)
    t1 = pd.read_csv(out / "tables" / "table1.csv", dtype=str)
    shown = t1[(t1["variable"] == "clients") & (t1["statistic"] == "n")].iloc[0]
    assert [shown[c] for c in st["cluster"]] == list(st["size"])
    cand = pd.read_csv(out / "tables" / "candidates.csv")
    n = len(pop.clients)
    for v in cand["smallest_share"]:
        share = pd.to_numeric(v, errors="coerce")
        assert np.isnan(share) or not 1 <= round(share * n) < 11


# ------------------------------------------------------------------ planted leaks
def _png_with_text(path: Path, text: str):
    def chunk(kind, body):
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
                     + chunk(b"tEXt", b"Comment\0" + text.encode())
                     + chunk(b"IEND", b""))


def test_scanner_finds_planted_leaks(tmp_path):
    (tmp_path / "tables").mkdir()
    pd.DataFrame({"cluster": [0, 1], "size": [5, 40]}).to_csv(
        tmp_path / "tables" / "stability.csv", index=False)
    pd.DataFrame({"variable": ["clients", "clients", "x", "x", "patient_no"],
                  "level": ["", "", "a", "a", ""],
                  "statistic": ["n", "share", "n", "share", "median"],
                  "0": ["36", "80.0%", "suppressed (<11)", "63.9%", "1042"]}).to_csv(
        tmp_path / "tables" / "table1.csv", index=False)
    pd.DataFrame({"model": ["lc"], "k": [6], "smallest_share": [0.0333]}).to_csv(
        tmp_path / "tables" / "candidates.csv", index=False)
    pd.DataFrame({"cluster": [0], "n": [15], "share_unchanged": ["73.3%"]}).to_csv(
        tmp_path / "tables" / "outcomes.csv", index=False)
    (tmp_path / "report.md").write_text("# R\n\nClient C000007 stands out; 4 clients left.\n")
    (tmp_path / "report.html").write_text("<html><body><p>See C000009</p></body></html>")
    (tmp_path / "appendix.html").write_text("<html><body><td>C000010</td></body></html>")
    (tmp_path / "study.json").write_text('{"n": 3, "note": "C000011"}')
    _png_with_text(tmp_path / "fig.png", "C000012")
    ids = [f"C{i:06d}" for i in range(1, 151)]
    found = scan_outputs(tmp_path, ids=ids, id_columns=["patient_no"], total=150,
                         cluster_sizes={0: 36, 1: 40})
    text = "\n".join(map(str, found))
    for leak in ["stability.csv: row 0, column 'size': count 5",
                 "shown beside a hidden count",            # 63.9% beside a hidden n
                 "statistic of the id column 'patient_no'",
                 "smallest_share': share 0.0333 of 150 gives a count of 5",
                 "share 73.3% of 15 gives a count of 4",    # improved + deteriorated
                 "report.md: text: client id 'C000007'", "count '4 clients'",
                 "report.html: text: client id 'C000009'", "study.json: $.n: count 3",
                 "appendix.html: text: client id 'C000010'",  # the report's second file
                 "study.json: $.note: client id 'C000011'", "fig.png: text: client id"]:
        assert leak in text, f"not found: {leak}\n{text}"


# ------------------------------------------------------------------ the helpers
def test_remainders_of_hidden_cells_are_protected():
    # one line: 11 shown, hidden 3 + 1 = 4 -> the 11 is hidden too
    v = np.array([[11.0, 3.0, 1.0]])
    m = protect_remainders(v, np.array([[False, True, True]]), 11, axes=(1,))
    assert m.tolist() == [[True, True, True]]
    # hidden cells holding 0 or >= 11 clients need nothing more
    v = np.array([[20.0, 8.0, 5.0, 0.0]])
    m0 = np.array([[False, True, True, False]])
    assert protect_remainders(v, m0, 11, axes=(1,)).tolist() == m0.tolist()
    assert protect_remainders(v, m0, 0, axes=(1,)).tolist() == m0.tolist()  # off


def test_small_share():
    assert small_share([5 / 150, 12 / 150, 145 / 150, 0.0, np.nan], 150, 11).tolist() == [
        True, False, True, False, False]


def test_staged_directory_moves_only_on_success(tmp_path):
    final = tmp_path / "out"
    with pytest.raises(RuntimeError):
        with staged_directory(final) as tmp:
            (tmp / "half.csv").write_text("x")
            raise RuntimeError("fails half way")
    assert not final.exists() and list(tmp_path.iterdir()) == []
    final.mkdir()
    (final / "keep.txt").write_text("mine")
    (final / "old.csv").write_text("old")
    with staged_directory(final) as tmp:
        (tmp / "old.csv").write_text("new")
        (tmp / "sub").mkdir()
        (tmp / "sub" / "a.md").write_text("a")
    assert (final / "keep.txt").read_text() == "mine"
    assert (final / "old.csv").read_text() == "new" and (final / "sub" / "a.md").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_stability_sizes_shown_as_table1_shows_them():
    from clusterdiscovery._privacy import sizes_as_shown

    sizes = pd.Series([5, 18, 40], index=pd.Index([0, 1, 2], name="cluster"), name="size")
    shown = pd.Series(["suppressed (<11)", "suppressed (to protect a small cell)", "40"],
                      index=["0", "1", "2"])
    out = sizes_as_shown(sizes, shown)
    assert out.tolist() == ["suppressed (<11)", "suppressed (to protect a small cell)", "40"]
    assert sizes.tolist() == [5, 18, 40]  # not modified
