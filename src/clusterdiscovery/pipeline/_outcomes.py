"""Declared follow-up outcomes (``[outcomes]`` in the study TOML, ``--outcomes a,b``).

An outcome is measured after the clustering's reference time: it is never a clustering
feature and never enters a cluster's name. With a ``baseline`` it becomes a schema outcome
``(baseline, follow-up)``, reported by cluster as change from baseline with reliable change
(Jacobson and Truax 1991) at the study's (or the outcome's) reliability; without one, the
report's section "Outcomes at follow-up" gives its mean by cluster with a 95% interval
(``tables/followup_outcomes.csv``), clusters with fewer than ``min_cell_size`` clients with a
value withheld.

```toml
[outcomes]
health_followup = {baseline = "health_baseline", reliability = 0.8, label = "Health score"}
visits_next_year = {}
```
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..exceptions import SchemaError

__all__ = ["check_outcomes", "declare_outcomes", "outcome_reliability", "outcome_section"]

_KEYS = {"baseline", "reliability", "label", "higher_is", "unit"}


def check_outcomes(outcomes) -> dict:
    """Refuse a malformed ``[outcomes]`` table before any fitting; return it as
    ``{column: {key: value}}`` (a plain list of columns, ``outcomes = ["a", "b"]``, as the
    CLI's ``--outcomes a,b``, gives ``{"a": {}, "b": {}}``)."""
    if isinstance(outcomes, list | tuple) and all(isinstance(c, str) for c in outcomes):
        outcomes = {c: {} for c in outcomes}
    if not isinstance(outcomes, dict):
        raise ValueError("Configuration [outcomes] must be a table: column = {baseline = "
                         "..., reliability = ..., label = ...} (or {} for none), or a list "
                         "of column names.")
    for col, spec in outcomes.items():
        if not isinstance(spec, dict):
            raise ValueError(f"Configuration [outcomes] {col!r} must be a table such as "
                             f"{{baseline = \"{col}_baseline\"}} or {{}}.")
        unknown = set(spec) - _KEYS
        if unknown:
            raise ValueError(f"Configuration [outcomes] {col!r} has unknown key(s) "
                             f"{sorted(unknown)}; allowed: {sorted(_KEYS)}.")
        rel = spec.get("reliability")
        if rel is not None and (isinstance(rel, bool) or not (
                isinstance(rel, int | float) and 0 < rel < 1)):
            raise ValueError(f"Configuration [outcomes] {col!r}: reliability must be a number "
                             f"in (0, 1); got {rel!r}.")
        base = spec.get("baseline")
        if base is not None and (not isinstance(base, str) or base == col):
            raise ValueError(f"Configuration [outcomes] {col!r}: baseline must name another "
                             f"column (the same measure before follow-up); got {base!r}.")
        if rel is not None and base is None:
            raise ValueError(f"Configuration [outcomes] {col!r}: a reliability needs a "
                             "baseline (reliable change is change from the baseline); add "
                             f"baseline = \"<column>\" or drop reliability.")
        direction = spec.get("higher_is")
        if direction is not None and direction not in ("better", "worse", "neutral"):
            raise ValueError(f"Configuration [outcomes] {col!r}: higher_is must be 'better', "
                             f"'worse' or 'neutral'; got {direction!r}.")
    return {str(c): dict(s) for c, s in outcomes.items()}


def declare_outcomes(schema, outcomes: dict, columns) -> tuple:
    """The schema without the outcomes among its features (those with a baseline added as
    schema outcomes), and the outcomes without a baseline (reported on their own)."""
    if not outcomes:
        return schema, []
    missing = [c for c in outcomes if c not in columns]
    if missing:
        raise SchemaError(f"[outcomes] / --outcomes names {missing}, not column(s) of the "
                          f"client table; choose from {list(map(str, columns))[:12]}.")
    for col, spec in outcomes.items():
        base = spec.get("baseline")
        if base is not None and base not in columns:
            raise SchemaError(f"The baseline {base!r} of outcome {col!r} is not a column of "
                              "the client table.")
    d = schema.to_dict()
    d["features"] = {c: s for c, s in d["features"].items() if c not in outcomes}
    paired = dict(d.get("outcomes") or {})
    alone = []
    for col, spec in outcomes.items():
        if spec.get("baseline") is None:
            alone.append(col)
            continue
        meta = {k: spec[k] for k in ("label", "higher_is", "unit") if spec.get(k) is not None}
        paired[col] = {"baseline": spec["baseline"], "follow_up": col, **meta}
    d["outcomes"] = paired
    return type(schema).from_dict(d), alone


def outcome_reliability(default, outcomes: dict, schema_outcomes) -> dict:
    """``{outcome: reliability}`` for the profile's reliable change (Jacobson and Truax
    1991): an outcome's own ``reliability`` in ``[outcomes]``, else ``[profile] reliability``
    (a number, or a table by outcome)."""
    out = {}
    for name in schema_outcomes:
        own = (outcomes.get(name) or {}).get("reliability")
        base = default.get(name, 0.8) if isinstance(default, dict) else default
        out[name] = own if own is not None else base
    return out


def outcome_section(table, labels, columns, names, min_cell_size):
    """Means by cluster of the outcomes without a baseline: (section, table) or None."""
    from scipy import stats

    if not columns:
        return None
    rows = []
    lab = labels.reindex(table.index).to_numpy()
    for col in columns:
        y = pd.to_numeric(table[col], errors="coerce").to_numpy(dtype=float)
        for k, name in enumerate(names):
            v = y[(lab == k) & np.isfinite(y)]
            row = {"outcome": col, "cluster": name, "n": float(v.size), "mean": np.nan,
                   "ci_low": np.nan, "ci_high": np.nan, "suppressed": False}
            if 0 < v.size < min_cell_size:
                row.update(n=np.nan, suppressed=True)
            elif v.size >= 2:
                half = stats.t.ppf(0.975, v.size - 1) * v.std(ddof=1) / np.sqrt(v.size)
                row.update(mean=v.mean(), ci_low=v.mean() - half, ci_high=v.mean() + half)
            rows.append(row)
    out = pd.DataFrame(rows)
    text = [f"Declared follow-up outcomes ({', '.join(columns)}): never clustered on nor used "
            "in names; their mean by cluster with a 95% t-interval. A cluster with fewer than "
            f"{min_cell_size} clients with a value is withheld."]
    shown = out.set_index(["outcome", "cluster"]).round(3)
    return ("Outcomes at follow-up", text, [shown]), out
