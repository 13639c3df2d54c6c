"""compare_partitions: agreement indices, Hungarian matching, aligned confusion table."""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

from clusterdiscovery import PartitionComparison, compare_partitions

matplotlib.use("Agg")


def test_identical_up_to_relabelling():
    rng = np.random.default_rng(0)
    a = rng.integers(0, 5, 400)
    perm = np.array([3, 0, 4, 1, 2])
    result = compare_partitions(a, perm[a])
    assert isinstance(result, PartitionComparison)
    assert result.ari == pytest.approx(1.0)
    assert result.ami == pytest.approx(1.0)
    assert result.nmi == pytest.approx(1.0)
    np.testing.assert_allclose(result.jaccard.to_numpy(), 1.0)
    assert result.mapping == {int(perm[k]): k for k in range(5)}
    conf = result.confusion.to_numpy()
    assert np.count_nonzero(conf - np.diag(np.diag(conf))) == 0  # matched pairs on the diagonal
    assert conf.sum() == 400


def test_hand_computed_jaccard_and_summary():
    a = [0, 0, 0, 0, 1, 1, 1, 2, 2, 2]
    b = [5, 5, 5, 7, 7, 7, 7, 9, 9, 9]
    result = compare_partitions(a, b)
    # 0 <-> 5: overlap 3, union 4; 1 <-> 7: overlap 3, union 4; 2 <-> 9: 3 / 3
    np.testing.assert_allclose(result.jaccard.to_numpy(), [0.75, 0.75, 1.0])
    assert result.summary["matched_b"].tolist() == [5, 7, 9]
    assert result.summary["overlap"].tolist() == [3, 3, 3]
    assert result.ari == pytest.approx(adjusted_rand_score(a, b))
    assert list(result.confusion.columns) == [5, 7, 9]
    assert result.to_frame().equals(result.summary)


def test_more_clusters_and_noise():
    a = np.array([0, 0, 0, 1, 1, 1, -1, -1])
    b = np.array([2, 2, 1, 0, 0, 0, 0, -1])
    result = compare_partitions(a, b)
    assert -1 not in result.jaccard.index
    assert result.summary.loc[0, "matched_b"] == 2
    assert result.summary.loc[1, "matched_b"] == 0
    assert list(result.confusion.index)[-1] == -1  # noise row last
    assert result.confusion.to_numpy().sum() == len(a)


def test_unmatched_reference_cluster_has_zero_jaccard():
    result = compare_partitions([0, 0, 1, 1, 2, 2], [0, 0, 0, 0, 1, 1])
    # b's cluster 0 (4 rows) takes a's 0 or 1; b's 1 takes a's 2; one of a's 0/1 is left
    assert result.summary.loc[2, "matched_b"] == 1
    assert result.summary["matched_b"].isna().sum() == 1
    assert sorted(result.jaccard.loc[[0, 1]].tolist()) == [0.0, 0.5]


def test_series_are_matched_on_their_index():
    a = pd.Series([0, 0, 1, 1], index=["w", "x", "y", "z"])
    b = pd.Series([0, 1, 0, 1], index=["w", "y", "x", "z"])  # same partition, other order
    assert compare_partitions(a, b).ari == pytest.approx(1.0)
    # by position the same values disagree
    assert compare_partitions(a.to_numpy(), b.to_numpy()).ari == pytest.approx(-0.5)
    with pytest.raises(ValueError, match="different ids"):
        compare_partitions(a, pd.Series([0, 1, 0, 1], index=list("abcd")))


def test_bad_input():
    with pytest.raises(ValueError, match="same length"):
        compare_partitions([0, 1], [0, 1, 1])
    with pytest.raises(ValueError, match="empty"):
        compare_partitions([], [])
    with pytest.raises(TypeError, match="DataFrame"):
        compare_partitions(pd.DataFrame({"a": [0, 1]}), [0, 1])
    with pytest.raises((TypeError, ValueError)):
        compare_partitions(["a", "b"], [0, 1])
    with pytest.raises(ValueError, match="NaN"):
        compare_partitions([0.0, np.nan], [0, 1])


def test_errors_name_the_parameter_at_fault():
    with pytest.raises(ValueError, match="'labels_a'.*NaN"):
        compare_partitions([0.0, np.nan], [0, 1])
    with pytest.raises(ValueError, match="'labels_b'.*NaN"):
        compare_partitions([0, 1], pd.Series([0, None], dtype="Int64"))
    with pytest.raises(TypeError, match="'labels_b'.*integers"):
        compare_partitions([0, 1], ["a", "b"])
    with pytest.raises(TypeError, match="'labels_a'.*1-d array"):
        compare_partitions(None, [0, 1])


def test_inputs_not_modified_and_outputs():
    a = np.array([0, 1, 1, 0, 2, 2])
    b = np.array([1, 0, 0, 1, 2, 2])
    a0, b0 = a.copy(), b.copy()
    result = compare_partitions(a, b)
    np.testing.assert_array_equal(a, a0)
    np.testing.assert_array_equal(b, b0)
    html = result._repr_html_()
    assert "ARI" in html and "<table" in html
    assert "ari=1.0000" in repr(result)
    assert list(result.scores.index) == ["ari", "ami", "nmi"]
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    assert result.plot(ax=ax) is ax
    assert len(ax.texts) == result.confusion.size
    plt.close(fig)
