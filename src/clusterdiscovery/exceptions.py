"""Exception and warning classes of clusterdiscovery.

Every error a user can trigger by passing bad input is one of these (or a plain
``TypeError`` for a wrong type), and its message names the column or parameter at
fault and says how to fix it.
"""

from __future__ import annotations

from sklearn.exceptions import ConvergenceWarning as _SklearnConvergenceWarning

__all__ = [
    "SchemaError",
    "ModelSpecError",
    "ConvergenceWarning",
    "UnstableClusterWarning",
    "SuppressionWarning",
    "VarianceFloorWarning",
]


class SchemaError(ValueError):
    """The client data does not match its :class:`~clusterdiscovery.ClientSchema`.

    The message names the column and says how to fix the data or the schema.
    """


class ModelSpecError(ValueError):
    """A model file is malformed, or new data does not fit a loaded model.

    The message gives the JSON path of the fault (for example
    ``$.model.parameters.means[2]``) or the column of the new data at fault.
    """


class ConvergenceWarning(_SklearnConvergenceWarning):
    """An iterative fit stopped before it converged.

    A subclass of scikit-learn's ``ConvergenceWarning`` so that filters written for
    scikit-learn also catch ours.
    """


class UnstableClusterWarning(UserWarning):
    """A cluster did not reproduce under resampling (Jaccard mean below 0.6)."""


class VarianceFloorWarning(UserWarning):
    """A class's variance of an item sits at its floor (the class is on nearly identical
    values of that item): reported, not a rejection of the solution."""


class SuppressionWarning(UserWarning):
    """Cells were suppressed because they counted fewer clients than ``min_cell_size``."""
