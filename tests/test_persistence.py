"""Model files: round trips, assignment rules, privacy, safety, the published model."""

from __future__ import annotations

import json
import re
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest
from scipy.special import softmax
from sklearn.cluster import HDBSCAN, KMeans
from sklearn.mixture import GaussianMixture
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

import clusterdiscovery as cd
from clusterdiscovery import LatentClassModel, ModelSpecError
from clusterdiscovery.datasets._published import default_published_dir
from clusterdiscovery.features import make_preprocessor
from clusterdiscovery.persistence import (
    ClusterModel,
    build_model,
    exemplar_model,
    load_model,
    save_model,
)

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parents[1]
PUBLISHED = default_published_dir()  # package data, shipped with the package
CREATED = "2026-01-01T00:00:00+00:00"
LCA_COLUMNS = {"sex": "categorical", "housing": "categorical", "honos_1": "categorical",
               "honos_9": "categorical", "ethnicity": "categorical", "substance_use":
               "categorical", "age": "gaussian", "prior_admissions": "poisson"}


@pytest.fixture(scope="module")
def train():
    return cd.datasets.make_client_population(n_clients=800, random_state=11)


@pytest.fixture(scope="module")
def new_clients():
    """10,000 clients the models never saw."""
    return cd.datasets.make_client_population(n_clients=10_000, random_state=12).clients


@pytest.fixture(scope="module")
def prep(train):
    pre = make_preprocessor(train.schema)
    Xt = pre.fit_transform(train.clients)
    return pre, Xt


@pytest.fixture(scope="module")
def small_prep(train):
    """Mixed types (with missing values) but few columns, so that mixtures fit quickly."""
    pre = make_preprocessor(train.schema, columns=["age", "sex", "housing", "honos_1",
                                                   "honos_9", "years_known",
                                                   "prior_admissions"])
    Xt = pre.fit_transform(train.clients)
    return pre, Xt


@pytest.fixture(scope="module")
def kmeans_model(train, prep):
    pre, Xt = prep
    km = KMeans(n_clusters=4, n_init=2, random_state=0).fit(Xt)
    return km, pre


# ----------------------------------------------------------------------------- round trips
def test_kmeans_round_trip_10000_new_clients(tmp_path, train, prep, kmeans_model,
                                             new_clients):
    km, pre = kmeans_model
    path = tmp_path / "km.json"
    written = save_model(path, km, preprocessor=pre, schema=train.schema, X=train.clients,
                         created=CREATED, names=["a", "b", "c", "d"])
    loaded = load_model(path)
    assert loaded.family == "kmeans" and loaded.n_clusters == 4
    out = loaded.assign(new_clients)
    expected_labels = km.predict(pre.transform(new_clients))
    np.testing.assert_array_equal(out["label"].to_numpy(), expected_labels)
    # soft memberships: softmax(-d^2 / (2 s^2)) with s^2 = inertia / ((n - k) p)
    d2 = km.transform(pre.transform(new_clients)) ** 2
    s2 = km.inertia_ / ((len(km.labels_) - 4) * km.n_features_in_)
    expected = softmax(-d2 / (2 * s2), axis=1)
    proba = out[[f"p_{k}" for k in range(4)]].to_numpy()
    np.testing.assert_allclose(proba, expected, rtol=0, atol=1e-9)
    # the loaded model equals the in-memory one to 1e-12
    np.testing.assert_allclose(proba, written.predict_proba(new_clients), rtol=0, atol=1e-12)
    assert out.index.equals(new_clients.index)
    assert list(out.columns[:4]) == ["label", "name", "probability", "uncertain"]
    assert set(out["name"]) <= {"a", "b", "c", "d"}


@pytest.mark.parametrize("covariance_type", ["full", "tied", "diag", "spherical"])
def test_gaussian_mixture_round_trip(tmp_path, train, small_prep, new_clients,
                                    covariance_type):
    pre, Xt = small_prep
    gm = GaussianMixture(n_components=3, covariance_type=covariance_type, random_state=0,
                         reg_covar=1e-4, max_iter=50).fit(Xt)
    path = tmp_path / f"gm_{covariance_type}.json"
    save_model(path, gm, preprocessor=pre, X=train.clients, created=CREATED)
    loaded = load_model(path)
    sample = new_clients
    proba = loaded.predict_proba(sample)
    expected = gm.predict_proba(pre.transform(sample))
    np.testing.assert_allclose(proba, expected, rtol=0, atol=1e-10)
    np.testing.assert_array_equal(loaded.predict(sample), gm.predict(pre.transform(sample)))
    np.testing.assert_allclose(loaded.score_samples(sample),
                               gm.score_samples(pre.transform(sample)), rtol=1e-10)


@pytest.fixture(scope="module")
def sample():
    return cd.datasets.load_sample()


@pytest.mark.parametrize("family", ["kmeans", "gaussian_mixture-full", "gaussian_mixture-tied",
                                    "gaussian_mixture-diag", "gaussian_mixture-spherical",
                                    "latent_class"])
def test_round_trip_on_the_sample_data(tmp_path, sample, family):
    """Fit on 2,000 clients of src/clusterdiscovery/data/sample, save, load, assign the other 1,000: the file
    gives the in-memory estimator's labels and probabilities (to 1e-12)."""
    fit, new = sample.clients.iloc[:2000], sample.clients.iloc[2000:]
    if family == "latent_class":
        est = LatentClassModel(4, measurement=LCA_COLUMNS, random_state=0)
        est.fit(fit[list(LCA_COLUMNS)])
        pre, expected = None, est.predict_proba(new[list(LCA_COLUMNS)])
    else:
        pre = make_preprocessor(sample.schema, columns=["age", "sex", "housing", "honos_1",
                                                        "honos_9", "prior_admissions"])
        Xt = pre.fit_transform(fit)
        if family == "kmeans":
            est = KMeans(4, n_init=2, random_state=0).fit(Xt)
            d2 = est.transform(pre.transform(new)) ** 2
            s2 = est.inertia_ / ((len(fit) - 4) * Xt.shape[1])
            expected = softmax(-d2 / (2 * s2), axis=1)
        else:
            est = GaussianMixture(4, covariance_type=family.split("-")[1], random_state=0,
                                  reg_covar=1e-4).fit(Xt)
            expected = est.predict_proba(pre.transform(new))
    path = tmp_path / f"{family}.json"
    in_memory = save_model(path, est, preprocessor=pre, X=fit, created=CREATED,
                           schema=sample.schema)
    loaded = load_model(path)
    out = loaded.assign(new)
    proba = out.filter(regex=r"^p_\d+$").to_numpy()
    np.testing.assert_allclose(proba, in_memory.predict_proba(new), rtol=0, atol=1e-12)
    np.testing.assert_allclose(proba, expected, rtol=0,
                               atol=1e-10 if family.startswith("gaussian") else 1e-9)
    labels = est.predict(new[list(LCA_COLUMNS)] if pre is None else pre.transform(new))
    np.testing.assert_array_equal(out["label"].to_numpy(), labels)
    assert loaded.schema.feature_columns == loaded.features


def test_gaussian_mixture_needs_sizes(train, small_prep):
    pre, Xt = small_prep
    gm = GaussianMixture(n_components=2, covariance_type="diag", random_state=0).fit(Xt)
    with pytest.raises(ModelSpecError, match="cluster_sizes"):
        build_model(gm, preprocessor=pre)
    model = build_model(gm, preprocessor=pre, cluster_sizes=[400, 400])
    assert model.sizes.tolist() == [400, 400]


def test_latent_class_round_trip_mixed_with_missing(tmp_path, train, new_clients):
    cols = list(LCA_COLUMNS)
    data = train.clients[cols]
    assert data.isna().any().any()  # honos_1, honos_9, ethnicity have missing values
    lca = LatentClassModel(3, measurement=LCA_COLUMNS, random_state=0).fit(data)
    path = tmp_path / "lca.json"
    save_model(path, lca, created=CREATED)
    loaded = load_model(path)
    new = new_clients[cols]
    proba = loaded.predict_proba(new)
    np.testing.assert_allclose(proba, lca.predict_proba(new), rtol=0, atol=1e-12)
    np.testing.assert_array_equal(loaded.predict(new), lca.predict(new))
    # the class's own from_dict rebuilds the same model from the file's parameters
    rebuilt = LatentClassModel.from_dict(loaded.to_dict()["model"]["parameters"])
    np.testing.assert_allclose(rebuilt.predict_proba(new), proba, rtol=0, atol=1e-12)
    # log-likelihood equals the estimator's up to its dropped constants: differences
    # between rows are identical
    ours = loaded.score_samples(new.iloc[:500])
    theirs = lca.score_samples(new.iloc[:500])
    np.testing.assert_allclose(np.diff(ours - theirs), 0, atol=1e-9)


def test_latent_class_missing_values_left_out(train):
    cols = ["sex", "housing", "age"]
    lca = LatentClassModel(2, measurement={"sex": "categorical", "housing": "categorical",
                                           "age": "gaussian"}, random_state=0)
    lca.fit(train.clients[cols])
    model = build_model(lca)
    params = model.to_dict()["model"]["parameters"]
    w = np.asarray(params["weights"])
    rows = pd.DataFrame({"sex": [None, "female"], "housing": [None, None],
                         "age": [np.nan, np.nan]})
    proba = model.predict_proba(rows)
    np.testing.assert_allclose(proba[0], w, atol=1e-12)  # nothing observed: the prior
    sex = params["columns"][0]
    p_female = np.asarray(sex["probabilities"])[:, sex["levels"].index("female")]
    np.testing.assert_allclose(proba[1], w * p_female / (w * p_female).sum(), atol=1e-12)


def test_latent_class_lognormal_round_trip_with_missing(tmp_path, train, new_clients):
    import jsonschema

    cols = {"sex": "categorical", "housing": "categorical", "age": "gaussian",
            "years_known": "lognormal", "prior_admissions": "poisson"}
    data = train.clients[list(cols)].copy()
    data.loc[data.index[::6], "years_known"] = np.nan
    lca = LatentClassModel(3, measurement=cols, random_state=0).fit(data)
    path = tmp_path / "lca_lognormal.json"
    save_model(path, lca, created=CREATED)
    doc = json.loads(path.read_text())
    entry = doc["model"]["parameters"]["columns"][3]
    assert entry == {"name": "years_known", "measurement": "lognormal",
                     "means": lca.means_["years_known"].tolist(),
                     "variances": lca.variances_["years_known"].tolist()}
    assert doc["schema"]["features"]["years_known"] == {"type": "continuous"}
    jsonschema.validate(doc, json.loads((ROOT / "docs" / "model_file.schema.json").read_text()))
    loaded = load_model(path)
    new = new_clients[list(cols)].copy()
    new.loc[new.index[::4], "years_known"] = np.nan
    assert new["years_known"].notna().sum() > 5000
    np.testing.assert_allclose(loaded.predict_proba(new), lca.predict_proba(new),
                               rtol=0, atol=1e-12)
    np.testing.assert_array_equal(loaded.predict(new), lca.predict(new))
    # the file's likelihood is the estimator's (a density of x, Jacobian included)
    np.testing.assert_allclose(loaded.score_samples(new.iloc[:500]),
                               lca.score_samples(new.iloc[:500]), rtol=1e-12, atol=1e-9)
    rebuilt = LatentClassModel.from_dict(loaded.to_dict()["model"]["parameters"])
    assert rebuilt.measurement_["years_known"] == "lognormal"
    np.testing.assert_allclose(rebuilt.predict_proba(new), lca.predict_proba(new),
                               rtol=0, atol=1e-12)
    bad = new.iloc[:3].copy()
    bad.loc[bad.index[1], "years_known"] = -0.5
    with pytest.raises(ModelSpecError, match=r"'years_known'.*lognormal.*negative"):
        loaded.assign(bad)
    # invalid lognormal parameters are rejected with the JSON path
    for field, value, message in [("variances", -1.0, r"expected a number > 0"),
                                  ("variances", 0.0, r"expected a number > 0"),
                                  ("means", "NaN", r"expected a number, got 'NaN'")]:
        broken = json.loads(path.read_text())
        broken["model"]["parameters"]["columns"][3][field][1] = value
        with pytest.raises(ModelSpecError,
                           match=rf"\$\.model\.parameters\.columns\[3\]\.{field}\[1\]: "
                                 rf"{message}"):
            ClusterModel.from_dict(broken)
    text = path.read_text()
    at = text.index('"measurement": "lognormal"')
    at = text.index('"variances": [', at) + len('"variances": [')
    with pytest.raises(ModelSpecError, match="NaN"):
        ClusterModel.from_json(text[:at] + "NaN, " + text[at:])


# ----------------------------------------------------------------------------- new-data rules
def test_unseen_category_and_missing_column(kmeans_model, train):
    km, pre = kmeans_model
    model = build_model(km, preprocessor=pre, X=train.clients)
    new = train.clients.iloc[:20].copy()
    new["housing"] = new["housing"].astype(object)
    new.iloc[3, new.columns.get_loc("housing")] = "castle"
    before = new.copy()
    with pytest.raises(ModelSpecError, match=r"'housing'.*castle"):
        model.assign(new)
    as_missing = model.assign(new, unknown="missing")
    blank = new.copy()
    blank.iloc[3, blank.columns.get_loc("housing")] = None
    # the same labels as a blank value; only the unseen category is flagged out of range
    as_blank = model.assign(blank)
    pd.testing.assert_frame_equal(as_missing.drop(columns="out_of_range"),
                                  as_blank.drop(columns="out_of_range"))
    assert as_missing["out_of_range"].tolist() == [i == 3 for i in range(20)]
    assert not as_blank["out_of_range"].any()
    pd.testing.assert_frame_equal(new, before)  # never modified
    with pytest.raises(ModelSpecError, match=r"lack column\(s\) \['age'\]"):
        model.assign(new.drop(columns="age"))
    out = model.assign(new.drop(columns="age"), unknown="missing")
    assert out.shape[0] == 20


def test_missing_value_without_imputation_names_column(train):
    data = train.clients[["age", "years_known"]].copy()
    km = KMeans(2, n_init=2, random_state=0).fit(data)
    model = build_model(km)
    new = data.iloc[:5].copy()
    new.iloc[0, 1] = np.nan
    with pytest.raises(ModelSpecError, match=r"years_known.*no imputation"):
        model.predict(new)
    with pytest.raises(TypeError, match="DataFrame"):
        model.predict(new.to_numpy())


def test_uncertain_flag_and_threshold(kmeans_model, train):
    km, pre = kmeans_model
    model = build_model(km, preprocessor=pre, X=train.clients)
    out = model.assign(train.clients, threshold=0.9)
    np.testing.assert_array_equal(out["uncertain"], out["probability"] < 0.9)
    np.testing.assert_allclose(out.filter(like="p_").sum(axis=1), 1.0, atol=1e-12)
    with pytest.raises(ValueError, match="threshold"):
        model.assign(train.clients, threshold=0)


def test_plain_scaler_pipeline_and_no_preprocessing(train):
    data = train.clients[["age", "years_known", "prior_admissions"]]
    scaler = StandardScaler().fit(data)
    km = KMeans(3, n_init=2, random_state=0).fit(scaler.transform(data))
    a = build_model(km, preprocessor=scaler, X=data)
    np.testing.assert_array_equal(a.predict(data), km.labels_)
    pipe = Pipeline([("scale", StandardScaler()), ("km", KMeans(3, n_init=2, random_state=0))])
    pipe.fit(data)
    b = build_model(pipe, X=data)
    np.testing.assert_array_equal(b.predict(data), pipe.predict(data))
    raw = KMeans(3, n_init=2, random_state=0).fit(data.to_numpy())
    with pytest.raises(ModelSpecError, match="features="):
        build_model(raw)
    c = build_model(raw, features=list(data.columns))
    np.testing.assert_array_equal(c.predict(data), raw.labels_)


def test_density_model_refused_with_advice(train):
    X = train.clients[["age", "years_known"]].to_numpy()
    hdb = HDBSCAN(min_cluster_size=40, copy=True).fit(X)
    with pytest.raises(ModelSpecError, match="condensed cluster tree") as err:
        build_model(hdb)
    assert "exemplar_model" in str(err.value)
    km = exemplar_model(hdb, X)
    assert km.n_clusters == len(np.unique(hdb.labels_[hdb.labels_ >= 0]))
    model = build_model(km, features=["age", "years_known"], allow_small_clusters=True)
    assert model.n_clusters == km.n_clusters


# ----------------------------------------------------------------------------- privacy
def test_small_cluster_refused(train):
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"x": np.r_[rng.normal(0, 1, 100), [50.0, 51.0]],
                      "y": np.r_[rng.normal(0, 1, 100), [50.0, 50.5]]})
    km = KMeans(2, n_init=3, random_state=0).fit(X)
    assert sorted(np.bincount(km.labels_)) == [2, 100]
    with pytest.raises(ModelSpecError, match="min_cell_size=11"):
        build_model(km)
    assert build_model(km, allow_small_clusters=True).sizes.min() == 2


def test_no_row_level_data_written(tmp_path, train, prep, kmeans_model):
    km, pre = kmeans_model
    path = tmp_path / "km.json"
    save_model(path, km, preprocessor=pre, X=train.clients, created=CREATED)
    lca = LatentClassModel(2, measurement=LCA_COLUMNS, random_state=0)
    lca.fit(train.clients[list(LCA_COLUMNS)])
    path2 = tmp_path / "lca.json"
    save_model(path2, lca, created=CREATED)
    for p in (path, path2):
        text = p.read_text()
        ids = train.clients.index.astype(str)
        assert not any(i in text for i in ids[:800])
        # the continuous values of the training rows (17 significant digits) never appear;
        # medians of an even count are averages, means are averages
        numbers = set(re.findall(r"-?\d+\.\d{6,}(?:e-?\d+)?", text))
        for col in ("age", "years_known"):
            values = {repr(float(v)) for v in train.clients[col].dropna()}
            assert not (numbers & values), col


# ----------------------------------------------------------------------------- file format
def test_reproducible_bytes_and_json_schema(tmp_path, train, kmeans_model, gm_text):
    import jsonschema

    km, pre = kmeans_model
    a = tmp_path / "a.json"
    b = tmp_path / "b.json"
    save_model(a, km, preprocessor=pre, X=train.clients, created=CREATED)
    save_model(b, km, preprocessor=pre, X=train.clients, created=CREATED)
    assert a.read_bytes() == b.read_bytes()
    schema = json.loads((ROOT / "docs" / "model_file.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    lca = LatentClassModel(2, measurement=LCA_COLUMNS, random_state=0)
    lca.fit(train.clients[list(LCA_COLUMNS)])
    pre = make_preprocessor(train.schema, columns=["age", "sex", "honos_1"],
                            add_indicator=True, ordinal_as="onehot")
    km2 = KMeans(3, n_init=1, random_state=0).fit(pre.fit_transform(train.clients))
    docs = [json.loads(a.read_text()), json.loads(gm_text),
            build_model(lca).to_dict(),
            build_model(km2, preprocessor=pre, X=train.clients).to_dict(),
            json.loads((PUBLISHED / "stouffer_toby_2class.json").read_text())]
    assert any(s["op"] == "indicator" for b in docs[3]["preprocessing"]["blocks"]
               for s in b["steps"])
    for doc in docs:
        jsonschema.validate(doc, schema)


def test_docs_schema_lists_the_validators_keys():
    from clusterdiscovery.persistence import _format as f

    schema = json.loads((ROOT / "docs" / "model_file.schema.json").read_text())
    assert set(schema["required"]) == set(f.TOP_LEVEL_REQUIRED)
    assert set(schema["properties"]) == set(f.TOP_LEVEL_REQUIRED) | set(f.TOP_LEVEL_OPTIONAL)
    defs = schema["$defs"]
    for name, keys in [("model", f.MODEL_KEYS), ("clusters", f.CLUSTERS_KEYS),
                       ("privacy", f.PRIVACY_KEYS), ("preprocessing", f.PREPROCESSING_KEYS)]:
        assert set(defs[name]["required"]) == set(keys["required"]), name
        assert set(defs[name]["properties"]) == set(keys["required"]) | set(keys["optional"])
    assert set(defs["model"]["properties"]["family"]["enum"]) == set(f.FAMILIES)
    for kind, keys in f.LCA_MEASUREMENTS.items():
        assert set(defs[f"lca_{kind}"]["required"]) == set(keys)
    assert schema["properties"]["format_version"]["enum"] == sorted(f.SUPPORTED_VERSIONS)


# ----------------------------------------------------------------------------- safety
@pytest.fixture(scope="module")
def gm_text(train):
    data = train.clients[["age", "years_known"]]
    gm = GaussianMixture(3, covariance_type="full", random_state=0).fit(data)
    return build_model(gm, X=data, created=CREATED).to_json()


def _mutate(text, fn):
    doc = json.loads(text)
    fn(doc)
    return json.dumps(doc)


@pytest.mark.parametrize("edit, path", [
    (lambda d: d["model"]["parameters"]["means"][2].__setitem__(1, "x"),
     r"\$\.model\.parameters\.means\[2\]\[1\]"),
    (lambda d: d["model"]["parameters"]["means"][2].pop(), r"\$\.model\.parameters\.means\[2\]"),
    (lambda d: d["model"]["parameters"]["weights"].__setitem__(0, 0.9),
     r"\$\.model\.parameters\.weights: the weights sum"),
    (lambda d: d["model"]["parameters"]["covariances"][1][0].__setitem__(0, -5.0),
     r"\$\.model\.parameters\.covariances\[1\]: .*(positive definite|symmetric)"),
    (lambda d: d["model"]["parameters"]["covariances"][0][0].__setitem__(1, 1e6),
     r"\$\.model\.parameters\.covariances\[0\]: .*symmetric"),
    (lambda d: d.__setitem__("format_version", "9.0"), r"\$\.format_version: unknown"),
    (lambda d: d.pop("clusters"), r"\$\.clusters: required"),
    (lambda d: d["model"].__setitem__("n_clusters", 2_000_000_000), r"\$\.model\.n_clusters"),
    (lambda d: d["model"].__setitem__("family", "os.system"), r"\$\.model\.family: unknown"),
    (lambda d: d["clusters"]["sizes"].__setitem__(0, 1), r"\$\.clusters\.sizes"),
    (lambda d: d.__setitem__("extra", 1), r"\$\.extra: unknown key"),
])
def test_inconsistent_files_name_the_json_path(gm_text, edit, path):
    with pytest.raises(ModelSpecError, match=path):
        ClusterModel.from_json(_mutate(gm_text, edit))


def test_lca_probabilities_and_variances_checked():
    doc = json.loads((PUBLISHED / "stouffer_toby_2class.json").read_text())
    doc["model"]["parameters"]["columns"][1]["probabilities"][0] = [0.5, 0.6]
    with pytest.raises(ModelSpecError,
                       match=r"\$\.model\.parameters\.columns\[1\]\.probabilities\[0\]: "
                             r"the probabilities sum to 1\.1"):
        ClusterModel.from_dict(doc)
    doc = json.loads((PUBLISHED / "stouffer_toby_2class.json").read_text())
    doc["model"]["parameters"]["columns"][0] = {"name": "A", "measurement": "gaussian",
                                                "means": [0.0, 1.0], "variances": [1.0, -1.0]}
    with pytest.raises(ModelSpecError, match=r"columns\[0\]\.variances\[1\]: expected a "
                                             r"number > 0"):
        ClusterModel.from_dict(doc)


@pytest.mark.parametrize("text, message", [
    ('{"format_version": NaN}', "NaN"),
    ('{"format_version": Infinity}', "Infinity"),
    ('{"a": 1e999}', "does not fit"),
    ('{"a": 1, "a": 2}', "appears twice"),
    ("[" * 100_000 + "]" * 100_000, "nested too deeply|not valid"),
    ('{"format_version": "1.0", "model": {', "truncated"),
    (b"\xff\xfe{}", "not UTF-8"),
    ("[1, 2, 3]", r"\$: expected an object"),
    ("", "not valid JSON"),
])
def test_hostile_text_rejected(text, message):
    with pytest.raises(ModelSpecError, match=message):
        ClusterModel.from_json(text)


def test_size_limit(tmp_path, gm_text):
    path = tmp_path / "m.json"
    path.write_text(gm_text)
    assert load_model(path).n_clusters == 3
    with pytest.raises(ModelSpecError, match="max_bytes"):
        load_model(path, max_bytes=100)
    with pytest.raises(FileNotFoundError):
        load_model(tmp_path / "nope.json")


# ----------------------------------------------------------------------------- published
def test_published_stouffer_toby_model_reproduces_published_numbers():
    """Stouffer & Toby (1951) role-conflict data, two-class latent class model.

    Published (poLCA example ``values``, model M1, Linzer & Lewis 2011; replicating Goodman
    1974): class shares 0.2792 / 0.7208, predicted class memberships by modal posterior
    0.3287 / 0.6713, maximum log-likelihood -504.4677. The file stores the published
    parameters (4 decimals); applying them to the published data reproduces the modal
    shares exactly and the log-likelihood to 1e-4.
    """
    model = load_model(PUBLISHED / "stouffer_toby_2class.json")
    counts = pd.read_csv(PUBLISHED / "values.csv")
    data = counts.loc[counts.index.repeat(counts["count"]), ["A", "B", "C", "D"]]
    assert len(data) == 216
    out = model.assign(data.reset_index(drop=True))
    shares = out["label"].value_counts(normalize=True).sort_index().round(4).tolist()
    assert shares == [0.3287, 0.6713]
    np.testing.assert_allclose(model.weights, [0.2792, 0.7208])
    assert abs(model.score_samples(data).sum() - (-504.4677)) < 1e-3
    assert model.provenance["doi"] == "10.18637/jss.v042.i10"
    assert "<table" in model._repr_html_()
    assert model.summary["size"].tolist() == [71, 145]


# ------------------------------------------------------------------------- bad arguments
def test_bad_arguments_get_clear_errors(tmp_path):
    rng = np.random.default_rng(0)
    data = pd.DataFrame({"a": np.r_[rng.normal(0, 1, 40), rng.normal(6, 1, 40)],
                         "b": rng.normal(0, 1, 80)})
    km = KMeans(2, n_init=2, random_state=0).fit(data)
    # an explicit feature list must agree with the fitted names, never be silently ignored
    with pytest.raises(ModelSpecError, match=r"'features' parameter \['b', 'a'\] differs"):
        build_model(km, features=["b", "a"])
    with pytest.raises(ModelSpecError, match="'features' parameter"):
        build_model(Pipeline([("s", StandardScaler()),
                              ("k", KMeans(2, n_init=2, random_state=0))]).fit(data),
                    features=["x", "y"])
    with pytest.raises(TypeError, match="'features' parameter must be a list"):
        build_model(KMeans(2, n_init=2, random_state=0).fit(data.to_numpy()), features="ab")
    assert build_model(km, features=["a", "b"]).features == ["a", "b"]
    with pytest.raises(TypeError, match="'X' parameter"):
        build_model(km, X="abc")
    model = build_model(km)
    with pytest.raises(TypeError, match="threshold"):
        model.assign(data, threshold="0.5")
    path = model.save(tmp_path / "m.json")
    with pytest.raises(TypeError, match="'path' parameter"):
        load_model(5)
    with pytest.raises(ValueError, match="max_bytes"):
        load_model(path, max_bytes=-1)


def test_exemplar_model_refuses_bad_labels_and_features():
    rng = np.random.default_rng(1)
    X = np.r_[rng.normal(0, 1, (30, 2)), rng.normal(5, 1, (30, 2))]

    class Fitted:
        labels_ = np.repeat([0.0, 1.0], 30)

    assert exemplar_model(Fitted(), X).n_clusters == 2
    Fitted.labels_ = np.r_[np.repeat([0.0, 1.0], 30)[:-1], np.nan]
    with pytest.raises(ValueError, match="labels_ must be integers"):
        exemplar_model(Fitted(), X)
    Fitted.labels_ = np.repeat([0, 1], 30)
    with pytest.raises(TypeError, match="numeric"):
        exemplar_model(Fitted(), "x")
    with pytest.raises(TypeError, match=r"\['t'\]"):
        exemplar_model(Fitted(), pd.DataFrame({"a": X[:, 0], "t": ["x"] * 60}))
    with pytest.raises(ValueError, match="missing or infinite"):
        exemplar_model(Fitted(), np.where(X > 6, np.nan, X))


def test_save_path_must_be_a_file_name(tmp_path):
    rng = np.random.default_rng(2)
    data = pd.DataFrame({"a": np.r_[rng.normal(0, 1, 30), rng.normal(6, 1, 30)],
                         "b": rng.normal(0, 1, 60)})
    km = KMeans(2, n_init=2, random_state=0).fit(data)
    with pytest.raises(IsADirectoryError, match="model.json"):
        save_model(tmp_path, km)
    with pytest.raises(TypeError, match="'path' parameter"):
        save_model(None, km)
    assert list(tmp_path.iterdir()) == []
    assert save_model(tmp_path / "m.json", km).n_clusters == 2


# ------------------------------------------------------- training ranges (issue 19.10, 21.6)
def test_assign_flags_values_outside_the_training_range(tmp_path):
    """A model file without a schema still flags an age of 250, -500 or 1e6 and a covariate
    far outside its training values; no training row is flagged."""
    import json

    rng = np.random.default_rng(0)
    z = rng.integers(0, 2, 400)
    X = pd.DataFrame({"age": np.round(rng.normal(np.where(z, 30, 60), 8), 1),
                      "visits": rng.poisson(np.where(z, 1, 6)),
                      "smoker": np.where(rng.random(400) < np.where(z, .2, .7), "yes", "no")})
    lca = LatentClassModel(2, measurement={"age": "gaussian", "visits": "poisson",
                                           "smoker": "categorical"}, n_init=2,
                           random_state=0).fit(X)
    path = tmp_path / "m.json"
    save_model(path, lca, X=X)
    doc = json.loads(path.read_text())
    assert doc["format_version"] == "1.2" and set(doc["ranges"]) == {"age", "visits"}
    low, high = doc["ranges"]["age"]
    assert low <= X["age"].min() and high >= X["age"].max()
    assert low != X["age"].min() or high != X["age"].max()  # not a client's exact value
    model = load_model(path)
    assert not model.assign(X)["out_of_range"].any()
    new = X.iloc[:4].copy()
    new["age"] = [250.0, -500.0, 1e6, 40.0]
    flags = model.assign(new)["out_of_range"].tolist()
    assert flags == [True, True, True, False]
    bad = dict(doc, ranges={"age": [5, 1]})
    with pytest.raises(ModelSpecError, match=r"\$\.ranges\.age: low 5 is above high 1"):
        ClusterModel(bad)
    old = dict(doc, format_version="1.0")
    with pytest.raises(ModelSpecError, match="ranges need format_version 1.2"):
        ClusterModel(old)
    del old["ranges"]
    assert not ClusterModel(old).assign(new)["out_of_range"].iloc[0]  # 1.0 files still load


def test_a_covariate_far_outside_its_training_values_is_flagged(tmp_path):
    rng = np.random.default_rng(1)
    z = rng.integers(0, 2, 300)
    items = pd.DataFrame({f"i{j}": (rng.random(300) < np.where(z, .8, .2)).astype(int)
                          for j in range(4)})
    cov = pd.DataFrame({"score": rng.normal(z, 1)})
    lca = LatentClassModel(2, n_init=2, random_state=0).fit(items, covariates=cov)
    path = tmp_path / "c.json"
    save_model(path, lca, X=items.join(cov))
    model = load_model(path)
    new = items.iloc[:2].join(pd.DataFrame({"score": [1e6, 0.5]}, index=items.index[:2]))
    assert model.assign(new)["out_of_range"].tolist() == [True, False]
