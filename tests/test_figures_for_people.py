"""Figures a commissioner can read: schema labels and level labels on the axes, cluster
names, units and which way is better, and numbers readable on every heatmap cell."""

import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_rgb  # noqa: E402
from test_report_print import SCHEMA, _data  # noqa: E402

from clusterdiscovery import profile_clusters  # noqa: E402


@pytest.fixture(scope="module")
def profile():
    df, lab = _data()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return profile_clusters(df, lab, schema=SCHEMA, n_bootstrap=50, random_state=0)


NAMES = {0: "Younger", 1: "Settled", 2: "Middle", 3: "Older"}


def _luminance(rgb):
    r, g, b = rgb
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def test_heatmap_labels_names_and_contrast(profile):
    fig, ax = plt.subplots()
    profile.plot(ax=ax, kind="features", schema=SCHEMA, names=NAMES)
    cols = [t.get_text() for t in ax.get_xticklabels()]
    rows = [t.get_text() for t in ax.get_yticklabels()]
    assert "Low mood" in cols and "Age" in cols
    assert not any(c in ("mood", "age") or "=" in c for c in cols)  # no raw names
    assert rows == [f"{c}: {n}" for c, n in NAMES.items()]
    image = ax.get_images()[0]
    rgba = image.cmap(image.norm(image.get_array()))
    n_dark = 0
    for text in ax.texts:
        i, j = (round(v) for v in reversed(text.get_position()))
        cell = _luminance(rgba[i, j, :3])
        ink = _luminance(to_rgb(text.get_color()))
        assert abs(cell - ink) > 0.35, (text.get_text(), cell, ink)  # readable contrast
        n_dark += cell < 0.35
    assert n_dark > 0  # the case that used to be black on dark
    plt.close(fig)


def test_outcome_and_cost_figures_say_units_and_direction(profile):
    fig, ax = plt.subplots()
    profile.plot(ax=ax, kind="outcomes", schema=SCHEMA, names=NAMES)
    assert ax.get_title() == "Mean change in Distress score (lower is better)"
    assert "points" in ax.get_xlabel()
    assert any("better" in t.get_text() for t in ax.texts)
    assert [t.get_text() for t in ax.get_yticklabels()][:4] == [
        f"{c}: {n}" for c, n in NAMES.items()]
    ax.clear()
    profile.plot(ax=ax, kind="costs", schema=SCHEMA, names=NAMES)
    assert "€" in ax.get_xlabel()
    fig.canvas.draw()
    assert any(t.get_text().startswith("€") for t in ax.get_xticklabels())
    plt.close(fig)
    assert np.isfinite(profile.cost_table()[0]["mean"]).all()
