"""Run every notebook top to bottom (nbclient, python3 kernel) and check what it shows.

Each notebook runs in a fresh kernel whose working directory is a temporary directory: a
notebook that wrote next to itself would be caught (they write only to ``tempfile``
directories), and paths must come from the package, not the working directory.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOK_DIR = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("[0-9][0-9]_*.ipynb"))


def _outputs(nb, output_type=None):
    return [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
            if output_type is None or o.output_type == output_type]


def _text(nb) -> str:
    return "".join(o.get("text", "") for o in _outputs(nb))


def _images(nb) -> list:
    return [o for o in _outputs(nb) if "image/png" in o.get("data", {})]


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """``executed(name)`` runs a notebook once per test module and returns (notebook, cwd)."""
    cache = {}

    def run(name):
        if name not in cache:
            path = NOTEBOOK_DIR / name
            nb = nbformat.read(path, as_version=4)
            cwd = tmp_path_factory.mktemp(path.stem)
            client = nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                                             resources={"metadata": {"path": str(cwd)}})
            start = time.perf_counter()
            client.execute()
            print(f"{name}: {time.perf_counter() - start:.1f} s")
            cache[name] = (nb, cwd)
        return cache[name]

    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("MPLBACKEND", raising=False)  # the kernels draw inline
        yield run


def test_the_notebooks_are_there():
    assert [p.name[:3] for p in NOTEBOOKS] == ["01_", "02_", "03_", "04_", "05_", "06_", "07_",
                                               "08_", "09_", "10_"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_committed_clean_and_reads_as_a_paper(path):
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in code)
    assert sum(c.cell_type == "markdown" for c in nb.cells) >= len(code) // 2


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs(path, executed):
    nb, cwd = executed(path.name)
    errors = _outputs(nb, "error")
    assert not errors, [f"{e.ename}: {e.evalue}" for e in errors]
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert [c.execution_count for c in code] == list(range(1, len(code) + 1))
    assert _images(nb) or path.name.startswith("05_")  # figures drawn inline
    assert not any(cwd.iterdir()), sorted(p.name for p in cwd.iterdir())


def test_notebook_06_prints_published_and_reproduced_numbers(executed):
    """Stouffer-Toby (Stouffer & Toby 1951; Goodman 1974, Biometrika 61:215-231; poLCA's
    ``values`` example, Linzer & Lewis 2011, J Stat Softw 42(10)), side by side."""
    nb, _ = executed("06_reproduce_published_model.ipynb")
    text = _text(nb)
    for published in ("-543.6498", "-504.4677", "-503.3011", "0.2792", "0.3287", "0.8676"):
        assert published in text
    side_by_side = re.findall(r"log-likelihood, (\d) class(?:es)?\s+(-\d+\.\d+)\s+(-\d+\.\d+)",
                              text)
    assert len(side_by_side) == 3
    assert all(abs(float(a) - float(b)) < 1e-3 for _, a, b in side_by_side)
    plain = "".join(o.get("data", {}).get("text/plain", "") for o in _outputs(nb))
    assert "ari=1.0000" in plain  # the reloaded refit partitions like the published model
    assert len(_images(nb)) == 1


def test_notebook_07_shows_status_pareto_and_trend(executed):
    nb, _ = executed("07_care_cluster_monitoring.ipynb")
    assert "clients in service on 2025-11-30" in _text(nb)
    assert len(_images(nb)) == 3  # team status, Pareto, trend


def test_notebook_08_reports_a_real_table_in_its_own_words(executed):
    """AER DoctorVisits (Cameron & Trivedi 1986) from CSV to report: names, pages and the
    overview read the schema's labels; visits are reported in visits; each binary once."""
    nb, _ = executed("08_your_own_data.ipynb")
    markdown = "".join(o.get("data", {}).get("text/markdown", "") for o in _outputs(nb))
    text = _text(nb)
    assert "Doctor visits: mean per client, BCH (95% CI)" in markdown
    # one figure, one estimate (issue 19.6): the overview gives the BCH mean only
    assert "Doctor visits: mean by most likely cluster" not in markdown
    assert re.search(r"\| all \| population \|.*\| 5,190 \| 100\.0% \| 0\.302 visits \| "
                     r"100\.0% \|", markdown)
    assert "**Doctor visits:** mean " in markdown and " visits per client" in markdown
    assert "A$" not in markdown.split("## Cluster")[0].split("share of all visits")[1]
    assert "**Main problems**" in markdown
    assert not re.search(r"'(yes|no|female|male)'", markdown)  # no level word, no mirror
    names = re.findall(r"cluster \d+: (.+)", text)
    assert names and len(set(names)) == len(names)
    for name in names:
        assert not ({t.lower() for t in name.split(", ")} & {"yes", "no", "female", "male"})
    assert "'lchronic': ['yes']" in text and "'gender': ['female']" in text
    # the choice paragraph and the candidates (issue 19.2), ordinal and zero-heavy columns
    assert "Rule: the lowest BIC" in text and "Chosen: k = " in text
    assert re.search(r"lc +ordinal", text) and re.search(r"fmde +continuous +zero_heavy=True",
                                                          text)


def test_notebook_10_follows_clusters_over_time_and_compares_teams(executed):
    """Latent transitions on the sample's second assessment (Collins & Lanza 2010), teams on
    a funnel plot (Spiegelhalter 2005), and the national care clusters."""
    nb, _ = executed("10_clusters_over_time_and_teams.ipynb")
    text = _text(nb)
    diff = float(re.search(r"largest absolute difference: ([\d.]+)", text).group(1))
    assert diff < 0.3
    assert re.search(r"ARI 0\.\d+ \(0\.\d+ to 0\.\d+\)", text)
    assert "Teams compared on honos_total_followup" in text
    assert len(_images(nb)) >= 3


def test_notebook_09_compares_services_within_clusters(executed):
    """compare_services on the sample's services with known effects by subgroup."""
    nb, _ = executed("09_what_works_for_whom.ipynb")
    text = _text(nb)
    assert "Effect of therapy on honos_followup" in text
    assert "not trial results" in text
    assert len(_images(nb)) >= 2  # forest and cost-effectiveness plane, crisis forest
