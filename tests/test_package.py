"""The package facade: public names, version, and a fast top-level import."""

from __future__ import annotations

import subprocess
import sys

import clusterdiscovery as cd


def test_version_matches_metadata():
    from importlib.metadata import version

    assert cd.__version__ == version("clusterdiscovery")


def test_every_public_name_resolves():
    for name in cd.__all__:
        assert getattr(cd, name) is not None, name


def test_unknown_attribute_raises():
    try:
        cd.no_such_thing  # noqa: B018
    except AttributeError as exc:
        assert "no_such_thing" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("expected AttributeError")


def test_top_level_import_does_not_load_umap_or_hdbscan():
    code = ("import sys, clusterdiscovery; "
            "print(any(m.split('.')[0] in ('umap', 'hdbscan', 'numba') for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "False"


def test_every_data_file_ships_as_package_data():
    """The sample and the published data are package data (pip install . must carry them):
    every file under src/clusterdiscovery/data/ matches a package-data pattern of
    pyproject.toml, and the readers find them through importlib.resources."""
    import tomllib
    from fnmatch import fnmatch
    from importlib import resources
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    patterns = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"]["clusterdiscovery"]
    data = root / "src" / "clusterdiscovery" / "data"
    files = [p.relative_to(data.parent).as_posix() for p in data.rglob("*") if p.is_file()]
    assert {f.split("/")[1] for f in files} >= {"sample", "published"}
    # setuptools globs: '*' does not cross '/', so a file in a new sub-folder needs a pattern
    unshipped = [f for f in files if not any(
        fnmatch(f, p) and f.count("/") == p.count("/") for p in patterns)]
    assert unshipped == []
    from clusterdiscovery.datasets._published import default_published_dir
    from clusterdiscovery.datasets._sample import default_sample_dir

    package = Path(str(resources.files("clusterdiscovery")))
    assert default_sample_dir() == package / "data" / "sample"
    assert default_published_dir() == package / "data" / "published"
