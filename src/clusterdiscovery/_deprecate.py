"""Old spellings of public parameters, accepted for one release with a ``FutureWarning``
(scikit-learn's deprecation habit): one spelling per concept in the public API.

======================================  ==============================================
old                                     new
======================================  ==============================================
``profile_clusters(higher_is_better=)``  ``higher_is=`` (``"better"`` / ``"worse"``)
``describe_clusters(worse_when_higher=)``  ``higher_is=`` (``"worse"`` / ``"better"`` /
                                        ``"neutral"``), as in the schema
``LatentTransitionModel.bootstrap_transitions(n_resamples=)``  ``n_bootstrap=``, as every
                                        other bootstrap interval of the package
======================================  ==============================================
"""

from __future__ import annotations

import warnings

__all__ = ["renamed"]


def renamed(old: str, old_value, new: str, new_value, *, where: str, convert=None,
            stacklevel: int = 3):
    """The value to use when ``old`` was renamed ``new``: ``new_value`` unless the old
    spelling was given (not None), which warns (``FutureWarning``) and is converted."""
    if old_value is None:
        return new_value
    if new_value is not None:
        raise TypeError(f"{where}: pass '{new}' only ('{old}' is its old name).")
    warnings.warn(f"{where}: '{old}' is deprecated and will be removed in the next release; "
                  f"use '{new}' instead.", FutureWarning, stacklevel=stacklevel)
    return convert(old_value) if convert is not None else old_value
