"""The write stage of :func:`~clusterdiscovery.discover`: the report, the model file and the
tables (:func:`~clusterdiscovery.pipeline._write.write`)."""

from __future__ import annotations

from ._contracts import Chosen, Described, Prepared, StageData
from ._write import write

__all__ = ["write_stage"]


def write_stage(cfg, given: StageData, prep: Prepared, selection, chosen: Chosen,
                described: Described) -> dict:
    """Write everything under ``[output] dir`` (nothing without one): the paths written."""
    return write(cfg, described.descriptions, selection, chosen.candidates, chosen.stability,
                 chosen.model, given.schema, prep.cluster_cols, prep.X, chosen.labels,
                 described.record, described.tables)
