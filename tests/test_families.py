"""One registry of model families (issue 20.1): discover, the configuration check, the
report's words and the model file all read pipeline/_families.FAMILIES."""

from __future__ import annotations

import pytest
from sklearn.base import clone

from clusterdiscovery.pipeline._config import load_config
from clusterdiscovery.pipeline._families import FAMILIES, family


def test_every_family_makes_an_unfitted_estimator_with_the_configured_starts():
    models = load_config(None)["models"]
    for fam in FAMILIES.values():
        est = fam.make(models, {"a": "categorical"})
        clone(est)  # the scikit-learn contract
        assert hasattr(est, "fit") and fam.label and fam.criterion in ("bic", "dbcv")
    assert FAMILIES["latent_class"].reads_table and FAMILIES["latent_class"].transitions
    assert FAMILIES["density"].exemplar == "nearest_centre"
    assert not FAMILIES["gmm"].weighted


def test_the_configuration_is_checked_against_the_registry():
    with pytest.raises(ValueError, match="Unknown model families \\['lda'\\].*latent_class, "
                                         "kmeans, gmm or density"):
        load_config({"models": {"families": ["lda"], "primary": "lda"}})
    with pytest.raises(ValueError, match="Unknown model family 'lda'"):
        family("lda")
