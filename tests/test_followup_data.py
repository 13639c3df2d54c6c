"""The synthetic second assessment: the committed files equal a fresh regeneration, the
true transition matrix is what the docs say, and a latent transition model recovers it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linear_sum_assignment

from clusterdiscovery import LatentTransitionModel
from clusterdiscovery.datasets import (
    followup_transitions,
    load_followup,
    load_sample,
    make_client_population,
    make_followup,
)
from clusterdiscovery.datasets._followup import FOLLOWUP_FILES
from clusterdiscovery.datasets._resources import package_data_dir
from clusterdiscovery.datasets.make_sample import make_sample


def test_committed_followup_equals_a_fresh_regeneration(tmp_path):
    make_sample(tmp_path)
    folder = package_data_dir("sample")
    for name in FOLLOWUP_FILES:
        assert (tmp_path / name).read_bytes() == (folder / name).read_bytes(), name
    fu = load_followup()
    clients = load_sample().clients
    assert fu.items.index.equals(clients.index)
    # no second assessment where the client table has no follow-up
    no_fu = clients["honos_total_followup"].isna().to_numpy()
    assert fu.items[no_fu].isna().all(axis=None)
    assert fu.items[~no_fu].notna().any(axis=1).all()


def test_transitions_move_towards_lower_need_only():
    P = followup_transitions(6)
    np.testing.assert_allclose(P.sum(axis=1), 1.0)
    assert (np.diag(P) >= 0.7).all()
    fu = make_followup(make_client_population(6000, 6, random_state=3), random_state=4)
    pop_labels = make_client_population(6000, 6, random_state=3).true_labels
    observed = pd.crosstab(pop_labels, fu.true_labels, normalize="index").to_numpy()
    assert np.abs(observed - P).max() < 0.05


def test_a_latent_transition_model_recovers_the_sample_transitions():
    pop = load_sample()
    fu = load_followup()
    items = [f"honos_{i}" for i in range(1, 13)]
    X = [pop.clients[items], fu.items[items]]
    m = LatentTransitionModel(6, n_init=3, random_state=0, tol=1e-6).fit(X)
    # align fitted classes to the true subgroups by the baseline posteriors
    post = m.predict_proba(X)[0]
    truth = pop.true_labels.reindex(pop.clients.index).to_numpy()
    overlap = np.stack([post[truth == k].sum(axis=0) for k in range(6)])
    _, cols = linear_sum_assignment(-overlap)
    A = m.transition_[np.ix_(cols, cols)]
    P = fu.transition.to_numpy()
    assert np.abs(np.diag(A) - np.diag(P)).mean() < 0.1


def test_bad_arguments():
    with pytest.raises(TypeError, match="Population"):
        make_followup("clients.csv")
    with pytest.raises(FileNotFoundError, match="make_sample"):
        load_followup("/nonexistent-folder")
