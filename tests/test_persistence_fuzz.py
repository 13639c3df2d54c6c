"""Fuzzing the model-file loader: every input gives a valid model or a ModelSpecError.

Valid files of every family are mutated (keys dropped, values replaced by arbitrary JSON
values, NaN/Infinity tokens inserted, bytes truncated or flipped) and random JSON and
random bytes are fed in. Loading must end in a :class:`ClusterModel` or a
:class:`ModelSpecError`, never another exception; a model that loads must assign data
(or refuse it with ``ModelSpecError``).
"""

from __future__ import annotations

import copy
import json
import re
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.cluster import KMeans
from sklearn.mixture import GaussianMixture

import clusterdiscovery as cd
from clusterdiscovery import LatentClassModel, ModelSpecError
from clusterdiscovery.datasets._published import default_published_dir
from clusterdiscovery.features import make_preprocessor
from clusterdiscovery.persistence import ClusterModel, build_model

ROOT = Path(__file__).resolve().parents[1]
PUBLISHED = default_published_dir()  # package data, shipped with the package
CREATED = "2026-01-01T00:00:00+00:00"
TALLY: Counter = Counter()

def SETTINGS(n):  # noqa: N802 - reads like hypothesis' own decorator
    return settings(max_examples=n, deadline=None, database=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow,
                                           HealthCheck.function_scoped_fixture])



@pytest.fixture(scope="module")
def bases():
    """(text, data) of valid files: k-means with mixed preprocessing, two mixtures, two
    latent class models (one with categorical, gaussian, lognormal and poisson columns)."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        pop = cd.datasets.make_client_population(n_clients=300, random_state=3)
        clients = pop.clients
        pre = make_preprocessor(pop.schema, columns=["age", "sex", "honos_1", "housing",
                                                     "prior_admissions"],
                                log1p=["prior_admissions"], add_indicator=True)
        Xt = pre.fit_transform(clients)
        km = KMeans(3, n_init=1, random_state=0).fit(Xt)
        num = clients[["age", "years_known"]]
        gm_full = GaussianMixture(2, random_state=0).fit(num)
        gm_diag = GaussianMixture(2, covariance_type="diag", random_state=0).fit(num)
        lca_cols = {"sex": "categorical", "honos_1": "categorical", "age": "gaussian",
                    "years_known": "lognormal", "prior_admissions": "poisson"}
        lca = LatentClassModel(2, measurement=lca_cols, random_state=0).fit(
            clients[list(lca_cols)])
        counts = pd.read_csv(PUBLISHED / "values.csv")
        st_data = counts.loc[counts.index.repeat(counts["count"]), ["A", "B", "C", "D"]]
        out = [
            (build_model(km, preprocessor=pre, X=clients, created=CREATED).to_json(),
             clients.iloc[:40]),
            (build_model(gm_full, X=num, created=CREATED).to_json(), num.iloc[:40]),
            (build_model(gm_diag, X=num, created=CREATED).to_json(), num.iloc[:40]),
            (build_model(lca, created=CREATED).to_json(), clients[list(lca_cols)].iloc[:40]),
            ((PUBLISHED / "stouffer_toby_2class.json").read_text(),
             st_data.iloc[::10]),
        ]
    for text, _ in out:  # the bases themselves are valid
        ClusterModel.from_json(text)
    return out


def _check(text, data) -> None:
    """The property: a valid model (that assigns or refuses data) or a ModelSpecError."""
    TALLY["tried"] += 1
    try:
        model = ClusterModel.from_json(text)
    except ModelSpecError:
        TALLY["rejected"] += 1
        return
    TALLY["loaded"] += 1
    for unknown in ("raise", "missing"):
        try:
            out = model.assign(data, unknown=unknown)
        except ModelSpecError:
            continue
        TALLY["assigned"] += 1
        proba = out.filter(regex=r"^p_\d+$").to_numpy()
        assert np.isfinite(proba).all()
        assert np.allclose(proba.sum(axis=1), 1.0)
        break


def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, (*prefix, i))


json_scalars = st.one_of(
    st.none(), st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([0, -1, 2_000_000_000, 2**31, 10**400]),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(["NaN", "Infinity", "", "1.0", "full", "kmeans", "latent_class", "1.0",
                     "__import__('os')", "A"]),
    st.text(max_size=8),
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.text(max_size=6), inner, max_size=4)),
    max_leaves=12,
)


@SETTINGS(300)
@given(which=st.integers(0, 4), pick=st.integers(0, 10**9), value=json_values,
       action=st.sampled_from(["replace", "drop", "append"]))
def test_structural_mutations(bases, which, pick, value, action):
    text, data = bases[which]
    doc = json.loads(text)
    paths = [p for p in _paths(doc) if p]
    path = paths[pick % len(paths)]
    parent = doc
    for key in path[:-1]:
        parent = parent[key]
    last = path[-1]
    if action == "replace":
        parent[last] = copy.deepcopy(value)
    elif action == "drop":
        del parent[last]
    elif isinstance(parent, list):
        parent.append(copy.deepcopy(value))
    else:
        parent[f"extra_{pick % 7}"] = copy.deepcopy(value)
    _check(json.dumps(doc), data)


@SETTINGS(200)
@given(which=st.integers(0, 4), pick=st.integers(0, 10**9),
       token=st.sampled_from(["NaN", "Infinity", "-Infinity", "1e999", "-1e999", "\"NaN\"",
                              "null", "true", "[]", "{}", "1e-400", "99999999999999999999"]))
def test_number_tokens_replaced(bases, which, pick, token):
    text, data = bases[which]
    numbers = list(re.finditer(r"-?\d+(\.\d+)?([eE][-+]?\d+)?", text))
    m = numbers[pick % len(numbers)]
    _check(text[:m.start()] + token + text[m.end():], data)


@SETTINGS(200)
@given(which=st.integers(0, 4), cut=st.integers(0, 10**9), flip=st.integers(0, 10**9),
       byte=st.integers(0, 255), truncate=st.booleans())
def test_bytes_truncated_or_flipped(bases, which, cut, flip, byte, truncate):
    text, data = bases[which]
    raw = bytearray(text.encode())
    if truncate:
        raw = raw[:cut % len(raw)]
    else:
        raw[flip % len(raw)] = byte
    _check(bytes(raw), data)


@SETTINGS(150)
@given(value=json_values)
def test_random_json(bases, value):
    _check(json.dumps(value), bases[0][1])


@SETTINGS(100)
@given(raw=st.binary(max_size=64), depth=st.integers(1, 5000))
def test_random_bytes_and_deep_nesting(bases, raw, depth):
    _check(raw, bases[0][1])
    _check("[" * depth + "]" * depth, bases[0][1])
    _check('{"a":' * depth + "1" + "}" * depth, bases[0][1])


def test_zz_tally():
    """Runs last in this file: the fuzz tests above did try hundreds of files."""
    print(f"\nmodel-file fuzz: {TALLY['tried']} inputs tried, {TALLY['rejected']} rejected with "
          f"ModelSpecError, {TALLY['loaded']} loaded as valid models ({TALLY['assigned']} "
          f"of them assigned the test data), 0 other exceptions")
    assert TALLY["tried"] >= 1000
    assert TALLY["rejected"] >= 500
