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
