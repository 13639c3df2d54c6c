"""The :class:`ClusterProfile` result object."""

from __future__ import annotations

import html

import numpy as np
import pandas as pd

from .._numbers import format_value
from .._utils import check_int
from ._data import NOISE, OVERALL
from ._suppress import marker
from ._tables import NONE, SECONDARY, SHARE_ROW, SIZE_ROW, Reason, reason_text

__all__ = ["ClusterProfile", "format_value"]



class ClusterProfile:
    """Aggregate profile of a clustering: Table 1, distinguishing features, costs,
    outcomes, variance explained, and a record of small-cell suppression.

    Built by :func:`profile_clusters`; read-only. Holds aggregates only (no client ids or
    row-level records).

    Attributes
    ----------
    table1 : DataFrame
        Rows ``(variable, level, statistic)``; columns the clusters, ``"noise"`` (if any)
        and ``"overall"``. Suppressed cells are NaN (see :attr:`suppressed`).
    distinguishing : DataFrame
        One row per (cluster, variable, level) with ``v_test``, ``p_value``, ``p_adjusted``,
        ``smd``, ``eta2``, ``eta2_p_value``, ``cluster_value``, ``overall_value``, ``ratio``,
        ``suppressed``, ``reason``; sorted by ``|v_test|`` within cluster.
    costs : DataFrame
        Indexed by cluster (``(cost, cluster)`` when several cost columns were profiled).
    outcomes : DataFrame
        Indexed by ``(outcome, cluster)``.
    variance_explained : DataFrame
        Indexed by ``(cost, model)`` with ``eta2`` (in sample) and ``r2_cv``.
    suppressed : DataFrame
        Every suppressed cell: table, group, variable, level, statistic, reason.
    adjusted_costs : DataFrame
        With ``profile_clusters(adjust_for=[...])``: indexed by ``(cost, cluster)`` with
        ``n``, ``mean`` (unadjusted), ``adjusted_mean`` (two-part model, recycled
        predictions), ``ci_low``, ``ci_high``; empty otherwise. Hidden where the cost mean
        is suppressed.
    corrected : DataFrame or None
        Set by :func:`~clusterdiscovery.discover` when the clusters come from a latent
        class model: indexed by ``(outcome, cluster)`` with the BCH-corrected ``estimate``
        and its interval, and the ``modal`` mean beside it.
    notes : list of str
    params : dict
        The settings used (for the reproducibility section of reports).
    schema : ClientSchema or None
        The schema profiled with: the labels, units, directions and sections that
        descriptions and reports read.
    """

    def __init__(self, *, table1, table1_reasons, distinguishing, costs, outcomes,
                 variance_explained, suppressed, notes, params, clusters, groups, labels_map,
                 schema=None):
        self.table1 = table1
        self.distinguishing = distinguishing
        self._costs = costs  # {column: (frame, reasons)}
        self._outcomes = outcomes  # {name: (frame, reasons, info)}
        self.variance_explained = variance_explained
        self.suppressed = suppressed
        self.notes = list(notes)
        self.params = dict(params)
        self.clusters = list(clusters)
        self.groups = list(groups)
        self.labels_map = dict(labels_map)
        self.schema = schema  # the ClientSchema profiled with (its meaning), or None
        self._reasons = {"table1": table1_reasons}
        self.adjusted_costs = pd.DataFrame(
            columns=["n", "mean", "adjusted_mean", "ci_low", "ci_high"])
        #: set by ``discover`` for a latent class model: costs and outcome changes by
        #: class corrected for classification error (BCH), with the modal means beside
        self.corrected = None

    # ----------------------------------------------------------------- tables
    @property
    def min_cell_size(self) -> int:
        return int(self.params["min_cell_size"])

    @property
    def cost_columns(self) -> list[str]:
        return list(self._costs)

    @property
    def outcome_names(self) -> list[str]:
        return list(self._outcomes)

    @property
    def costs(self) -> pd.DataFrame:
        if not self._costs:
            return pd.DataFrame()
        if len(self._costs) == 1:
            return next(iter(self._costs.values()))[0]
        return pd.concat({k: v[0] for k, v in self._costs.items()}, names=["cost", "cluster"])

    @property
    def outcomes(self) -> pd.DataFrame:
        if not self._outcomes:
            return pd.DataFrame()
        return pd.concat({k: v[0] for k, v in self._outcomes.items()},
                         names=["outcome", "cluster"])

    def cost_table(self, column: str | None = None):
        """``(frame, reasons)`` of one cost column (the first by default)."""
        if not self._costs:
            return None, None
        return self._costs[_known(self._costs, "cost column", column)]

    def outcome_table(self, name: str):
        """``(frame, reasons, info)`` of one outcome."""
        return self._outcomes[_known(self._outcomes, "outcome", name)]

    @property
    def sizes(self) -> pd.Series:
        """Cluster sizes (NaN where suppressed), the groups then ``"overall"``."""
        return self.table1.loc[SIZE_ROW]

    @property
    def shares(self) -> pd.Series:
        """Cluster shares of the population (NaN where suppressed)."""
        return self.table1.loc[SHARE_ROW]

    def size_mark(self, group) -> str:
        """What a report shows in place of ``group``'s withheld size (``""`` if shown)."""
        return self.cell_mark("table1", group, SIZE_ROW)

    def size_reason(self, group) -> Reason:
        """Why ``group``'s size is withheld (``Reason.NONE`` when it is shown)."""
        return Reason(int(self._reason_frame("table1").loc[SIZE_ROW, self._group(group)]))

    def is_small_group(self, group) -> bool:
        """Whether ``group`` is smaller than ``min_cell_size`` (its figures are withheld)."""
        return self.size_reason(group) == Reason.SMALL_GROUP

    def is_suppressed(self, group) -> bool:
        """Whether the size of ``group`` is suppressed."""
        return bool(np.isnan(self.sizes[self._group(group)]))

    def _group(self, group):
        if group not in self.groups and group != OVERALL:
            raise ValueError(f"Unknown group {group!r}; the profile has {self.groups} and "
                             f"{OVERALL!r}.")
        return group

    def _reason_code(self, table: str, group, statistic, name: str | None):
        r = self._reason_frame(table, name)
        group = self._group(group)
        rows = r.index if table == "table1" else r.columns
        if statistic not in rows:
            raise ValueError(f"Unknown statistic {statistic!r} of the {table} table; it has "
                             f"{list(rows)[:12]}.")
        return r.loc[statistic, group] if table == "table1" else r.loc[group, statistic]

    @property
    def summary(self) -> pd.DataFrame:
        """One row per group: n, share, top features, mean cost with its interval."""
        rows = {}
        for g in self.groups:
            d = self.distinguishing
            d = d[(d["cluster"] == g) & ~d["suppressed"] & (d["v_test"] > 0)].head(3)
            top = "; ".join(
                f"{r.variable}={r.level}" if r.level else str(r.variable)
                for r in d.itertuples()
            )
            row = {"n": self.sizes[g], "share": self.shares[g],
                   "top_features": top if g != NOISE else ""}
            frame, _ = self.cost_table()
            if frame is not None:
                row.update({"mean_cost": frame.loc[g, "mean"], "ci_low": frame.loc[g, "ci_low"],
                            "ci_high": frame.loc[g, "ci_high"]})
            rows[g] = row
        out = pd.DataFrame.from_dict(rows, orient="index")
        out.index = pd.Index(out.index, dtype=object, name="cluster")
        return out

    def to_frame(self) -> pd.DataFrame:
        """Table 1 in long form: variable, level, statistic, group, value, suppressed."""
        t = self.table1
        r = self._reasons["table1"]
        long = t.stack(future_stack=True).rename("value").reset_index()
        long.columns = ["variable", "level", "statistic", "group", "value"]
        long["suppressed"] = (r.stack(future_stack=True) != NONE).to_numpy()
        return long

    def _mark(self, code) -> str:
        """Marker of a suppressed cell from its reason code (``""`` if shown)."""
        if code == NONE:
            return ""
        return marker(self.min_cell_size, secondary=code == SECONDARY)

    def _reason_frame(self, table: str, name: str | None = None) -> pd.DataFrame:
        if table == "table1":
            return self._reasons["table1"]
        source = {"costs": self._costs, "outcomes": self._outcomes}.get(table)
        if source is None:
            raise ValueError(f"Unknown table {table!r}; use 'table1', 'costs' or 'outcomes'.")
        if not source:
            raise ValueError(f"The profile has no {table}.")
        return source[_known(source, table[:-1], name)][1]

    def cell_mark(self, table: str, group, statistic, *, name: str | None = None) -> str:
        """What a report shows in place of a suppressed cell, or ``""`` if it is shown.

        ``"suppressed (<11)"`` (with the ``min_cell_size`` in use) for primary suppression:
        a small count or a statistic computed from few clients; ``"suppressed (to protect a
        small cell)"`` for a cell hidden only so that another cell cannot be worked out
        from a total (secondary suppression).

        Parameters
        ----------
        table : {"table1", "costs", "outcomes"}
        group : cluster label, ``"noise"`` or ``"overall"``
        statistic : str or tuple
            A column of the costs/outcomes table (``"mean"``, ``"n"``, ...), or for Table 1
            the row ``(variable, level, statistic)``, e.g. ``("clients", "", "n")``.
        name : str, optional
            The cost column or outcome (the first by default).
        """
        return self._mark(self._reason_code(table, group, statistic, name))

    def formatted(self, table: str = "table1", *, column: str | None = None) -> pd.DataFrame:
        """A table as text, with ``"suppressed (<11)"`` in place of suppressed cells
        (``"suppressed (to protect a small cell)"`` where a cell is hidden only by
        secondary suppression).

        ``table`` is one of ``"table1"``, ``"distinguishing"``, ``"costs"``, ``"outcomes"``,
        ``"variance_explained"``.
        """
        if table == "table1":
            t, r = self.table1, self._reasons["table1"]
            stats = t.index.get_level_values("statistic")
            out = pd.DataFrame(
                [[self._mark(r.iat[i, j]) if r.iat[i, j] != NONE
                  else format_value(t.iat[i, j], stats[i])
                  for j in range(t.shape[1])] for i in range(t.shape[0])],
                index=t.index, columns=t.columns,
            )
            return out
        if table == "distinguishing":
            d = self.distinguishing
            out = d.astype(object).copy()
            num = ["cluster_value", "overall_value", "ratio", "v_test", "p_value",
                   "p_adjusted", "smd", "eta2", "eta2_p_value"]
            for c in num:
                st = "share" if c in ("cluster_value", "overall_value") else c
                out[c] = [
                    format_value(v, st if k == "categorical" or c not in (
                        "cluster_value", "overall_value") else "mean")
                    for v, k in zip(d[c], d["kind"])
                ]
            hidden = ["cluster_value", "ratio", "v_test", "p_value", "p_adjusted", "smd"]
            secondary = d["reason"].to_numpy() == reason_text(SECONDARY, self.min_cell_size)
            for sec in (False, True):
                rows = d["suppressed"].to_numpy() & (secondary == sec)
                m = marker(self.min_cell_size, secondary=sec)
                out.loc[rows, hidden] = m
                out.loc[d["overall_value"].isna().to_numpy() & rows, "overall_value"] = m
            return out
        if table in ("costs", "outcomes"):
            pieces = {}
            source = self._costs if table == "costs" else self._outcomes
            if column is not None:
                _known(source, "cost column" if table == "costs" else "outcome", column)
            for name, item in source.items():
                if column is not None and name != column:
                    continue
                f, r = item[0], item[1]
                pieces[name] = pd.DataFrame(
                    [[self._mark(r.iat[i, j]) if r.iat[i, j] != NONE
                      else format_value(f.iat[i, j], f.columns[j])
                      for j in range(f.shape[1])] for i in range(f.shape[0])],
                    index=f.index, columns=f.columns,
                )
            if not pieces:
                return pd.DataFrame()
            if len(pieces) == 1:
                return next(iter(pieces.values()))
            return pd.concat(pieces, names=["cost" if table == "costs" else "outcome",
                                            "cluster"])
        if table == "variance_explained":
            return self.variance_explained.map(lambda v: format_value(v, "r2"))
        raise ValueError(
            f"Unknown table {table!r}; use 'table1', 'distinguishing', 'costs', 'outcomes' "
            f"or 'variance_explained'."
        )

    def suppression_reason(self, table, group, statistic, *, name: str | None = None):
        """Reason text for a suppressed cell (or ""); arguments as for :meth:`cell_mark`."""
        code = self._reason_code(table, group, statistic, name)
        return "" if code == NONE else reason_text(code, self.min_cell_size)

    # ---------------------------------------------------------------- display
    def __repr__(self) -> str:
        n = int(self.sizes[OVERALL]) if not np.isnan(self.sizes[OVERALL]) else 0
        return (f"ClusterProfile({len(self.clusters)} clusters, {n} clients, "
                f"{len(self.suppressed)} suppressed cells)")

    def _repr_html_(self) -> str:
        s = self.summary.astype(object)
        for g in s.index:
            for c in s.columns:
                v = s.at[g, c]
                if c == "top_features":
                    continue
                if isinstance(v, float) and np.isnan(v):
                    mark = (self.cell_mark("table1", g, ("clients", "", c)) if c in ("n", "share")
                            else self.cell_mark("costs", g, {"mean_cost": "mean"}.get(c, c)))
                    s.at[g, c] = mark or ""
                else:
                    s.at[g, c] = format_value(
                        v, "share" if c == "share" else ("n" if c == "n" else c))
        notes = "".join(f"<li>{html.escape(n)}</li>" for n in self.notes)
        return (f"<div><strong>{html.escape(repr(self))}</strong>"
                f"{s.to_html(escape=True)}<ul>{notes}</ul></div>")

    # ------------------------------------------------------------------ plots
    def plot(self, ax=None, kind: str = "costs", *, top_n: int = 5, cost: str | None = None,
             outcome: str | None = None, schema=None, names=None, currency: str = "£",
             labels=None):
        """Draw the profile on ``ax`` and return it.

        Parameters
        ----------
        kind : {"costs", "features", "sizes", "outcomes"}
            ``"costs"``: mean cost per group with its BCa interval (dashed: population
            mean); ``"features"``: heatmap of the v-tests of the ``top_n`` most
            distinguishing features of each cluster; ``"sizes"``: clients per group;
            ``"outcomes"``: mean change per group with its interval.
            Suppressed values are left out and labelled.
        schema : ClientSchema, optional
            Labels, level labels, units and directions of the features, costs and outcomes
            (``higher_is``): axis titles say the unit and which way is better.
        names : dict, optional
            ``{cluster: name}``: clusters are labelled "0: name" on the axes.
        currency : str
            Unit of a cost without one (the schema's ``currency`` takes precedence).
        labels : dict, optional
            ``{column: label}`` for columns the schema does not label.
        """
        import matplotlib.pyplot as plt

        schema = self.schema if schema is None else schema  # labels even when not passed
        if kind not in ("costs", "features", "sizes", "outcomes"):
            raise ValueError(
                f"Unknown kind {kind!r}; use 'costs', 'features', 'sizes' or 'outcomes'."
            )
        if ax is None:
            _, ax = plt.subplots(figsize=(7, 4))
        mark = marker(self.min_cell_size)
        names = dict(names or {})
        extra = {**self.labels_map, **dict(labels or {})}  # column -> label
        labels = [_axis_name(g, names) for g in self.groups]
        y = np.arange(len(self.groups))
        currency = (getattr(schema, "currency", None) or currency) if schema else currency

        def meta(col):
            """(label, unit, higher_is) of a column, from the schema."""
            spec = None if schema is None else schema.find_spec(col)
            label = (spec.label if spec is not None and spec.label else
                     extra.get(col, str(col).replace("_", " ")))
            return (label, getattr(spec, "unit", None) if spec is not None else None,
                    getattr(spec, "higher_is", None) if spec is not None else None)

        if kind == "sizes":
            vals = self.sizes[self.groups].to_numpy(dtype=float)
            ax.barh(y, np.nan_to_num(vals), color="#4C72B0")
            for i, (g, v) in enumerate(zip(self.groups, vals)):
                if np.isnan(v):
                    ax.text(0, i, " " + (self.size_mark(g)
                                         or mark), va="center", fontsize=8)
            ax.set_yticks(y, labels)
            ax.set_xlabel("clients")
            ax.set_ylabel("cluster")
            ax.invert_yaxis()
            ax.set_title("Cluster sizes")
        elif kind in ("costs", "outcomes"):
            if kind == "costs":
                frame, _ = self.cost_table(cost)
                if frame is None:
                    raise ValueError("No cost column was profiled; pass costs=[...].")
                name = cost or self.cost_columns[0]
                label, unit, higher = meta(name)
                col = "mean"
                title = f"Mean {label[:1].lower() + label[1:]} per client"
                if higher in ("worse", "better"):
                    title += f" ({'lower' if higher == 'worse' else 'higher'} is better)"
                unit_text = unit or currency
            else:
                if not self._outcomes:
                    raise ValueError("No outcome was profiled; pass outcomes={...}.")
                name = _known(self._outcomes, "outcome", outcome)
                frame, _, info = self._outcomes[name]
                label, unit, _ = meta(name)
                better = "higher" if info["higher_is_better"] else "lower"
                col = "mean_change"
                title = f"Mean change in {label} ({better} is better)"
                unit_text = unit or "points"
                ax.axvline(0, color="black", lw=0.8)
                ax.annotate("better \u2192" if info["higher_is_better"] else
                            "\u2190 better", xy=(0.98 if info["higher_is_better"] else 0.02,
                                                  1.01), xycoords="axes fraction",
                            ha="right" if info["higher_is_better"] else "left", va="bottom",
                            fontsize=8, color="#2a7a2a")
            m = frame.loc[self.groups, col].to_numpy(dtype=float)
            lo = frame.loc[self.groups, "ci_low"].to_numpy(dtype=float)
            hi = frame.loc[self.groups, "ci_high"].to_numpy(dtype=float)
            err = np.vstack([m - lo, hi - m])
            ok = ~np.isnan(m)
            ax.errorbar(m[ok], y[ok], xerr=np.nan_to_num(err[:, ok]), fmt="o", color="#C44E52",
                        capsize=3)
            for i in np.flatnonzero(~ok):
                g = self.groups[i]
                text = self.cell_mark(kind, g, col, name=cost if kind == "costs" else name)
                ax.text(0.02, i, text or mark, va="center", fontsize=8,
                        transform=ax.get_yaxis_transform())
            overall = frame.loc[OVERALL, col]
            if not np.isnan(overall):
                ax.axvline(overall, color="grey", ls="--", lw=1, label="overall")
                ax.legend(loc="best", fontsize=8)
            ax.set_yticks(y, labels)
            ax.set_ylim(len(self.groups) - 0.5, -0.5)
            ax.set_ylabel("cluster")
            level = self.params.get("confidence_level", 0.95)
            what = "mean per client" if kind == "costs" else "mean change"
            ax.set_xlabel(f"{what} ({unit_text}), {100 * level:g}% "
                          f"{'BCa ' if kind == 'costs' else ''}interval")
            ax.set_title(title, fontsize=10)
            if kind == "costs" and not unit:
                from matplotlib.ticker import FuncFormatter

                ax.xaxis.set_major_formatter(FuncFormatter(
                    lambda v, _: f"{'-' if v < 0 else ''}{currency}{abs(v):,.0f}"))
        else:
            mat, rows, cols = self.vtest_matrix(top_n, schema=schema, labels=extra)
            if mat.size == 0:
                raise ValueError("No distinguishing features to draw.")
            lim = max(2.0, float(np.nanmax(np.abs(mat))) if np.isfinite(mat).any() else 2.0)
            lim = min(lim, 20.0)
            im = ax.imshow(np.clip(mat, -lim, lim), cmap="RdBu_r", vmin=-lim, vmax=lim,
                           aspect="auto")
            ax.set_xticks(np.arange(len(cols)), cols, rotation=60, ha="right", fontsize=7)
            ax.set_yticks(np.arange(len(rows)), [_axis_name(r, names) for r in rows])
            ax.set_ylabel("cluster")
            for (i, j), v in np.ndenumerate(mat):
                # white on dark cells, black on light ones: readable either way
                dark = np.isfinite(v) and abs(v) > 0.45 * lim
                ax.text(j, i, "s" if np.isnan(v) else f"{v:.0f}", ha="center",
                        va="center", fontsize=6, color="white" if dark else "black")
            ax.figure.colorbar(im, ax=ax, label="v-test (red: higher in the cluster)")
            ax.set_title("v-tests of the most distinguishing features ('s' = suppressed)",
                         fontsize=10)
        return ax

    def vtest_matrix(self, top_n: int = 5, *, schema=None, labels=None):
        """(clusters x features) v-tests of the union of each cluster's top features; the
        feature names are the schema's labels and level labels when a schema is given."""
        top_n = check_int(top_n, "top_n", low=1)
        schema = self.schema if schema is None else schema
        d = self.distinguishing
        keys = []
        for c in self.clusters:
            sub = d[(d["cluster"] == c) & ~d["suppressed"]].head(top_n)
            for r in sub.itertuples():
                k = (r.variable, r.level)
                if k not in keys:
                    keys.append(k)
        mat = np.full((len(self.clusters), len(keys)), np.nan)
        look = {(r.cluster, r.variable, r.level): r.v_test for r in d.itertuples()}
        for i, c in enumerate(self.clusters):
            for j, k in enumerate(keys):
                mat[i, j] = look.get((c, *k), np.nan)
        names = [_feature_name(v, lv, schema, {**self.labels_map, **dict(labels or {})})
                 for v, lv in keys]
        return mat, self.clusters, names


def _axis_name(group, names: dict) -> str:
    """'3: Older, retired' (or '3' without a name); long names shortened."""
    if group not in names:
        return str(group)
    name = str(names[group])
    return f"{group}: {name if len(name) <= 34 else name[:32] + '...'}"


def _feature_name(variable, level, schema, labels_map) -> str:
    """'Diagnosis group: psychosis' from the schema's label and level label."""
    spec = None if schema is None else schema.find_spec(variable)
    label = spec.label if spec is not None and spec.label else labels_map.get(
        variable, str(variable).replace("_", " "))
    if level == "" or level is None:
        return label
    if spec is not None and spec.type == "binary" and str(level) == str(
            spec.positive_level()):
        return label
    text = spec.level_label(level) if spec is not None else str(level).replace("_", " ")
    return f"{label}: {text}"


def _known(source: dict, what: str, name):
    """``name`` (the first key when None) if ``source`` has it, else a ValueError."""
    if name is None:
        return next(iter(source))
    if name not in source:
        raise ValueError(f"Unknown {what} {name!r}; the profile has {list(source)}.")
    return name
