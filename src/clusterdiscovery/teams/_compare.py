"""compare_teams(): each team's observed outcome or cost against what its clients' clusters
(and case mix) lead one to expect, with funnel-plot control limits and the variance between
teams."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import stats

from .._privacy import protect_remainders
from .._utils import check_dataframe, check_int
from ..exceptions import ModelSpecError, SchemaError
from ..profiling._adjusted import covariate_matrix
from ..profiling._data import numeric_column, prepare_groups
from ..profiling._suppress import small_count
from ._funnel import LIMITS, standard_errors, winsorised_phi, z_of
from ._result import TeamComparison

__all__ = ["compare_teams"]

_KINDS = ("auto", "proportion", "mean", "rate")


def compare_teams(data, labels=None, *, team, outcome=None, cost=None, confounders=None,
                  kind="auto", min_cell_size=11, overdispersion=False,
                  variance_components=True) -> TeamComparison:
    """Compare teams on an outcome or a cost, given the clusters of the clients they hold.

    Indirect standardisation: a reference model fitted on all clients predicts each
    client's expected value from their cluster (one stratum per cluster; noise ``-1`` is a
    stratum of its own) and, where given, the case-mix ``confounders``; a team's expected
    total ``E`` is the sum over its clients, its observed total ``obs`` the sum of their
    values. Under the hypothesis that the team does as well as expected, ``obs`` has mean
    ``E`` and variance ``V`` (sum of ``p (1 - p)`` for a proportion, of ``mu`` for a rate,
    ``n sigma^2`` for a mean with the reference model's residual variance); the team's
    z-score is ``(obs - E) / sqrt(V)``. The funnel plot shows the standardised indicator
    against the effective number of clients with 95% and 99.8% control limits
    (Spiegelhalter 2005); teams outside them are named.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per client: the team, the measure and the confounders.
    labels : array-like or pandas.Series, optional
        Cluster of each client (aligned to ``data``). None: one stratum (the teams are
        compared with the population as a whole, adjusted for ``confounders`` only).
    team : column name
        The team (or service, ward, practice) responsible for the client. Clients with no
        team are left out and counted in ``notes``.
    outcome, cost : column name
        The measure, exactly one of the two. Clients with a missing value are left out.
    confounders : list of column names, optional
        Case-mix adjustment beyond the cluster: numeric columns as given, text or
        categorical columns as indicator columns.
    kind : {"auto", "proportion", "mean", "rate"}
        ``"proportion"``: a 0/1 (or boolean) outcome, logistic reference model; ``"rate"``:
        a non-negative count, Poisson reference model (obs/E as a standardised ratio);
        ``"mean"``: a numeric outcome or cost, linear reference model. ``"auto"``: a
        proportion for a 0/1 outcome, else a mean (a cost is always a mean).
    min_cell_size : int
        Teams with fewer clients are withheld (and, where the team sizes could then be had
        from the population total, the next smallest team too); for a proportion, a team
        with fewer than ``min_cell_size`` clients with or without the event is withheld.
    overdispersion : bool
        Inflate the limits by the multiplicative factor ``phi`` estimated from the
        10%-winsorised z-scores (Spiegelhalter 2005, section 4) when ``phi > 1``.
    variance_components : bool
        Fit a random-intercept linear model (statsmodels ``MixedLM``, REML) of the measure
        on the clusters and confounders with a random intercept per team, and report the
        between-team variance and the intraclass correlation.

    Returns
    -------
    TeamComparison

    References
    ----------
    Spiegelhalter, D. J. (2005). Funnel plots for comparing institutional performance.
    *Statistics in Medicine*, 24, 1185-1202.
    Snijders, T. A. B. and Bosker, R. J. (2012). *Multilevel Analysis*, 2nd ed., ch. 3
    (the intraclass correlation of a random-intercept model).

    Examples
    --------
    >>> import clusterdiscovery as cd
    >>> pop = cd.datasets.load_sample()
    >>> labels = pop.true_labels.reindex(pop.clients.index)
    >>> res = cd.compare_teams(pop.clients, labels, team="team",
    ...                        outcome="honos_total_followup", variance_components=False)
    >>> list(res.summary.columns[:4])
    ['team', 'n', 'observed', 'expected']
    """
    data = check_dataframe(data, "data")
    min_cell_size = check_int(min_cell_size, "min_cell_size", low=1)
    if kind not in _KINDS:
        raise ValueError(f"The 'kind' parameter must be one of {_KINDS}; got {kind!r}.")
    measure, role = _measure_column(outcome, cost)
    if role == "cost" and kind in ("proportion", "rate"):
        raise ValueError(f"A cost is compared as a mean; kind={kind!r} does not apply to it.")
    if team not in data.columns:
        raise SchemaError(f"The team column {team!r} is not in the data; pass team= one of "
                          f"{list(map(str, data.columns[:10]))}.")
    strata = _strata(data, labels)
    y = numeric_column(data, measure, role, allow_nan=True)
    teams = data[team]
    keep = ~np.isnan(y) & teams.notna().to_numpy()
    notes = _notes(data.shape[0], np.isnan(y), teams.isna().to_numpy(), measure, team)
    if keep.sum() == 0:
        raise ValueError(f"No client has both a team ({team!r}) and a value of {measure!r}.")
    y, strata, teams = y[keep], strata[keep], teams[keep].astype(str).to_numpy()
    Z, _ = (covariate_matrix(data.loc[keep], confounders, param="confounders")
            if confounders else (np.zeros((y.size, 0)), []))
    kind = _resolve_kind(kind, y, measure, role)
    team_keys, team_codes = np.unique(teams, return_inverse=True)
    if team_keys.size < 2:
        raise ValueError(
            f"The team column {team!r} holds a single team ({team_keys[0]!r}) among the "
            f"clients with a value of {measure!r}; a comparison needs at least two teams."
        )
    mu, sigma2 = _reference(y, strata, Z, kind)
    table = _team_table(y, mu, sigma2, team_codes, team_keys, kind)
    theta0 = float(y.mean())
    phi = winsorised_phi(table["z"]) if overdispersion else 1.0
    table = _limits(table, kind, theta0, sigma2, phi)
    table = _suppress(table, kind, min_cell_size)
    components = (_variance_components(y, strata, Z, team_codes) if variance_components
                  else None)
    return TeamComparison(
        summary=table, measure=measure, role=role, kind=kind, team=team,
        target=theta0, n_clients=int(y.size), phi=phi, confounders=list(confounders or []),
        variance_components=components, min_cell_size=min_cell_size, notes=notes)


def _measure_column(outcome, cost):
    if (outcome is None) == (cost is None):
        raise ValueError(
            "Pass exactly one of 'outcome' and 'cost' (the measure the teams are compared "
            "on); call compare_teams once per measure."
        )
    return (outcome, "outcome") if outcome is not None else (cost, "cost")


def _strata(data, labels) -> np.ndarray:
    """Stratum code per client: clusters 0..K-1, noise last; one stratum without labels."""
    if labels is None:
        return np.zeros(data.shape[0], dtype=np.intp)
    try:
        groups = prepare_groups(data, labels)
    except ValueError as err:
        if "at least two clusters" not in str(err):
            raise
        return np.zeros(data.shape[0], dtype=np.intp)  # one cluster: one stratum
    return groups.codes


def _notes(n, y_missing, team_missing, measure, team) -> list:
    notes = []
    if y_missing.any():
        notes.append(f"{int(y_missing.sum())} of {n} clients have no value of {measure!r} "
                     "and are left out.")
    if team_missing.any():
        notes.append(f"{int(team_missing.sum())} of {n} clients have no team ({team!r}) "
                     "and are left out.")
    return notes


def _resolve_kind(kind, y, measure, role) -> str:
    binary = bool(np.isin(y, (0.0, 1.0)).all())
    if kind == "auto":
        return "proportion" if binary and role == "outcome" else "mean"
    if kind == "proportion" and not binary:
        raise ValueError(f"kind='proportion' needs a 0/1 outcome; {measure!r} has other values "
                         f"(e.g. {y[~np.isin(y, (0.0, 1.0))][0]!r}). Use kind='mean'.")
    if kind == "rate" and ((y < 0).any() or (y != np.round(y)).any()):
        raise ValueError(f"kind='rate' needs a non-negative count; {measure!r} has negative "
                         "or fractional values. Use kind='mean'.")
    return kind


def _reference(y, strata, Z, kind):
    """Each client's expected value from the reference GLM, and the residual variance."""
    import statsmodels.api as sm

    G = int(strata.max()) + 1
    D = np.zeros((y.size, G))
    D[np.arange(y.size), strata] = 1.0
    X = np.column_stack([D[:, np.bincount(strata, minlength=G) > 0], Z])
    family = {"proportion": sm.families.Binomial(), "rate": sm.families.Poisson(),
              "mean": sm.families.Gaussian()}[kind]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = sm.GLM(y, X, family=family).fit()
    mu = np.asarray(fit.fittedvalues, dtype=float)
    dof = max(y.size - X.shape[1], 1)
    sigma2 = float(((y - mu) ** 2).sum() / dof) if kind == "mean" else float("nan")
    if kind == "mean" and sigma2 <= 0:
        raise ModelSpecError("The measure is fully explained by the clusters and confounders "
                             "(no residual variation); there is nothing to compare teams on.")
    return mu, sigma2


def _team_table(y, mu, sigma2, codes, keys, kind) -> pd.DataFrame:
    T = keys.size
    n = np.bincount(codes, minlength=T).astype(float)
    obs = np.bincount(codes, weights=y, minlength=T)
    E = np.bincount(codes, weights=mu, minlength=T)
    if kind == "proportion":
        V = np.bincount(codes, weights=mu * (1 - mu), minlength=T)
    elif kind == "rate":
        V = E.copy()
    else:
        V = n * sigma2
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (obs - E) / np.sqrt(V)
    return pd.DataFrame({
        "team": keys, "n": n.astype(np.int64), "observed": obs / n, "expected": E / n,
        "observed_total": obs, "expected_total": E, "_V": V, "z": z,
        "p_value": 2 * stats.norm.sf(np.abs(z)),
    })


def _limits(table, kind, theta0, sigma2, phi) -> pd.DataFrame:
    """Indicator, limits and flags at 95% and 99.8% for every team."""
    ind, se = standard_errors(kind, theta0, table["observed_total"], table["expected_total"],
                              table["_V"], table["n"])
    se = se * np.sqrt(phi)
    s0 = np.sqrt({"proportion": theta0 * (1 - theta0), "rate": theta0, "mean": sigma2}[kind])
    out = table.drop(columns="_V").assign(indicator=ind)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["n_effective"] = (s0 * s0 * phi) / (se * se)
    flag = np.full(len(out), "within", dtype=object)
    for cov in LIMITS:
        z = z_of(cov)
        tag = f"{cov * 100:g}"
        out[f"lower_{tag}"] = theta0 - z * se
        out[f"upper_{tag}"] = theta0 + z * se
        flag = np.where(ind > theta0 + z * se, f"above {tag}%", flag)
        flag = np.where(ind < theta0 - z * se, f"below {tag}%", flag)
    out["flag"] = flag
    return out


def _suppress(table, kind, m) -> pd.DataFrame:
    """Withhold small teams (and small event counts), with complementary suppression.

    The population total and target are shown, so each line of counts (team sizes; for a
    proportion also the clients with and without the outcome) is protected with
    :func:`~clusterdiscovery._privacy.protect_remainders`: the withheld cells of a line
    never add up to 1 .. ``m - 1``, so no withheld count is the total minus the rest.
    """
    n = table["n"].to_numpy(dtype=float)
    tiny = small_count(n, m)
    hide_n = protect_remainders(n[:, None], tiny[:, None], m, axes=(0,))[:, 0]
    reason = np.where(tiny, f"fewer than {m} clients", "")
    hide = hide_n.copy()
    if kind == "proportion":
        events = table["observed_total"].to_numpy(dtype=float)
        small = ~hide & (small_count(events, m) | small_count(n - events, m))
        reason = np.where(small, f"fewer than {m} clients with (or without) the outcome",
                          reason)
        hide |= small
        for _ in range(3):  # the two lines share cells: protect until neither changes
            before = hide.sum()
            for counts in (events, n - events):
                hide = protect_remainders(counts[:, None], hide[:, None], m, axes=(0,))[:, 0]
            if hide.sum() == before:
                break
    reason = np.where(hide & (reason == ""), "withheld so that a smaller count cannot be "
                      "worked out from the totals", reason)
    out = table.copy()
    out["suppressed"] = hide
    out["reason"] = reason
    cols = [c for c in out.columns if c not in ("team", "suppressed", "reason", "n", "flag")]
    out[cols] = out[cols].astype(float)
    out.loc[hide, cols] = np.nan
    out.loc[hide, "flag"] = ""
    out["n"] = out["n"].astype("Int64")
    out.loc[hide_n, "n"] = pd.NA
    return out.reset_index(drop=True)


def _variance_components(y, strata, Z, team_codes) -> dict | None:
    """Between- and within-team variance from a random-intercept model; None if it fails."""
    import statsmodels.api as sm

    G = int(strata.max()) + 1
    present = np.bincount(strata, minlength=G) > 0
    D = np.zeros((y.size, G))
    D[np.arange(y.size), strata] = 1.0
    X = np.column_stack([D[:, present], Z])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            fit = sm.MixedLM(y, X, groups=team_codes).fit(reml=True)
        except (np.linalg.LinAlgError, ValueError):
            return None
    tau2 = float(np.asarray(fit.cov_re).ravel()[0])
    s2 = float(fit.scale)
    return {"between_team_variance": tau2, "within_team_variance": s2,
            "icc": tau2 / (tau2 + s2) if tau2 + s2 > 0 else float("nan"),
            "converged": bool(fit.converged), "n_teams": int(np.unique(team_codes).size)}

