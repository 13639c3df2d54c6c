"""Run the tutorial notebooks 01-05 top to bottom (nbclient, python3 kernel).

Each notebook is executed in a fresh kernel whose working directory is a temporary
directory, so a notebook that wrote next to itself would leave nothing in the repository;
the notebooks write only to their own ``tempfile`` directories.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOK_DIR = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("0[1-5]_*.ipynb"))


def _outputs(nb, output_type=None):
    return [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
            if output_type is None or o.output_type == output_type]


def test_the_five_notebooks_are_there():
    assert [p.name[:3] for p in NOTEBOOKS] == ["01_", "02_", "03_", "04_", "05_"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs(path, tmp_path, monkeypatch):
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    # committed without outputs and execution counts
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in code)
    # reads as a paper: prose between the code
    assert sum(c.cell_type == "markdown" for c in nb.cells) >= len(code) // 2
    monkeypatch.delenv("MPLBACKEND", raising=False)  # the kernel draws inline
    client = nbclient.NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    errors = _outputs(nb, "error")
    assert not errors, [f"{e.ename}: {e.evalue}" for e in errors]
    # every code cell ran, in order
    assert [c.execution_count for c in code] == list(range(1, len(code) + 1))
    # figures are drawn inline
    images = [o for o in _outputs(nb) if "image/png" in o.get("data", {})]
    assert images or path.name.startswith("05_")
    # nothing written into the working directory (the notebooks use tempfile)
    assert not any(tmp_path.iterdir()), sorted(p.name for p in tmp_path.iterdir())
    print(f"{path.name}: {seconds:.1f} s")
