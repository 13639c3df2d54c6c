"""profile_clusters(): the entry point that checks the input and assembles the profile.

The input steps (arguments, weights, costs, outcomes, exposure, columns) are in
``_profile_steps``; the computing steps (seeds, tables, suppression log, notes) are below.
"""

from __future__ import annotations

import numbers
import warnings

import numpy as np
import pandas as pd

from .. import __version__
from .._utils import check_random_state
from ..exceptions import SuppressionWarning
from ._costs import build_costs, group_slices, variance_explained
from ._data import NOISE, prepare_groups
from ._distinguish import build_distinguishing
from ._outcomes import build_outcome
from ._profile_steps import (
    check_arguments,
    cost_columns,
    outcome_columns,
    outcome_settings,
    profiled_variables,
    resolve_costs,
    resolve_exposure,
    resolve_outcomes,
    resolve_weights,
)
from ._result import ClusterProfile
from ._suppress import SECONDARY_MARK, SuppressionLog
from ._tables import NONE, build_table1, reason_text

__all__ = ["profile_clusters"]

_N_SPLITS = 5


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
    data, m, n_bootstrap, alpha, n_jobs = check_arguments(
        data, schema, min_cell_size, n_bootstrap, alpha, n_jobs, variable_labels)
    groups = prepare_groups(data, labels)
    groups.weights, weight_col = resolve_weights(data, schema, sample_weight)
    costs = resolve_costs(costs, schema)
    outcomes = resolve_outcomes(outcomes, schema)
    rel, direction = outcome_settings(schema, outcomes, reliability, higher_is, higher_is_better)
    cost_values = cost_columns(data, costs)
    expo, exposure_col = resolve_exposure(data, exposure)
    variables, notes = profiled_variables(data, schema, features, costs, outcomes, expo,
                                          exposure_col, weight_col)
    outcome_values = outcome_columns(data, outcomes)

    # the seeds, always drawn in this order from random_state: root (costs, outcomes, CV),
    # then (only with adjust_for) the adjusted costs'
    rs = check_random_state(random_state)
    seed_costs, seed_outcomes, seed_cv = _root_seeds(rs).spawn(3)
    t1 = build_table1(groups, variables, m)
    dist = build_distinguishing(groups, variables, t1, m)
    cost_tables, ve_frame = _cost_tables(costs, cost_values, expo, groups, t1, m, n_bootstrap,
                                         alpha, seed_costs, seed_cv, n_jobs)
    adjusted = {}
    if adjust_for:
        adjusted = _adjusted_costs(data, adjust_for, costs, cost_values, cost_tables, groups,
                                   n_bootstrap, alpha, rs)
        notes.append(_adjusted_note(adjust_for))
    outcome_tables = _outcome_tables(outcomes, outcome_values, groups, t1, m, rel, direction,
                                     n_bootstrap, alpha, seed_outcomes, n_jobs)

    suppressed = _suppression_log(t1, dist, cost_tables, outcome_tables, m)
    notes.extend(_suppression_notes(m, suppressed))
    notes.extend(_group_notes(groups, weight_col))
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


def _root_seeds(rs) -> np.random.SeedSequence:
    """The next seed sequence drawn from ``random_state`` (one draw of ``rs``)."""
    return np.random.SeedSequence(int(rs.randint(0, 2**31 - 1)))


def _cost_tables(costs, cost_values, expo, groups, t1, m, n_bootstrap, alpha, seed_costs,
                 seed_cv, n_jobs):
    """``({cost: (frame, reasons)}, variance explained)``: one bootstrap seed per cost, one
    generator for the cross-validation folds of every cost, in the order of ``costs``."""
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
    return cost_tables, ve_frame


def _adjusted_costs(data, adjust_for, costs, cost_values, cost_tables, groups, n_bootstrap,
                    alpha, rs) -> dict:
    """``{cost: frame}`` of case-mix adjusted means (suppressed where the mean is); their
    seeds are drawn from ``rs`` once the covariates are checked."""
    from ._adjusted import adjusted_costs, covariate_matrix

    Zadj, _ = covariate_matrix(data, list(adjust_for))
    adjusted = {}
    for col, s in zip(costs, _root_seeds(rs).spawn(max(len(costs), 1))):
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
    return adjusted


def _adjusted_note(adjust_for) -> str:
    return (f"Adjusted costs: two-part model (logit for any cost, gamma GLM with log link for "
            f"positive costs) on cluster and {', '.join(map(str, adjust_for))}, recycled "
            f"predictions over all "
            f"clients, percentile bootstrap intervals.")


def _outcome_tables(outcomes, outcome_values, groups, t1, m, rel, direction, n_bootstrap,
                    alpha, seed_outcomes, n_jobs) -> dict:
    """``{outcome: (frame, reasons, settings)}``, one bootstrap seed per outcome."""
    outcome_tables = {}
    for (name, (b, f)), s in zip(outcome_values.items(), seed_outcomes.spawn(max(len(outcomes), 1))):
        frame, reasons = build_outcome(b, f, groups, t1.size_reasons, m, rel[name],
                                       direction[name], n_bootstrap, alpha, s, n_jobs)
        outcome_tables[name] = (frame, reasons, {"reliability": rel[name],
                                                 "higher_is_better": direction[name],
                                                 "baseline": outcomes[name][0],
                                                 "follow_up": outcomes[name][1]})
    return outcome_tables


def _suppression_log(t1, dist, cost_tables, outcome_tables, m) -> pd.DataFrame:
    """Every suppressed cell of every table, one row each (none when ``m <= 1``)."""
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
    return log.frame()


def _suppression_notes(m, suppressed) -> list:
    """The note on the suppression rule; warns (at the user's call of ``profile_clusters``)
    when cells were suppressed."""
    if m <= 1:
        return [f"Small-cell suppression is disabled (min_cell_size={m}); small counts "
                f"are shown. Do not publish these tables outside a safe setting."]
    if len(suppressed):
        warnings.warn(
            f"{len(suppressed)} cell(s) were suppressed because they count, or are "
            f"computed from, fewer than {m} clients; see profile.suppressed. Pass "
            f"min_cell_size=0 to disable (only for work inside a safe setting).",
            SuppressionWarning, stacklevel=3,
        )
    return [f"Counts from 1 to {m - 1}, and statistics computed from fewer than {m} "
            f"clients, are suppressed (shown as 'suppressed (<{m})'); further cells "
            f"are suppressed where a total would reveal them (shown as "
            f"'{SECONDARY_MARK}')."]


def _group_notes(groups, weight_col) -> list:
    """The notes on the weights and on the noise group, where there are any."""
    notes = []
    if groups.weights is not None:
        notes.append("Shares, means, totals and tests are weighted by the sampling weights"
                     + (f" (column '{weight_col}')" if weight_col else "")
                     + "; n is the number of clients, and suppression counts clients.")
    if NOISE in groups.keys:
        notes.append("Clients labelled -1 form the 'noise' group: reported in the tables, "
                     "not described as a cluster.")
    return notes


def _describe_seed(random_state):
    if random_state is None or isinstance(random_state, numbers.Integral):
        return random_state
    return type(random_state).__name__
