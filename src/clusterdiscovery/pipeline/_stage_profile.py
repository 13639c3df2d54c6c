"""The profile stage of :func:`~clusterdiscovery.discover`: costs, outcomes and features by
cluster (:func:`~clusterdiscovery.profile_clusters`), corrected for classification error."""

from __future__ import annotations

import warnings

import pandas as pd

from ..exceptions import SuppressionWarning
from ._contracts import Chosen, Prepared, StageData
from ._outcomes import outcome_reliability

__all__ = ["profile_stage"]


def profile_stage(cfg, given: StageData, prep: Prepared, chosen: Chosen, random_state,
                  n_jobs):
    """Profile the chosen clusters with the profile's schema and costs; a latent class
    model's costs and outcome changes are then BCH (or ML) corrected. Small-cell suppression
    is announced once, by a :class:`SuppressionWarning` pointing at discover's caller."""
    from ..profiling import profile_clusters

    pcfg, schema, table, costs = cfg["profile"], given.schema, prep.table, prep.costs
    exposure = pcfg["exposure"] if pcfg["exposure"] in table.columns and costs else None
    # profile_clusters warns about suppression at its own caller (this file); catch that
    # and warn once from discover, pointing at discover's caller. Other warnings pass on.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", SuppressionWarning)
        profile = profile_clusters(
            table, chosen.labels, schema=prep.profile_schema, costs=costs,
            outcomes=dict(schema.outcomes), exposure=exposure,
            min_cell_size=pcfg["min_cell_size"], n_bootstrap=pcfg["n_bootstrap"],
            reliability=outcome_reliability(pcfg["reliability"], cfg["outcomes"], schema.outcomes),
            random_state=random_state, n_jobs=n_jobs, sample_weight=prep.weights,
            adjust_for=list(pcfg["adjust_for"]) or None)
    suppression = [w for w in caught if issubclass(w.category, SuppressionWarning)]
    for w in caught:
        if not issubclass(w.category, SuppressionWarning):
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    if suppression:
        # stacklevel 4: profile_stage -> _discover -> discover -> discover's caller
        warnings.warn(str(suppression[0].message), SuppressionWarning, stacklevel=4)
    _correct_for_classification_error(profile, chosen.model, chosen.X_model, table, costs,
                                      schema, pcfg["distal"], prep.weights)
    return profile


def _correct_for_classification_error(profile, model, X_model, table, costs, schema,
                                      method, weights):
    """A latent class model's costs and outcome changes by class, BCH (or ML) corrected.

    Sets ``profile.corrected`` (see :func:`~clusterdiscovery.profiling._distal.
    corrected_by_cluster`) and ``profile.params["distal"]``; nothing for other models or
    ``method="modal"``.
    """
    from ..models import LatentClassModel
    from ..profiling._distal import corrected_by_cluster

    if method == "modal" or not isinstance(model, LatentClassModel):
        return
    values = {c: table[c].astype(float) for c in costs}
    for name, (base, follow) in schema.outcomes.items():
        values[f"change in {name}"] = (table[follow].astype(float)
                                       - table[base].astype(float))
    if not values:
        return
    frame = pd.DataFrame(values, index=table.index).loc[X_model.index]
    profile.corrected = corrected_by_cluster(
        model, X_model, frame, method=method,
        sample_weight=None if weights is None else weights.to_numpy())
    profile.params["distal"] = method
