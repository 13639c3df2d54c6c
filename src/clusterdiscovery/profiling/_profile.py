"""profile_clusters(): the entry point that checks the input and assembles the profile."""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Mapping

import numpy as np
import pandas as pd

from .. import __version__
from .._checks import looks_like_ids
from .._deprecate import renamed
from .._utils import (
    check_dataframe,
    check_fraction,
    check_int,
    check_random_state,
    check_sample_weight,
    n_workers,
)
from ..exceptions import SuppressionWarning
from ..schema import ClientSchema
from ._costs import build_costs, group_slices, variance_explained
from ._data import NOISE, numeric_column, prepare_groups, prepare_variables
from ._distinguish import build_distinguishing
from ._outcomes import build_outcome
from ._result import ClusterProfile
from ._suppress import SECONDARY_MARK, SuppressionLog
from ._tables import NONE, build_table1, reason_text

__all__ = ["profile_clusters"]

_N_SPLITS = 5


def _per_outcome(value, name, outcomes, check):
    if isinstance(value, Mapping):
        unknown = set(value) - set(outcomes)
        if unknown:
            raise ValueError(
                f"The '{name}' dict names unknown outcome(s) {sorted(unknown)}; outcomes are "
                f"{sorted(outcomes)}."
            )
        return {k: check(value.get(k, _DEFAULTS[name]), name) for k in outcomes}
    return {k: check(value, name) for k in outcomes}


def _direction(higher_is, higher_is_better):
    """``higher_is`` ("better"/"worse", or a dict of them) as the internal True/False; the
    old ``higher_is_better`` spelling is accepted with a FutureWarning."""
    def better(v):
        if v not in ("better", "worse"):
            raise ValueError(f"The 'higher_is' parameter must be 'better' or 'worse' (or a dict "
                             f"{{outcome: 'better' or 'worse'}}); got {v!r}.")
        return v == "better"

    if higher_is is not None:
        higher_is = ({k: better(v) for k, v in higher_is.items()}
                     if isinstance(higher_is, Mapping) else better(higher_is))
    return renamed("higher_is_better", higher_is_better, "higher_is", higher_is,
                   where="profile_clusters", stacklevel=4)


def _check_bool(value, name):
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"The '{name}' parameter must be True or False; got {value!r}.")
    return bool(value)


_DEFAULTS = {"reliability": 0.8, "higher_is_better": False}


def profile_clusters(data, labels, *, schema=None, features=None, costs=(), outcomes=None,
                     exposure=None, min_cell_size=11, n_bootstrap=2000, reliability=0.8,
                     higher_is=None, alpha=0.05, random_state=None, n_jobs=None,
                     variable_labels=None, sample_weight=None,
                     adjust_for=None, higher_is_better=None) -> ClusterProfile:
    """Profile a clustering of clients: Table 1, distinguishing features, costs, outcomes.

    Parameters
    ----------
    data : DataFrame
        One row per client (index: client id). Never modified.
    labels : array-like or Series
        Cluster label per client (integers ``0, 1, ...``), aligned to ``data``'s index when
        a Series. ``-1`` marks noise (e.g. from HDBSCAN): noise clients are reported as
        their own ``"noise"`` group in every table, count in the overall population and
        in eta squared, but are not a cluster (no v-tests, no description).
    schema : ClientSchema, optional
        Feature types (and, when ``costs``/``outcomes`` are not given, the cost and
        outcome columns). Without a schema, types are inferred from dtypes: bool and 0/1
        columns are binary, other numbers continuous, text categorical (text columns with
        more than 50 distinct values are taken to be identifiers and left out).
    features : list of str, optional
        The columns to profile (default: the schema's features, or every column that is
        not a cost, outcome, exposure, id, team or date column).
    costs : str or list of str
        Cost columns (non-negative, no missing values).
    outcomes : dict, optional
        ``{name: (baseline_column, follow_up_column)}``; default the schema's outcomes.
    exposure : str or Series, optional
        Time in service per client in years (a column or a Series aligned to ``data``), for
        the cost per client-year.
    min_cell_size : int
        Smallest count shown (default 11: counts from 1 to 10 are suppressed, after NHS
        Digital's small-number rules). ``0`` or ``1`` disables suppression (stated in
        ``.notes``). See ``docs/profiling.md`` for the rules, including secondary
        suppression.
    n_bootstrap : int
        Bootstrap resamples per BCa interval (costs and outcome change).
    reliability : float or dict
        Reliability of each outcome measure for the Jacobson-Truax RCI (default 0.8).
    higher_is : {"better", "worse"} or dict, optional
        Direction of each outcome (one for all, or ``{outcome: direction}``). By default the
        schema's ``higher_is`` of the outcome, else ``"worse"`` (as for HoNOS-like scales,
        where lower is better).
    alpha : float
        1 - confidence level of the intervals (0.05: 95% intervals).
    random_state : int, RandomState or None
        Seeds the bootstrap and the cross-validation folds. Same seed, same profile.
    n_jobs : int, optional
        Threads for the bootstrap (results do not depend on it).
    variable_labels : dict, optional
        Display names of variables, kept for descriptions and plots (over the schema's
        ``label`` of each column).
    sample_weight : str, Series or array-like, optional
        Sampling weights (a column of ``data``, a Series aligned to its index, or one
        number per row; default the schema's ``weight`` column if it declares one). Means,
        SDs, quartiles, shares, v-tests, SMDs, eta squared, cost totals and outcomes are
        then weighted (a client of weight ``w`` counts as ``w`` clients: integer weights
        give the figures of the data with each row repeated), and the bootstrap resamples
        clients and takes weighted means. Every ``n`` stays the number of clients
        (unweighted n, weighted shares and means, as survey tables report them), and
        small-cell suppression counts clients, never weights.
    adjust_for : list of str, optional
        Case-mix covariates (e.g. ``["age", "sex"]``): each cost is then also given as the
        cluster's adjusted mean from a two-part model (logit for any cost, gamma GLM with
        log link for positive costs, with the clusters and these covariates), by recycled
        predictions over all clients, with percentile bootstrap intervals (at most 200
        resamples). See :attr:`ClusterProfile.adjusted_costs`.

    Returns
    -------
    ClusterProfile

    Warns
    -----
    SuppressionWarning
        When any cell was suppressed (the cells are listed in ``.suppressed``).

    Raises
    ------
    TypeError
        ``data`` not a DataFrame; non-numeric cost or outcome column.
    ValueError
        Labels of the wrong length or with missing values; fewer than two clusters; an
        unknown, negative or missing cost value; bad parameters.

    Notes
    -----
    The definitions (v-test as in FactoMineR's ``catdes``, SMD, eta squared, BCa
    intervals, Jacobson-Truax reliable change, suppression) are in ``docs/profiling.md``
    and in the docstrings of the private modules.

    References
    ----------
    Lebart, L., Morineau, A. & Piron, M. (1995). *Statistique exploratoire
    multidimensionnelle*. Dunod.
    Efron, B. (1987). Better bootstrap confidence intervals. *JASA*, 82, 171-185.
    Barber, J. A. & Thompson, S. G. (2000). Analysis of cost data in randomized trials.
    *Statistics in Medicine*, 19, 3219-3236.
    Jacobson, N. S. & Truax, P. (1991). *J Consult Clin Psychol*, 59, 12-19.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame({"age": rng.normal(40, 10, 200),
    ...                    "cost": rng.gamma(1.0, 500.0, 200)})
    >>> labels = np.repeat([0, 1], 100)
    >>> prof = profile_clusters(df, labels, costs="cost", n_bootstrap=200, random_state=0)
    >>> prof.costs.loc[0, "n"]
    np.float64(100.0)
    """
    data = check_dataframe(data, "data")
    if data.columns.has_duplicates:
        dup = sorted(map(str, data.columns[data.columns.duplicated()].unique()))
        raise ValueError(f"The 'data' table has duplicated column name(s) {dup[:5]}; rename "
                         f"or drop the copies.")
    if schema is not None and not isinstance(schema, ClientSchema):
        raise TypeError(
            f"The 'schema' parameter must be a ClientSchema; got {type(schema).__name__}."
        )
    min_cell_size = check_int(min_cell_size, "min_cell_size", low=0)
    n_bootstrap = check_int(n_bootstrap, "n_bootstrap", low=10)
    alpha = check_fraction(alpha, "alpha")
    n_jobs = n_workers(n_jobs)
    if variable_labels is not None and not isinstance(variable_labels, Mapping):
        raise TypeError("The 'variable_labels' parameter must be a dict {column: label}.")
    groups = prepare_groups(data, labels)
    weight_col = None
    if sample_weight is None and schema is not None and getattr(schema, "weight", None):
        sample_weight = schema.weight
    if isinstance(sample_weight, str):
        weight_col = sample_weight
        if weight_col not in data.columns:
            raise ValueError(
                f"The weight column {weight_col!r} is not in the data; available columns include "
                f"{list(map(str, data.columns[:10]))}."
            )
        sample_weight = data[weight_col]
    elif isinstance(sample_weight, pd.Series) and not sample_weight.index.equals(data.index):
        if (sample_weight.index.has_duplicates or sample_weight.shape[0] != data.shape[0]
                or not sample_weight.index.isin(data.index).all()):
            raise ValueError(
                "The 'sample_weight' Series must be indexed by the same client ids as 'data'."
            )
        sample_weight = sample_weight.reindex(data.index)
    groups.weights = check_sample_weight(
        sample_weight, data.shape[0],
        f"weight column {weight_col!r}" if weight_col else "'sample_weight' parameter")

    if isinstance(costs, str):
        costs = [costs]
    if costs is not None and not isinstance(costs, (list, tuple, pd.Index, np.ndarray)):
        raise TypeError(f"The 'costs' parameter must be a column name or a list of column "
                        f"names; got {type(costs).__name__}.")
    costs = list(costs if costs is not None else ())
    if not costs and schema is not None:
        costs = list(schema.costs)
    if outcomes is None:
        outcomes = dict(schema.outcomes) if schema is not None else {}
    if not isinstance(outcomes, Mapping):
        raise TypeError("The 'outcomes' parameter must be a dict {name: (baseline, follow_up)}.")
    for name, pair in outcomes.items():
        if not isinstance(pair, (str, list, tuple)):
            raise TypeError(
                f"Outcome '{name}' must be a pair (baseline_column, follow_up_column); got "
                f"{type(pair).__name__}."
            )
        if isinstance(pair, str) or len(pair) != 2:
            raise ValueError(
                f"Outcome '{name}' must be a pair (baseline_column, follow_up_column); got "
                f"{pair!r}."
            )
    rel = _per_outcome(reliability, "reliability", outcomes,
                       lambda v, n: check_fraction(v, n, closed=False))
    declared = {k: _schema_direction(schema, k) for k in outcomes}
    higher_is_better = _direction(higher_is, higher_is_better)
    if higher_is_better is None:
        higher_is_better = declared
    elif isinstance(higher_is_better, Mapping):
        higher_is_better = {**declared, **higher_is_better}
    direction = _per_outcome(higher_is_better, "higher_is_better", outcomes, _check_bool)

    cost_values = {}
    for col in costs:
        arr = numeric_column(data, col, "cost", allow_nan=False)
        if (arr < 0).any():
            raise ValueError(
                f"Cost column '{col}' has {int((arr < 0).sum())} negative value(s); costs must "
                f"be >= 0 (check refunds or data-entry errors)."
            )
        cost_values[col] = arr
    expo = None
    exposure_col = None
    if exposure is not None:
        if isinstance(exposure, str):
            exposure_col = exposure
            expo = numeric_column(data, exposure, "exposure (client-years)", allow_nan=True)
        elif isinstance(exposure, pd.Series):
            if pd.api.types.is_bool_dtype(exposure) or not pd.api.types.is_numeric_dtype(
                    exposure):
                raise TypeError(f"The 'exposure' Series must hold numbers (client-years); it "
                                f"has dtype {exposure.dtype}.")
            if not exposure.index.equals(data.index):
                if (exposure.index.has_duplicates or exposure.shape[0] != data.shape[0]
                        or not exposure.index.isin(data.index).all()):
                    raise ValueError(
                        "The 'exposure' Series must be indexed by the same client ids as 'data'."
                    )
                exposure = exposure.reindex(data.index)
            expo = exposure.to_numpy(dtype=float, na_value=np.nan)
        else:
            raise TypeError("The 'exposure' parameter must be a column name or a pandas Series.")
        if (expo < 0).any() or np.isinf(expo).any():
            raise ValueError(
                "The 'exposure' values (client-years) must be finite and >= 0 (NaN: unknown)."
            )
        n_unknown = int(np.isnan(expo).sum())

    exclude = set(costs) | {c for pair in outcomes.values() for c in pair}
    if exposure_col:
        exclude.add(exposure_col)
    if weight_col:
        exclude.add(weight_col)
    if schema is not None:
        exclude |= {schema.id, *(schema.dates or ())}
        if schema.team:
            exclude.add(schema.team)
    if schema is None:  # without a schema, a column of distinct whole numbers is an id
        exclude |= {c for c in data.columns if c not in exclude and looks_like_ids(data[c])}
    variables, notes = prepare_variables(data, schema, features, exclude)
    if expo is not None and n_unknown:
        notes.append(f"{n_unknown} client(s) without a known exposure are left out of the "
                     f"cost per client-year (not out of the other cost figures).")

    outcome_values = {}
    for name, (b, f) in outcomes.items():
        outcome_values[name] = (numeric_column(data, b, f"outcome '{name}' baseline",
                                               allow_nan=True),
                                numeric_column(data, f, f"outcome '{name}' follow-up",
                                               allow_nan=True))

    rs = check_random_state(random_state)
    root = np.random.SeedSequence(int(rs.randint(0, 2**31 - 1)))
    seed_costs, seed_outcomes, seed_cv = root.spawn(3)

    m = min_cell_size
    t1 = build_table1(groups, variables, m)
    dist = build_distinguishing(groups, variables, t1, m)
    slices = group_slices(groups)
    cost_tables = {}
    ve_rows = {}
    cv_rng = np.random.default_rng(seed_cv)
    for col, s in zip(costs, seed_costs.spawn(max(len(costs), 1))):
        cost_tables[col] = build_costs(cost_values[col], expo, groups, slices, t1.size_reasons,
                                       m, n_bootstrap, alpha, s, n_jobs)
        ve = variance_explained(cost_values[col], groups.codes, groups.n_groups, _N_SPLITS,
                                cv_rng, groups.weights)
        for model, (eta2, r2cv) in ve.items():
            ve_rows[(col, model)] = {"eta2": eta2, "r2_cv": r2cv}
    ve_frame = pd.DataFrame.from_dict(ve_rows, orient="index")
    if ve_rows:
        ve_frame.index = pd.MultiIndex.from_tuples(list(ve_rows), names=["cost", "model"])
    adjusted = {}
    if adjust_for:
        from ._adjusted import adjusted_costs, covariate_matrix

        Zadj, _ = covariate_matrix(data, list(adjust_for))
        adj_seeds = np.random.SeedSequence(int(rs.randint(0, 2**31 - 1))).spawn(
            max(len(costs), 1))
        for col, s in zip(costs, adj_seeds):
            frame, reasons = cost_tables[col]
            est, ci = adjusted_costs(cost_values[col], groups.codes, groups.n_groups, Zadj,
                                     weights=groups.weights,
                                     n_bootstrap=min(n_bootstrap, 200), alpha=alpha,
                                     rng=np.random.default_rng(s))
            overall = frame["mean"].iloc[-1]
            adj = pd.DataFrame({
                "n": frame["n"], "mean": frame["mean"],
                "adjusted_mean": np.append(est, overall),
                "ci_low": np.append(ci[:, 0], np.nan), "ci_high": np.append(ci[:, 1], np.nan),
            }, index=frame.index)
            hide = reasons["mean"].to_numpy() != NONE
            adj.loc[hide, ["adjusted_mean", "ci_low", "ci_high"]] = np.nan
            adjusted[col] = adj
        notes.append(
            f"Adjusted costs: two-part model (logit for any cost, gamma GLM with log link for "
            f"positive costs) on cluster and {', '.join(map(str, adjust_for))}, recycled "
            f"predictions over all "
            f"clients, percentile bootstrap intervals.")
    outcome_tables = {}
    for (name, (b, f)), s in zip(outcome_values.items(), seed_outcomes.spawn(max(len(outcomes), 1))):
        frame, reasons = build_outcome(b, f, groups, t1.size_reasons, m, rel[name],
                                       direction[name], n_bootstrap, alpha, s, n_jobs)
        outcome_tables[name] = (frame, reasons, {"reliability": rel[name],
                                                 "higher_is_better": direction[name],
                                                 "baseline": outcomes[name][0],
                                                 "follow_up": outcomes[name][1]})

    log = SuppressionLog()
    r = t1.reasons
    if m > 1:
        for i, j in zip(*np.nonzero(r.to_numpy() != NONE)):
            v, lv, st = r.index[i]
            log.add("table1", r.columns[j], v, lv, st, reason_text(r.iat[i, j], m))
        for row in dist[dist["suppressed"]].itertuples():
            log.add("distinguishing", row.cluster, row.variable, row.level, "v_test",
                    row.reason)
        for table, items in (("costs", {k: v[:2] for k, v in cost_tables.items()}),
                             ("outcomes", {k: v[:2] for k, v in outcome_tables.items()})):
            for name, (_, rr) in items.items():
                for i, j in zip(*np.nonzero(rr.to_numpy() != NONE)):
                    log.add(table, rr.index[i], name, "", rr.columns[j],
                            reason_text(rr.iat[i, j], m))
    suppressed = log.frame()
    if m <= 1:
        notes.append(f"Small-cell suppression is disabled (min_cell_size={m}); small counts "
                     f"are shown. Do not publish these tables outside a safe setting.")
    else:
        notes.append(f"Counts from 1 to {m - 1}, and statistics computed from fewer than {m} "
                     f"clients, are suppressed (shown as 'suppressed (<{m})'); further cells "
                     f"are suppressed where a total would reveal them (shown as "
                     f"'{SECONDARY_MARK}').")
        if len(suppressed):
            warnings.warn(
                f"{len(suppressed)} cell(s) were suppressed because they count, or are "
                f"computed from, fewer than {m} clients; see profile.suppressed. Pass "
                f"min_cell_size=0 to disable (only for work inside a safe setting).",
                SuppressionWarning, stacklevel=2,
            )
    if groups.weights is not None:
        notes.append("Shares, means, totals and tests are weighted by the sampling weights"
                     + (f" (column '{weight_col}')" if weight_col else "")
                     + "; n is the number of clients, and suppression counts clients.")
    if NOISE in groups.keys:
        notes.append("Clients labelled -1 form the 'noise' group: reported in the tables, "
                     "not described as a cluster.")
    params = {"package_version": __version__, "random_state": _describe_seed(random_state),
              "min_cell_size": m, "n_bootstrap": n_bootstrap, "alpha": alpha,
              "confidence_level": 1 - alpha, "cv_folds": _N_SPLITS,
              "reliability": rel, "higher_is_better": direction,
              "costs": list(costs), "outcomes": {k: list(v) for k, v in outcomes.items()},
              "exposure": exposure_col if exposure_col else (
                  "Series" if expo is not None else None),
              "variables": [v.name for v in variables],
              "adjust_for": list(adjust_for) if adjust_for else [],
              "weight": weight_col if weight_col else (
                  None if groups.weights is None else "array")}
    types = {v.name: v.declared for v in variables}
    # the positive level of each binary, where one is known: the level tested and described
    params["positive"] = {v.name: str(v.positive) for v in variables if v.positive is not None}
    shown = {c: schema.label(c) for c in [*(v.name for v in variables), *costs, *outcomes]
             if schema.label(c) != c} if schema is not None else {}
    prof = ClusterProfile(
        table1=t1.frame, table1_reasons=t1.reasons, distinguishing=dist,
        costs=cost_tables, outcomes=outcome_tables, variance_explained=ve_frame,
        suppressed=suppressed, notes=notes, params={**params, "types": types},
        clusters=groups.clusters, groups=groups.keys,
        labels_map={**shown, **dict(variable_labels or {})}, schema=schema,
    )
    prof.adjusted_costs = (pd.concat(adjusted, names=["cost", "cluster"]) if adjusted
                           else pd.DataFrame(columns=["n", "mean", "adjusted_mean", "ci_low",
                                                      "ci_high"]))
    return prof


def _schema_direction(schema, outcome) -> bool:
    """Whether higher is better for an outcome, as its schema declares (default False)."""
    if schema is None or outcome not in schema.outcomes:
        return _DEFAULTS["higher_is_better"]
    return schema.spec_of(outcome).higher_is == "better"


def _describe_seed(random_state):
    if random_state is None or isinstance(random_state, numbers.Integral):
        return random_state
    return type(random_state).__name__
