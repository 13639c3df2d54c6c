"""Portable cluster models: versioned JSON model files (never pickle), assigning new clients.

:func:`save_model` writes a fitted k-means, Gaussian mixture or latent class model and its
preprocessing as plain parameters; :func:`load_model` reads one back as a
:class:`ClusterModel` whose :meth:`~ClusterModel.assign` labels new clients with numpy
alone. The format is described in ``docs/model_files.md`` (JSON Schema:
``docs/model_file.schema.json``).

Examples
--------
>>> import numpy as np, pandas as pd
>>> from sklearn.cluster import KMeans
>>> from clusterdiscovery.persistence import build_model
>>> rng = np.random.default_rng(0)
>>> X = pd.DataFrame({"a": np.r_[rng.normal(0, 1, 50), rng.normal(6, 1, 50)],
...                   "b": rng.normal(0, 1, 100)})
>>> km = KMeans(n_clusters=2, n_init=2, random_state=0).fit(X)
>>> model = build_model(km, names=["low", "high"], created="2026-01-01T00:00:00+00:00")
>>> model.assign(X.head(2))["label"].tolist() == km.labels_[:2].tolist()
True
"""

from ._format import FORMAT_VERSION
from ._model import ClusterModel, load_model
from ._save import build_model, exemplar_model, save_model

__all__ = ["save_model", "load_model", "ClusterModel", "build_model", "exemplar_model",
           "FORMAT_VERSION"]
