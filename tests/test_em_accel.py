"""Tests of the SQUAREM-accelerated EM of LatentClassModel (models/_em_accel.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.utils import check_random_state

from clusterdiscovery import LatentClassModel
from clusterdiscovery.datasets._published import load_values
from clusterdiscovery.models._em_accel import lca_transform, squarem
from clusterdiscovery.models._lca_data import compress

MEASUREMENT = {"c0": "categorical", "c1": "categorical", "c2": "categorical",
               "score": "gaussian", "contacts": "poisson"}


def simulate_mixed(n, missing=0.0, seed=0):
    """Rows from a known 3-class model with overlapping classes (slow plain EM)."""
    rng = np.random.default_rng(seed)
    z = rng.choice(3, size=n, p=[0.5, 0.3, 0.2])
    X = pd.DataFrame({
        f"c{j}": (rng.random(n) < np.array([0.3, 0.6, 0.45])[np.roll(np.arange(3), j)][z])
        .astype(int) for j in range(3)})
    X["score"] = rng.normal(np.array([0.0, 1.0, -1.0])[z], 1.0)
    X["contacts"] = rng.poisson(np.array([2.0, 4.0, 6.0])[z]).astype(float)
    if missing:
        X = X.mask(rng.random(X.shape) < missing)
    return X, z


def _prepared(model, X):
    """The encoded patterns, weights, column stats and design a fit would use."""
    model._check_params()
    data = model._encode(X, fit=True)
    pdata, w = compress(data, model._n_levels, None)
    stats = model._column_stats(pdata, w)
    return pdata, w, stats, model._design(pdata)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_squarem_reaches_the_plain_em_fixed_point_in_fewer_steps(seed):
    """From the same start, accelerated and plain EM end at the same log-likelihood (to
    1e-6 relative, the tolerance of the stopping rule) and the same partition, and SQUAREM
    takes fewer M-steps."""
    X, _ = simulate_mixed(n=1200, seed=seed)
    model = LatentClassModel(3, measurement=MEASUREMENT, tol=1e-10, max_iter=5000)
    pdata, w, stats, D = _prepared(model, X)
    start = model._random_params(pdata, w, check_random_state(seed), stats)
    model.accelerate = "none"
    p_em, ll_em, conv_em, it_em, A_em = model._run_em(D, w, start, stats)
    model.accelerate = "squarem"
    p_sq, ll_sq, conv_sq, it_sq, A_sq = model._run_em(D, w, start, stats)
    assert conv_em and conv_sq
    assert ll_sq == pytest.approx(ll_em, rel=1e-6)
    assert ll_sq >= ll_em - 1e-6 * abs(ll_em)
    assert it_sq < it_em, (it_sq, it_em)
    assert (A_em.argmax(axis=0) == A_sq.argmax(axis=0)).mean() > 0.99


def test_squarem_is_monotone():
    """Every accepted SQUAREM iterate has a log-likelihood no lower than the one before."""
    X, _ = simulate_mixed(n=800, missing=0.1, seed=4)
    model = LatentClassModel(4, measurement=MEASUREMENT)
    pdata, w, stats, D = _prepared(model, X)
    start = model._random_params(pdata, w, check_random_state(4), stats)
    seen = []

    def e_step(p):
        A, ll = model._e_step(D, w, p)
        seen.append(ll)
        return A, ll

    pack, unpack = lca_transform(model)
    params, ll, conv, n_iter, _ = squarem(
        e_step, lambda A: model._m_step(D, A, w, stats), start, pack=pack, unpack=unpack,
        tol=1e-8 * w.sum(), max_iter=2000)
    assert conv
    # the returned point is the best seen among the evaluated valid points (up to tol)
    assert ll >= max(seen) - 1e-6 * abs(ll)
    assert ll > seen[0]


def test_pack_unpack_round_trip():
    X, _ = simulate_mixed(n=300, seed=5)
    model = LatentClassModel(3, measurement=MEASUREMENT)
    pdata, w, stats, _ = _prepared(model, X)
    params = model._random_params(pdata, w, check_random_state(5), stats)
    pack, unpack = lca_transform(model)
    back = unpack(pack(params))
    for a, b in zip(params, back):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(("n_classes", "loglik", "n_init"),
                         [(2, -504.4677, 4), (3, -503.3011, 8)])
def test_both_engines_reproduce_goodman(n_classes, loglik, n_init):
    """Stouffer-Toby data: the maximum log-likelihoods published by Goodman (1974) and
    reported by poLCA (Linzer & Lewis 2011) are reached with and without acceleration."""
    table = load_values()
    X, counts = table[["A", "B", "C", "D"]], table["count"].to_numpy()
    for accelerate in ("none", "squarem"):
        model = LatentClassModel(n_classes, n_init=n_init, tol=1e-9, max_iter=5000,
                                 accelerate=accelerate, random_state=0)
        model.fit(X, sample_weight=counts)
        assert model.loglik_ == pytest.approx(loglik, abs=1e-3), accelerate


def test_bad_accelerate_is_refused():
    X, _ = simulate_mixed(n=100, seed=0)
    with pytest.raises(ValueError, match="accelerate"):
        LatentClassModel(2, measurement=MEASUREMENT, accelerate="aitken").fit(X)


def test_short_runs_find_the_maximum_that_full_runs_find():
    """start_tol (Biernacki et al. 2003 short runs): the best of 5 short runs, run on to
    convergence, ends at the log-likelihood the best of 5 full runs reaches."""
    X, _ = simulate_mixed(n=1500, missing=0.05, seed=8)
    kw = dict(measurement=MEASUREMENT, n_init=5, random_state=8)
    full = LatentClassModel(3, start_tol=0.0, **kw).fit(X)
    short = LatentClassModel(3, **kw).fit(X)
    assert short.start_tol > short.tol
    assert short.loglik_ == pytest.approx(full.loglik_, rel=1e-6)
    assert short.converged_
