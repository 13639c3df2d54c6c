"""Run notebooks/06_reproduce_published_model.ipynb top to bottom (nbclient, python3 kernel).

The notebook reproduces the Stouffer-Toby latent class analysis (Stouffer & Toby 1951,
AJS 56:395-406; Goodman 1974, Biometrika 61:215-231; poLCA's ``values`` example, Linzer &
Lewis 2011, J Stat Softw 42(10)) and prints the published and reproduced numbers side by
side.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOK = (Path(__file__).resolve().parents[1] / "notebooks"
            / "06_reproduce_published_model.ipynb")


def test_notebook_06_runs(tmp_path, monkeypatch):
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    # committed without outputs
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in code)
    monkeypatch.delenv("MPLBACKEND", raising=False)  # the kernel draws inline
    # run from an unrelated directory: paths must come from the package, not the cwd
    client = nbclient.NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()
    outputs = [o for c in code for o in c.outputs]
    errors = [o for o in outputs if o.output_type == "error"]
    assert not errors, errors
    assert not list(tmp_path.iterdir())  # nothing left in the working directory
    text = "".join(o.get("text", "") for o in outputs)
    # the side-by-side table: published numbers next to reproduced ones
    for published in ("-543.6498", "-504.4677", "-503.3011", "0.2792", "0.3287", "0.8676"):
        assert published in text
    side_by_side = re.findall(r"log-likelihood, (\d) class(?:es)?\s+(-\d+\.\d+)\s+(-\d+\.\d+)",
                              text)
    assert len(side_by_side) == 3
    assert all(abs(float(a) - float(b)) < 1e-3 for _, a, b in side_by_side)
    plain = "".join(o.get("data", {}).get("text/plain", "") for o in outputs)
    assert "ari=1.0000" in plain  # the reloaded refit partitions like the published model
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) == 1
