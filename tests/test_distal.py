"""Three-step distal outcomes (modal, BCH, ML): recovery, hand checks, weights, bad input."""

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linear_sum_assignment

from clusterdiscovery.models import LatentClassModel
from clusterdiscovery.profiling import DistalOutcomeResult, distal_outcomes
from clusterdiscovery.profiling._distal import classification_error

PROFILES = np.array([[0.85, 0.85, 0.85, 0.8, 0.8, 0.8],
                     [0.15, 0.15, 0.15, 0.2, 0.2, 0.2],
                     [0.85, 0.85, 0.85, 0.2, 0.2, 0.2]])
MEANS = np.array([100.0, 250.0, 500.0])


class Fixed:
    """A 'model' with given posteriors (to check the formulas by hand)."""

    def __init__(self, P):
        self.P = np.asarray(P, float)

    def predict_proba(self, X):
        return self.P


@pytest.fixture(scope="module")
def overlapping():
    rng = np.random.default_rng(11)
    n = 3000
    z = rng.choice(3, size=n, p=[0.4, 0.35, 0.25])
    X = pd.DataFrame((rng.random((n, 6)) < PROFILES[z]).astype(int),
                     columns=[f"i{j}" for j in range(6)])
    Y = pd.DataFrame({"cost": rng.normal(MEANS[z], 150.0),
                      "flat": rng.normal(0.0, 1.0, n)})
    lca = LatentClassModel(3, n_init=5, random_state=0).fit(X)
    fitted = np.column_stack([lca.probabilities_[c][:, 1] for c in X.columns])
    cost = ((fitted[:, None, :] - PROFILES[None]) ** 2).sum(axis=2)
    r, c = linear_sum_assignment(cost)
    order = np.empty(3, int)
    order[c] = r
    return X, Y, lca, order


def test_bch_and_ml_recover_true_means_where_modal_is_biased(overlapping):
    X, Y, lca, order = overlapping
    assert 0.55 < lca.entropy(X) < 0.8
    est = {}
    for method in ("modal", "bch", "ml"):
        s = distal_outcomes(lca, X, Y[["cost"]], method=method).summary.set_index("class")
        est[method] = (s["estimate"].to_numpy()[order], s["se"].to_numpy()[order])
    for method in ("bch", "ml"):
        m, se = est[method]
        assert np.all(np.abs(m - MEANS) < 4 * se), (method, m, se)
    m, se = est["modal"]
    # modal assignment pulls the extreme classes towards the middle
    assert MEANS[2] - m[2] > 6 * se[2]
    assert m[0] - MEANS[0] > 4 * se[0]


def test_wald_tests(overlapping):
    X, Y, lca, _ = overlapping
    for method in ("bch", "ml", "modal"):
        tests = distal_outcomes(lca, X, Y, method=method).tests.set_index("outcome")
        assert tests.loc["cost", "p_value"] < 1e-10
        assert tests.loc["cost", "df"] == 2
        assert tests.loc["flat", "p_value"] > 1e-4


def test_bch_by_hand():
    P = np.array([[0.9, 0.1], [0.7, 0.3], [0.4, 0.6], [0.2, 0.8], [0.1, 0.9], [0.6, 0.4]])
    y = np.array([1.0, 2.0, 5.0, 7.0, 8.0, 3.0])
    w = P.argmax(axis=1)
    D = np.array([[P[w == a, s].sum() for a in range(2)] for s in range(2)])
    D /= D.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(classification_error(P, w), D)
    A = np.linalg.inv(D)[w]
    expected = (A * y[:, None]).sum(0) / A.sum(0)
    res = distal_outcomes(Fixed(P), None, pd.DataFrame({"y": y}), method="bch")
    np.testing.assert_allclose(res.summary["estimate"], expected)
    modal = distal_outcomes(Fixed(P), None, pd.DataFrame({"y": y}), method="modal")
    np.testing.assert_allclose(modal.summary["estimate"], [y[w == 0].mean(), y[w == 1].mean()])


def test_no_classification_error_all_methods_agree():
    rng = np.random.default_rng(0)
    w = rng.integers(0, 3, 300)
    P = np.eye(3)[w]
    y = pd.DataFrame({"y": rng.normal(w * 2.0, 1.0), "b": rng.random(300) < 0.3})
    out = [distal_outcomes(Fixed(P), None, y, method=m).summary for m in ("modal", "bch", "ml")]
    for o in out[1:]:
        np.testing.assert_allclose(o["estimate"], out[0]["estimate"], atol=1e-6)
    means = out[0][out[0]["outcome"] == "y"]["estimate"].to_numpy()
    np.testing.assert_allclose(means, [y["y"][w == k].mean() for k in range(3)])
    assert set(out[0][out[0]["outcome"] == "b"]["level"]) == {True}


def test_integer_weights_equal_row_expansion():
    rng = np.random.default_rng(5)
    n = 200
    P = rng.dirichlet([2, 2, 2], n)
    Y = pd.DataFrame({"y": rng.normal(size=n), "c": rng.choice(["a", "b", "c"], n)})
    wts = rng.integers(1, 4, n)
    idx = np.repeat(np.arange(n), wts)
    for method in ("bch", "ml", "modal"):
        a = distal_outcomes(Fixed(P), None, Y, method=method, sample_weight=wts,
                            weight_type="frequency")
        b = distal_outcomes(Fixed(P[idx]), None, Y.iloc[idx].reset_index(drop=True),
                            method=method)
        np.testing.assert_allclose(a.summary["estimate"], b.summary["estimate"], atol=1e-6)
        np.testing.assert_allclose(a.summary["se"], b.summary["se"], atol=1e-6)


def test_result_object(overlapping):
    X, Y, lca, _ = overlapping
    res = distal_outcomes(lca, X, Y, method="bch")
    assert isinstance(res, DistalOutcomeResult)
    assert {"outcome", "class", "estimate", "se", "ci_low", "ci_high"} <= set(res.summary)
    assert "Wald" in res._repr_html_()
    ax = res.plot()
    assert ax.get_title().startswith("cost")
    with pytest.raises(ValueError, match="nope"):
        res.plot(outcome="nope")


def test_bad_input(overlapping):
    X, Y, lca, _ = overlapping
    with pytest.raises(ValueError, match="'method'"):
        distal_outcomes(lca, X, Y, method="naive")
    with pytest.raises(ValueError, match="rows"):
        distal_outcomes(lca, X, Y.iloc[:10])
    with pytest.raises(ValueError, match="sample_weight"):
        distal_outcomes(lca, X, Y, sample_weight=-np.ones(len(X)))
    with pytest.raises(TypeError, match="predict_proba"):
        distal_outcomes(object(), X, Y)


def test_discover_report_uses_bch_and_adjusted_costs(small_population, tmp_path):
    from clusterdiscovery.pipeline import discover

    cfg = {"models": {"k_min": 3, "k_max": 3, "n_init": 1, "families": ["latent_class"]},
           "stability": {"n_resamples": 3, "candidates": 1},
           "profile": {"n_bootstrap": 20, "adjust_for": ["age", "sex"],
                       "min_cell_size": 120}}  # every cluster >= 120, some cells below
    with pytest.warns(UserWarning):
        study = discover(cfg, data=small_population, out=tmp_path, random_state=0)
    corrected = study.profile.corrected
    assert set(corrected["method"]) == {"bch"}
    costs = list(study.profile.params["costs"])
    assert set(corrected.index.get_level_values("outcome")) >= set(costs)
    # the modal column is the profile's own (unsuppressed) mean
    first = costs[0]
    for cluster in study.profile.clusters:
        shown = study.profile.costs.loc[(first, cluster), "mean"] if isinstance(
            study.profile.costs.index, pd.MultiIndex) else study.profile.costs.loc[cluster, "mean"]
        if np.isfinite(shown):
            assert corrected.loc[(first, cluster), "modal"] == pytest.approx(shown)
    report = (tmp_path / "appendix.md").read_text()  # the tables are in the appendix
    assert "BCH method" in report and "BCH mean (95% CI)" in report
    assert "adjusted for case mix" in report
    small = corrected[corrected["n_modal"] < 120]
    assert len(small)  # the suppression check below is not vacuous
    section = report.split("allowing for uncertain membership")[1].split("###")[0]
    meaning = study.descriptions.meaning  # measures appear under their labels
    for (outcome, cluster) in small.index:
        shown = (f"change in {meaning.label(outcome[len('change in '):])}"
                 if outcome.startswith("change in ") else meaning.label(outcome))
        line = next(r for r in section.splitlines()
                    if r.startswith(f"| {shown} | {cluster} |"))
        assert "suppressed" in line and f"{small.loc[(outcome, cluster), 'estimate']:.0f}" \
            not in line.split("|")[3]
    # the cluster pages use the BCH means too, modal beside them, the same suppression
    shown_any = False
    for cluster in study.profile.clusters:
        page = study.descriptions[cluster].text.split("### Details")[0]
        row = corrected.loc[(first, cluster)]
        line = next((r for r in page.splitlines()
                     if "per client (BCH, allowing for uncertain" in r), page)
        if row["n_modal"] < 120:
            # withheld (or the whole page says nothing for a cluster this small)
            assert f"{row['estimate']:,.0f}" not in page and f"{row['modal']:,.0f}" not in page
            assert "suppressed" in line or "To protect the privacy" in page
        else:
            shown_any = True
            assert f"{row['estimate']:,.0f} |" in line
            assert "allow for uncertain membership" in page
            sentence = page[page.index("On average, "):].split(".")[0]
            assert f"{row['estimate']:,.0f}" in sentence, sentence
    assert shown_any


def test_matches_stepmix_three_step_estimates():
    """StepMix 3.0.0 three-step BCH and ML (clusterdiscovery/data/published/stepmix_distal_reference.json,
    written by ``benchmarks/bench_distal.py --write-reference``) on the same simulated data."""
    import json

    from clusterdiscovery.datasets._published import default_published_dir
    from clusterdiscovery.profiling._distal import _fit_ml

    ref = json.loads((default_published_dir() / "stepmix_distal_reference.json").read_text())
    # the simulation of benchmarks/bench_distal.py
    profiles = np.array([[0.85, 0.85, 0.85, 0.78, 0.78, 0.78],
                         [0.15, 0.15, 0.15, 0.22, 0.22, 0.22],
                         [0.85, 0.85, 0.85, 0.22, 0.22, 0.22]])
    rng = np.random.default_rng(ref["seed"])
    n = ref["n"]
    z = rng.choice(3, size=n, p=[0.40, 0.35, 0.25])
    X = pd.DataFrame((rng.random((n, 6)) < profiles[z]).astype(int),
                     columns=[f"item{j}" for j in range(6)])
    cost = rng.normal(np.array(ref["true_means"])[z], 150.0)
    lca = LatentClassModel(3, n_init=5, tol=1e-10, random_state=0).fit(X)
    fitted = np.column_stack([lca.probabilities_[c][:, 1] for c in X.columns])
    r, c = linear_sum_assignment(((fitted[:, None, :] - profiles[None]) ** 2).sum(axis=2))
    order = np.empty(3, int)
    order[c] = r
    bch = distal_outcomes(lca, X, pd.DataFrame({"cost": cost}), method="bch").summary
    np.testing.assert_allclose(bch["estimate"].to_numpy()[order], ref["bch"], atol=0.5)
    P = lca.predict_proba(X)
    w = P.argmax(axis=1)
    est, _, _ = _fit_ml(cost[:, None], "continuous", w, classification_error(P, w),
                        np.ones(n), pi_fixed=lca.weights_)
    np.testing.assert_allclose(est[:, 0][order], ref["ml"], atol=0.5)
    # the modal estimate is far off (the reason for the correction)
    modal = distal_outcomes(lca, X, pd.DataFrame({"cost": cost}), method="modal").summary
    assert np.abs(modal["estimate"].to_numpy()[order] - ref["bch"]).max() > 20


def test_corrected_standard_errors_match_a_bootstrap_of_all_three_steps():
    """correct_se=True adds the step-1 uncertainty (Bakk, Oberski and Vermunt 2014). With
    overlapping classes the three-step errors are too small; the corrected ones agree
    with the spread of the estimates over bootstrap resamples in which step 1 is refitted
    too (classes aligned on the original data)."""
    from sklearn.mixture import GaussianMixture

    rng = np.random.default_rng(1)
    n = 600
    z = rng.integers(0, 2, n)
    X = pd.DataFrame({f"i{j}": (rng.random(n) < np.where(z == 1, 0.75, 0.25)).astype(int)
                      for j in range(5)})
    y = pd.DataFrame({"y": rng.normal(np.where(z == 1, 1.0, 0.0), 1.0)})
    model = LatentClassModel(2, n_init=5, random_state=0).fit(X)
    ref = model.predict(X)
    boot = {"bch": [], "ml": []}
    for b in range(100):
        idx = rng.integers(0, n, n)
        Xb, yb = X.iloc[idx].reset_index(drop=True), y.iloc[idx].reset_index(drop=True)
        mb = LatentClassModel(2, n_init=3, random_state=b).fit(Xb)
        flip = (mb.predict(X) == ref).mean() < 0.5
        for method in boot:
            e = distal_outcomes(mb, Xb, yb, method=method).summary["estimate"].to_numpy()
            boot[method].append(e[::-1] if flip else e)
    for method in boot:
        plain = distal_outcomes(model, X, y, method=method)
        fixed = distal_outcomes(model, X, y, method=method, correct_se=True)
        np.testing.assert_allclose(fixed.summary["estimate"], plain.summary["estimate"])
        sd = np.std(boot[method], axis=0, ddof=1)
        se, se0 = fixed.summary["se"].to_numpy(), plain.summary["se"].to_numpy()
        assert (se > 1.05 * se0).all(), (method, se, se0)  # the correction matters here
        np.testing.assert_allclose(se, sd, rtol=0.25)
        assert fixed.tests["wald"].iloc[0] < plain.tests["wald"].iloc[0]
    with pytest.raises(TypeError, match="correct_se=True needs a LatentClassModel"):
        distal_outcomes(GaussianMixture(2, random_state=0).fit(X), X, y, correct_se=True)
    with pytest.raises(TypeError, match="correct_se"):
        distal_outcomes(model, X, y, correct_se="yes")
    # the modal estimate has no classification-error correction to carry uncertainty
    modal = distal_outcomes(model, X, y, method="modal", correct_se=True)
    pd.testing.assert_frame_equal(modal.summary,
                                  distal_outcomes(model, X, y, method="modal").summary)


def test_constant_and_missing_outcomes_are_never_a_significant_test():
    """issue 21: BCH called a constant outcome different between classes (Wald 396,
    p = 3e-88), and an all-missing outcome got NaN estimates with standard error 0."""
    import warnings

    from clusterdiscovery import LatentClassModel, distal_outcomes

    rng = np.random.default_rng(0)
    z = rng.integers(0, 2, 500)
    X = pd.DataFrame({f"i{j}": (rng.random(500) < np.where(z, .8, .2)).astype(int)
                      for j in range(5)})
    model = LatentClassModel(2, n_init=3, random_state=0).fit(X)
    out = pd.DataFrame({"const": np.full(500, 3.0), "missing": np.nan,
                        "noise": 3 + 1e-15 * rng.normal(size=500),
                        "single": [np.nan] * 499 + [2.0], "level": "same",
                        "real": rng.normal(z, 1)})
    for method in ("bch", "ml", "modal"):
        with pytest.warns(UserWarning, match="'missing' has no observed value"):
            res = distal_outcomes(model, X, out, method=method)
        t = res.tests.set_index("outcome")
        for name in ("const", "noise", "single", "level"):
            assert t.loc[name, "p_value"] == 1.0 and t.loc[name, "wald"] == 0, (method, name)
            assert "cannot differ" in t.loc[name, "note"]
        assert np.isnan(t.loc["missing", "p_value"])
        est = res.summary[res.summary["outcome"] == "missing"]
        assert est["estimate"].isna().all() and est["se"].isna().all()
        assert t.loc["real", "p_value"] < 1e-6 and t.loc["real", "note"] == ""
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            distal_outcomes(model, X, out[["const", "real"]], method=method)


def test_sampling_weights_give_standard_errors_invariant_to_their_scale():
    """issue 21: multiplying sampling weights by 1,000 shrank every standard error about
    31.6 times (they were read as frequency weights)."""
    rng = np.random.default_rng(6)
    n = 300
    P = rng.dirichlet([2, 2, 2], n)
    Y = pd.DataFrame({"y": rng.normal(size=n), "b": rng.random(n) < 0.4})
    wts = rng.uniform(0.5, 3, n)
    for method in ("bch", "ml", "modal"):
        a = distal_outcomes(Fixed(P), None, Y, method=method, sample_weight=wts)
        b = distal_outcomes(Fixed(P), None, Y, method=method, sample_weight=1000 * wts)
        np.testing.assert_allclose(a.summary["estimate"], b.summary["estimate"], rtol=1e-8)
        np.testing.assert_allclose(a.summary["se"], b.summary["se"], rtol=1e-8)
        np.testing.assert_allclose(a.tests["wald"], b.tests["wald"], rtol=1e-6)
        f = distal_outcomes(Fixed(P), None, Y, method=method, sample_weight=1000 * wts,
                            weight_type="frequency")
        assert (f.summary["se"] < a.summary["se"] / 20).all()  # as 1000 times the rows
    with pytest.raises(ValueError, match="'weight_type'"):
        distal_outcomes(Fixed(P), None, Y, sample_weight=wts, weight_type="survey")
