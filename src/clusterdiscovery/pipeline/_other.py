"""Other characteristics: the schema features left out of the clustering (``[features]
exclude``), described by cluster in a table of their own.

A column the user excluded did not form the clusters, so it is never among a cluster's
distinguishing features, names or needs (issue 19, point 3); a reader may still want to
know how the clusters differ on it (the sex or ethnicity mix, say). It is profiled with
the same suppression as Table 1 (its own cells protected, the cluster sizes shared) and
shown in a clearly separate section, "Other characteristics (not used to form the
clusters)", with ``tables/other_characteristics.csv`` holding raw numbers and flags.
"""

from __future__ import annotations

import warnings

from ..exceptions import SuppressionWarning

__all__ = ["other_characteristics"]

TITLE = "Other characteristics (not used to form the clusters)"


def other_characteristics(table, labels, schema, columns, names, *, min_cell_size,
                          random_state, sample_weight=None):
    """``(section, csv_table)`` for the excluded features ``columns``, or None."""
    from ..describe._csv import table1_csv
    from ..describe._report import labelled_table1
    from ..describe._text import Meaning
    from ..profiling import profile_clusters

    columns = [c for c in columns if c in schema.features and c in table.columns]
    if not columns:
        return None
    sub = schema.select(columns)
    with warnings.catch_warnings():  # the main profile has already said what was withheld
        warnings.simplefilter("ignore", SuppressionWarning)
        profile = profile_clusters(table, labels, schema=sub, features=columns, costs=(),
                                   outcomes={}, min_cell_size=min_cell_size, n_bootstrap=10,
                                   random_state=random_state, sample_weight=sample_weight)
    meaning = Meaning(profile, schema=sub)
    shown = labelled_table1(profile, meaning).rename(columns=dict(enumerate(names)))
    labels_text = ", ".join(meaning.label(c) for c in columns)
    text = [f"These columns were left out of the clustering ([features] exclude): "
            f"{labels_text}. They did not form the clusters and are never used in their "
            f"names or descriptions; this table only shows how the clusters differ on them. "
            f"A count below {min_cell_size} clients is withheld (—), with the cells that "
            f"would give it away."]
    return (TITLE, text, [shown]), table1_csv(profile).reset_index()
