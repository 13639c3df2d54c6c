"""Label alignment with the Hungarian method: hand-built partitions with known answers."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clusterdiscovery.stability import align_labels, match_clusters


def test_permuted_labels_are_restored():
    ref = np.array([0, 0, 1, 1, 2, 2])
    lab = np.array([2, 2, 0, 0, 1, 1])  # a pure relabelling: 2->0, 0->1, 1->2
    assert align_labels(ref, lab).tolist() == ref.tolist()


def test_mapping_maximises_agreement_not_greedy():
    # Contingency (rows ref 0,1; cols lab 0,1):
    #   ref0: lab0=3, lab1=2 ; ref1: lab0=3, lab1=0
    # Greedy (largest cell first, ties by position) would pick ref0<-lab0 (3) and then
    # ref1<-lab1 (0): total 3. The optimum is ref0<-lab1 (2) + ref1<-lab0 (3) = 5.
    ref = np.array([0, 0, 0, 0, 0, 1, 1, 1])
    lab = np.array([0, 0, 0, 1, 1, 0, 0, 0])
    mapping, table = match_clusters(ref, lab)
    assert mapping == {0: 1, 1: 0}
    assert table.loc[0, 0] == 3 and table.loc[0, 1] == 2 and table.loc[1, 0] == 3
    aligned = align_labels(ref, lab)
    assert (aligned == ref).sum() == 5


def test_more_clusters_than_reference_get_new_ids():
    # ref has clusters 0,1. lab splits ref 1 into labels 7 and 8: 7 (3 rows) matches 1,
    # 8 (1 row) is unmatched and gets the next free id, 2.
    ref = np.array([0, 0, 1, 1, 1, 1])
    lab = np.array([4, 4, 7, 7, 7, 8])
    mapping, _ = match_clusters(ref, lab)
    assert mapping == {4: 0, 7: 1, 8: 2}
    assert align_labels(ref, lab).tolist() == [0, 0, 1, 1, 1, 2]


def test_fewer_clusters_than_reference():
    ref = np.array([0, 0, 1, 1, 2, 2])
    lab = np.array([1, 1, 1, 1, 0, 0])
    # lab1 (4 rows) covers ref0 and ref1 (2 each): either is optimal; lab0 -> ref2.
    aligned = align_labels(ref, lab)
    assert aligned[4] == 2 and aligned[5] == 2
    assert aligned[0] in (0, 1)


def test_noise_stays_noise_and_is_not_matched():
    # Noise (-1) in labels is never mapped to a cluster; noise in the reference is no
    # target. lab 5 overlaps the reference noise only -> unmatched -> new id 2.
    ref = np.array([-1, -1, 0, 0, 1, 1])
    lab = np.array([5, 5, 3, 3, -1, 9])
    mapping, table = match_clusters(ref, lab)
    assert mapping[-1] == -1
    assert mapping[3] == 0 and mapping[9] == 1 and mapping[5] == 2
    assert -1 in table.index and -1 in table.columns
    assert align_labels(ref, lab).tolist() == [2, 2, 0, 0, -1, 1]


def test_inputs_not_modified_and_series_accepted():
    ref = pd.Series([0, 0, 1, 1], index=list("abcd"))
    lab = np.array([1, 1, 0, 0])
    lab_copy = lab.copy()
    out = align_labels(ref, lab)
    assert out.tolist() == [0, 0, 1, 1]
    assert lab.tolist() == lab_copy.tolist()
    assert out is not lab


def test_float_integer_labels_are_accepted():
    assert align_labels([0.0, 1.0], [1.0, 0.0]).tolist() == [0, 1]


def test_bad_input():
    with pytest.raises(ValueError, match="same length"):
        match_clusters([0, 1], [0, 1, 1])
    with pytest.raises(ValueError, match="NaN"):
        align_labels([0.0, np.nan], [0, 1])
    with pytest.raises(TypeError, match="integers"):
        align_labels(["a", "b"], [0, 1])
    with pytest.raises(ValueError, match="1-d"):
        align_labels(np.zeros((2, 2)), [0, 1])
    for not_labels in (None, 3, "abc", {0: 1}):
        with pytest.raises(TypeError, match="'reference'.*1-d array"):
            match_clusters(not_labels, [0, 1])


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(min_value=-1, max_value=6), min_size=1, max_size=40),
    st.permutations(list(range(7))),
)
def test_relabelled_copy_is_restored_exactly(ref, perm):
    # any relabelling of a partition (noise kept) is undone by the alignment
    ref = np.array(ref)
    lab = np.where(ref == -1, -1, np.array(perm)[np.maximum(ref, 0)] + 10)
    assert align_labels(ref, lab).tolist() == ref.tolist()


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(min_value=0, max_value=4), min_size=2, max_size=40),
    st.lists(st.integers(min_value=0, max_value=4), min_size=2, max_size=40),
)
def test_alignment_is_optimal_among_permutations(a, b):
    # brute force over all injective maps of b's clusters to a's (small k only)
    from itertools import permutations

    n = min(len(a), len(b))
    ref, lab = np.array(a[:n]), np.array(b[:n])
    best = 0
    ur, ul = np.unique(ref), np.unique(lab)
    for targets in permutations(range(max(ur.size, ul.size)), ul.size):
        mapped = np.array([ur[t] if t < ur.size else -99 for t in targets])
        best = max(best, int((mapped[np.searchsorted(ul, lab)] == ref).sum()))
    assert int((align_labels(ref, lab) == ref).sum()) == best
