"""discover's section "What works, for whom, at what cost": the study TOML's ``[[services]]``
compared within the discovered clusters (:func:`~clusterdiscovery.compare_services`), each
cluster measured by its own yardstick (``[yardsticks]``).

```toml
[[services]]
service = "therapy"                 # 0/1 column (of the client table, or of `file`)
outcome = "honos_followup"          # or a list; a cluster's yardstick replaces it
baseline = "honos_baseline"         # optional
confounders = ["age", "sex"]
cost = "cost"                       # optional
method = "aipw"                     # "ipw", "standardization"
file = "services.csv"               # optional: columns joined by the client id

[yardsticks]                        # a cluster's own outcome and target
"0" = {outcome = "honos_followup", target = -3}
"Older adults" = {outcome = "admissions_followup"}
```

A ``target`` is the smallest worthwhile effect of a service on that outcome, its sign giving
the direction (``-3``: at least 3 points lower). Each line says whether the target is
**reached** (the whole 95% interval is at or beyond it), **not shown** (the interval holds
it: the data cannot tell) or **not reached** (the whole interval falls short of it), as
the ``target_met`` column of ``tables/what_works.csv`` (``yes``, ``uncertain``, ``no``).

When the study reads the package's sample through the configuration and names no services,
the sample's two services (``services.csv``: therapy and a crisis team, with a HoNOS total at
baseline and a year later, and a cost) are compared, so the main job's report shows the
section.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._numbers import fmt_fixed

__all__ = ["check_services", "what_works_sections"]

_SERVICE_KEYS = {"service", "outcome", "baseline", "confounders", "cost", "method", "file"}
CAVEAT = ("These are observational comparisons: clients who received a service are compared "
          "with those who did not, adjusted for the named confounders only. They are not "
          "trial results; a reason for receiving the service that is not among the "
          "confounders can bias them.")


def check_services(services, yardsticks) -> None:
    """Refuse malformed ``[[services]]`` and ``[yardsticks]`` tables before any fitting."""
    if not isinstance(services, list):
        raise ValueError("Configuration [[services]] must be an array of tables "
                         "([[services]] blocks), each with service, outcome, confounders.")
    for i, s in enumerate(services):
        if not isinstance(s, dict):
            raise ValueError(f"Configuration [[services]] entry {i + 1} must be a table.")
        unknown = set(s) - _SERVICE_KEYS
        if unknown:
            raise ValueError(f"Configuration [[services]] entry {i + 1} has unknown key(s) "
                             f"{sorted(unknown)}; allowed: {sorted(_SERVICE_KEYS)}.")
        for key in ("service", "outcome"):
            if key not in s:
                raise ValueError(f"Configuration [[services]] entry {i + 1} needs '{key}'.")
        if not isinstance(s.get("confounders", []), list):
            raise ValueError(f"Configuration [[services]] entry {i + 1}: confounders must be "
                             "a list of column names.")
        if s.get("method", "aipw") not in ("aipw", "ipw", "standardization"):
            raise ValueError(f"Configuration [[services]] entry {i + 1}: method "
                             f"{s['method']!r} is unknown; use aipw, ipw or standardization.")
    if not isinstance(yardsticks, dict):
        raise ValueError("Configuration [yardsticks] must be a table: cluster -> "
                         "{outcome = ..., target = ...}.")
    for k, v in yardsticks.items():
        if not isinstance(v, dict) or "outcome" not in v or set(v) - {"outcome", "target"}:
            raise ValueError(f"Configuration [yardsticks] {k!r} must be {{outcome = \"col\"}} "
                             "with an optional numeric target.")
        target = v.get("target", 1.0)
        if isinstance(target, bool) or not isinstance(target, int | float) or \
                not np.isfinite(target):
            raise ValueError(f"Configuration [yardsticks] {k!r}: target must be a number (the "
                             f"smallest worthwhile effect); got {target!r}.")
        if target == 0:
            raise ValueError(f"Configuration [yardsticks] {k!r}: a target of 0 gives no "
                             "direction; give the smallest worthwhile effect with its sign, "
                             "e.g. -3 for at least 3 points lower.")


def _yardstick_of(yardsticks, k, name):
    for key in (str(k), name):
        if key in yardsticks:
            return yardsticks[key]
    return None


def target_met(target, low, high) -> str:
    """``"yes"`` when the whole interval is at or beyond ``target`` (in its sign's
    direction), ``"no"`` when the whole interval falls short of it, else ``"uncertain"``;
    ``""`` without a target or an interval."""
    if not all(np.isfinite(v) for v in (target, low, high)):
        return ""
    sign = 1.0 if target > 0 else -1.0
    near, far = sorted((sign * low, sign * high))
    if near >= sign * target:
        return "yes"
    return "no" if far < sign * target else "uncertain"


_MET_WORDS = {"yes": "reached (the whole interval is at or beyond it)",
              "no": "not reached (the whole interval falls short of it)",
              "uncertain": "not shown (the interval holds it)"}


def _join(table, entry, id_col):
    if not entry.get("file"):
        return table
    from .._checks import read_table

    extra = read_table(entry["file"], "the services file")
    if id_col not in extra.columns:
        raise ValueError(f"The services file {entry['file']} has no id column {id_col!r}.")
    extra = extra.set_index(extra[id_col].astype(str)).drop(columns=id_col)
    extra = extra.drop(columns=[c for c in extra.columns if c in table.columns])
    extra = extra.reindex(table.index.astype(str)).set_axis(table.index)
    return pd.concat([table, extra], axis=1)


def sample_services(cfg, data) -> list:
    """The configured services, or the sample's two when the study reads the sample through
    the configuration (not a table passed as ``data``) and names none."""
    if cfg["services"] or data is not None or cfg["data"]["clients"] is not None:
        return cfg["services"]
    from pathlib import Path

    from ..datasets._sample import default_sample_dir
    from ..datasets._services import SAMPLE_SERVICES

    path = Path(cfg["data"]["sample_dir"] or default_sample_dir()) / "services.csv"
    if not path.is_file():
        return []
    return [{**entry, "confounders": list(entry["confounders"]), "file": str(path)}
            for entry in SAMPLE_SERVICES]


def what_works_sections(cfg, table, labels, names, id_col, random_state, data=None):
    """The report section and ``tables/what_works.csv`` (raw numbers), or ``([], {})``.
    ``data`` is what ``discover`` was given (None: the tables named by the configuration)."""
    from ..services import compare_services

    services, yardsticks = sample_services(cfg, data), cfg["yardsticks"]
    if not services:
        return [], {}
    m = cfg["profile"]["min_cell_size"]
    rows, lines = [], []
    for entry in services:
        data = _join(table, entry, id_col)
        outcomes = entry["outcome"] if isinstance(entry["outcome"], list) else [entry["outcome"]]
        wanted = set(outcomes) | {y["outcome"] for y in yardsticks.values()}
        results = {}
        for outcome in [o for o in wanted if o in data.columns]:
            results[outcome] = compare_services(
                data, labels, service=entry["service"], outcome=outcome,
                baseline=entry.get("baseline"), confounders=entry.get("confounders", []),
                cost=entry.get("cost"), method=entry.get("method", "aipw"),
                n_bootstrap=200, min_cell_size=m, random_state=random_state).summary
        for k, name in enumerate(names):
            stick = _yardstick_of(yardsticks, k, name)
            outcome = stick["outcome"] if stick else outcomes[0]
            if outcome not in results:
                continue
            r = results[outcome].set_index("cluster").loc[k]
            goal = np.nan if not stick else float(stick.get("target", np.nan))
            met = "" if r["suppressed"] else target_met(goal, r["ci_low"], r["ci_high"])
            rows.append({"service": entry["service"], "outcome": outcome, "cluster": name,
                         "target": goal, "target_met": met,
                         **{c: r[c] for c in r.index if c not in ("reason",)},
                         "reason": r["reason"]})
            target = f", target {stick['target']:g}" if stick and "target" in stick else ""
            if r["suppressed"]:
                lines.append(f"**{name}** (yardstick: {outcome}{target}): {entry['service']} "
                             f"withheld: {r['reason']}.")
                continue
            cost = ""
            if "cost_difference" in r.index and np.isfinite(r["cost_difference"]):
                per = (f", {fmt_fixed(r['cost_per_unit'])} per unit of change"
                       if np.isfinite(r["cost_per_unit"]) else ", no clear effect to cost")
                cost = f"; cost difference {fmt_fixed(r['cost_difference'])}{per}"
            verdict = f"; target {_MET_WORDS[met]}" if met else ""
            lines.append(f"**{name}** (yardstick: {outcome}{target}): {entry['service']} "
                         f"{fmt_fixed(r['estimate'])} ({fmt_fixed(r['ci_low'])} to {fmt_fixed(r['ci_high'])})"
                         f"{cost}{verdict}.")
    method = ", ".join(sorted({e.get("method", "aipw").upper() for e in services}))
    text = [f"The effect of each service on each cluster's own outcome (received minus not, "
            f"{method}, 95% bootstrap interval), the cost difference and the cost per unit of "
            f"change. A cluster with fewer than {m} clients in either arm is withheld.",
            CAVEAT, *lines]
    table_out = pd.DataFrame(rows)
    shown = table_out.drop(columns=["p_value"], errors="ignore").set_index(
        ["service", "cluster"]).round(3)
    return ([("What works, for whom, at what cost", text, [shown])],
            {"what_works.csv": table_out})
