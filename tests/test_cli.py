"""The `clusterdiscovery` command: discover and assign on small files; clear errors."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

from clusterdiscovery.cli import main


@pytest.fixture(scope="module")
def sample_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("sample")
    subprocess.run([sys.executable, "-m", "clusterdiscovery.datasets.make_sample", "--out",
                    str(out), "--n-clients", "500", "--n-clusters", "3", "--seed", "5"],
                   check=True, capture_output=True)
    return out


def test_discover_then_assign(sample_dir, tmp_path, capsys):
    config = tmp_path / "study.toml"
    config.write_text(
        f'[data]\nsample_dir = "{sample_dir.as_posix()}"\n'
        "[models]\nk_min = 2\nk_max = 4\nn_init = 1\n"
        "[stability]\nn_resamples = 3\ncandidates = 2\n"
        "[profile]\nn_bootstrap = 100\n"
    )
    out = tmp_path / "out"
    assert main(["discover", str(config), "--out", str(out), "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert "report:" in printed and (out / "report.html").is_file()
    labels = tmp_path / "labels.csv"
    code = main(["assign", str(out / "model.json"), str(sample_dir / "clients.csv"),
                 "--out", str(labels)])
    assert code == 0
    assigned = pd.read_csv(labels)
    assert len(assigned) == 500 and {"client_id", "label", "uncertain"} <= set(assigned)


def test_errors_are_one_line_with_nonzero_exit(tmp_path, capsys):
    assert main(["discover", str(tmp_path / "missing.toml")]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("clusterdiscovery discover: error:") and "\n" not in err
    bad = tmp_path / "bad.toml"
    bad.write_text("[models]\nk_max = 'many'\n")
    assert main(["discover", str(bad)]) == 1
    assert "k_max" in capsys.readouterr().err
    assert main(["assign", str(tmp_path / "m.json"), str(tmp_path / "c.csv"),
                 "--out", str(tmp_path / "l.csv")]) == 1
    assert main([]) == 2


def test_module_entry_point_prints_the_version():
    result = subprocess.run([sys.executable, "-m", "clusterdiscovery.cli", "--version"],
                            capture_output=True, text=True)
    assert result.returncode == 0 and "clusterdiscovery" in result.stdout
