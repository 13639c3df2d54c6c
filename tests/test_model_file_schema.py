"""The model file's JSON Schema is the one source of its structure rules.

The package ships the schema (``clusterdiscovery/persistence/model_file.schema.json``) and
validates every file against it with jsonschema; ``docs/model_file.schema.json`` is the
same file. Structural faults are reported in the package's words with their JSON path; the
validator's shortcuts (scalar arrays in one pass, a switch on ``measurement``/``op``) give
the same verdict as plain jsonschema.
"""

from __future__ import annotations

import copy
import json
import random
from importlib import resources
from pathlib import Path

import jsonschema
import numpy as np
import pandas as pd
import pytest
from sklearn.cluster import KMeans

import clusterdiscovery as cd
from clusterdiscovery import LatentClassModel, ModelSpecError
from clusterdiscovery.datasets._published import default_published_dir
from clusterdiscovery.features import make_preprocessor
from clusterdiscovery.persistence import ClusterModel, build_model
from clusterdiscovery.persistence._format import SCHEMA_RESOURCE, load_schema
from clusterdiscovery.persistence._structure import check_structure

ROOT = Path(__file__).resolve().parents[1]
PUBLISHED = default_published_dir()
CREATED = "2026-01-01T00:00:00+00:00"


def test_docs_copy_is_the_shipped_schema():
    shipped = resources.files("clusterdiscovery.persistence").joinpath(SCHEMA_RESOURCE)
    assert (ROOT / "docs" / "model_file.schema.json").read_bytes() == shipped.read_bytes(), \
        "copy src/clusterdiscovery/persistence/model_file.schema.json to docs/"
    schema = load_schema()
    jsonschema.validators.validator_for(schema).check_schema(schema)
    assert "persistence/*.json" in (ROOT / "pyproject.toml").read_text()  # package data


@pytest.fixture(scope="module")
def docs():
    """Valid files: k-means with mixed preprocessing, a latent class model with every kind of
    column but two-part, the published Stouffer-Toby model."""
    pop = cd.datasets.make_client_population(n_clients=300, random_state=3)
    clients = pop.clients
    pre = make_preprocessor(pop.schema, columns=["age", "sex", "honos_1", "prior_admissions"],
                            log1p=["prior_admissions"], add_indicator=True)
    km = KMeans(3, n_init=1, random_state=0).fit(pre.fit_transform(clients))
    cols = {"sex": "categorical", "age": "gaussian", "years_known": "lognormal",
            "prior_admissions": "poisson"}
    lca = LatentClassModel(2, measurement=cols, random_state=0).fit(clients[list(cols)])
    out = [build_model(km, preprocessor=pre, X=clients, created=CREATED).to_dict(),
           build_model(lca, created=CREATED).to_dict(),
           json.loads((PUBLISHED / "stouffer_toby_2class.json").read_text())]
    return out


@pytest.mark.parametrize("edit, message", [
    (lambda d: d.update(extra=1), r"^\$\.extra: unknown key; allowed keys here are \["),
    (lambda d: d.pop("created"), r"^\$\.created: required key is missing\.$"),
    (lambda d: d["features"].append(d["features"][0]),
     r"^\$\.features\[4\]: duplicate name 'A'\.$"),
    (lambda d: d["features"].__setitem__(1, "  "), r"^\$\.features\[1\]: expected a non-empty"),
    (lambda d: d["model"].update(n_clusters=0),
     r"^\$\.model\.n_clusters: expected an integer in \[1, 10000\], got 0\.$"),
    (lambda d: d["model"].update(n_clusters=2.0),
     r"^\$\.model\.n_clusters: expected an integer, got 2\.0 \(float\)\.$"),
    (lambda d: d["clusters"].update(n_training=10 ** 400),
     r"^\$\.clusters\.n_training: number too large\.$"),
    (lambda d: d["model"]["parameters"]["weights"].__setitem__(1, float("nan")),
     r"^\$\.model\.parameters\.weights\[1\]: expected a finite number, got nan\.$"),
    (lambda d: d["model"]["parameters"]["columns"][2]["levels"].__setitem__(0, None),
     r"^\$\.model\.parameters\.columns\[2\]\.levels\[0\]: a level cannot be null here\.$"),
    (lambda d: d["model"]["parameters"]["columns"][0].update(measurement="normal"),
     r"^\$\.model\.parameters\.columns\[0\]\.measurement: expected one of \['categorical'"),
    (lambda d: d["model"]["parameters"]["columns"][0]["probabilities"][1].__setitem__(0, -.1),
     r"^\$\.model\.parameters\.columns\[0\]\.probabilities\[1\]\[0\]: expected a number >= 0"),
    (lambda d: d["model"].update(family="os.system"),
     r"^\$\.model\.family: unknown model family 'os\.system'; expected one of \['kmeans'"),
    (lambda d: d.update(format_version=1.0), r"^\$\.format_version: expected a string, got"),
    (lambda d: d.update(provenance={str(i): "x" for i in range(101)}),
     r"^\$\.provenance: more than 100 entries\.$"),
    (lambda d: d.update(privacy={"min_cell_size": 11, "small_clusters_allowed": "no"}),
     r"^\$\.privacy\.small_clusters_allowed: expected true or false, got 'no' \(str\)\.$"),
])
def test_structural_faults_in_the_packages_words(docs, edit, message):
    doc = copy.deepcopy(docs[2])
    edit(doc)
    with pytest.raises(ModelSpecError, match=message):
        ClusterModel.from_dict(doc)


def test_kmeans_preprocessing_faults_named(docs):
    doc = copy.deepcopy(docs[0])
    doc["preprocessing"]["blocks"][0]["steps"].append({"op": "sqrt"})
    with pytest.raises(ModelSpecError, match=r"steps\[\d\]\.op: unknown step 'sqrt' \(str\); "
                                             r"expected one of impute, log1p"):
        check_structure(doc)
    doc = copy.deepcopy(docs[0])
    scale = next(s for s in doc["preprocessing"]["blocks"][0]["steps"] if s["op"] == "scale")
    scale["scale"][0] = 0
    with pytest.raises(ModelSpecError, match=r"\.scale\[0\]: expected a number > 0, got 0\.$"):
        ClusterModel.from_dict(doc)


def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, (*prefix, i))


def test_same_verdict_as_plain_jsonschema(docs):
    """Mutated files: the package's compiled validator and plain jsonschema on the same
    schema agree on valid/invalid (the package reads no NaN and no float counts, which the
    mutations here do not use), and a fault is reported at the path of one of jsonschema's."""
    schema = load_schema()
    plain = jsonschema.validators.validator_for(schema)(schema)
    values = [None, True, 0, -1, 2.5, -0.5, "", "x", "gaussian", "scale", [], {}, [1, "a"],
              {"op": "log1p"}, {"measurement": "poisson"}, ["a", "a"]]
    rnd = random.Random(0)
    verdicts = []
    for _ in range(400):
        doc = copy.deepcopy(docs[rnd.randrange(len(docs))])
        path = rnd.choice([p for p in _paths(doc) if p])
        parent = doc
        for key in path[:-1]:
            parent = parent[key]
        if rnd.random() < 0.2:
            del parent[path[-1]]
        else:
            parent[path[-1]] = copy.deepcopy(rnd.choice(values))
        errors = list(plain.iter_errors(doc))
        try:
            check_structure(doc)
            ours = None
        except ModelSpecError as exc:
            ours = str(exc)
        assert (ours is None) == (not errors), (path, ours, [e.message for e in errors])
        verdicts.append(ours is None)
    assert 20 < sum(verdicts) < 380  # both verdicts were exercised


def test_ten_thousand_scalars_take_one_pass():
    """A 10,000-feature model: its arrays are checked in one pass, its faults still named."""
    names = [f"f{i}" for i in range(10_000)]
    rng = np.random.default_rng(0)
    cols = [{"name": n, "measurement": "gaussian", "means": rng.normal(size=2).tolist(),
             "variances": rng.uniform(1, 2, 2).tolist()} for n in names]
    doc = {"format_version": "1.0", "package_version": "0", "created": CREATED,
           "features": names, "model": {"family": "latent_class", "n_clusters": 2,
                                        "parameters": {"n_components": 2,
                                                       "weights": [0.5, 0.5],
                                                       "columns": cols}},
           "clusters": {"names": ["a", "b"], "descriptions": ["", ""], "sizes": [5, 5],
                        "n_training": 10}}
    model = ClusterModel.from_dict(doc)
    assert model.features == names
    data = pd.DataFrame(rng.normal(size=(3, 10_000)), columns=names)
    assert model.assign(data)["label"].between(0, 1).all()
    cols[9_999]["variances"][1] = -1.0
    with pytest.raises(ModelSpecError, match=r"columns\[9999\]\.variances\[1\]: expected a "
                                             r"number > 0, got -1\.0\.$"):
        ClusterModel.from_dict(doc)
