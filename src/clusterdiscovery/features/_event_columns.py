"""What the columns made by :func:`aggregate_events` mean: their role, unit and plain label.

``aggregate_events`` invents the names of its output columns (``n_<service>``,
``cost_<service>``, ``inpatient_days``, ...); this module is the one place that knows what
they are, so that other stages (the pipeline's profile schema, the report's words) read
the description instead of guessing from names.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["EventColumn", "event_columns", "default_costs"]

#: plain labels of the fixed columns (``{window}`` is " in the last N days" or "")
_LABELS = {
    "n_contacts_per_year": "Contacts per year (bed days not counted)",
    "n_contacts": "Contacts{window} (bed days not counted)",
    "n_total_per_year": "Service events per year (contacts and bed days together)",
    "n_total": "Service events{window} (contacts and bed days together)",
    "inpatient_days": "Inpatient days{window}",
    "crisis_episodes": "Crisis episodes{window}",
    "days_since_last_contact": "Days since the last contact",
    "exposure_years": "Years of follow-up",
    "cost_total": "Total cost{window}",
}
_UNITS = {"inpatient_days": "days", "crisis_episodes": "episodes",
          "days_since_last_contact": "days", "exposure_years": "years"}
_ROLES = {"inpatient_days": "count", "crisis_episodes": "count", "exposure_years": "exposure",
          "days_since_last_contact": "recency", "first_contact": "date", "last_contact": "date"}


@dataclass(frozen=True)
class EventColumn:
    """One aggregated column: ``role`` is ``"count"``, ``"rate"`` (per year), ``"cost"``,
    ``"cost_rate"``, ``"exposure"``, ``"recency"`` or ``"date"``; ``label`` the words a
    report uses, ``unit`` its unit (None for money and plain counts of events), and
    ``default_cost`` whether the profile reports it as a cost unless told otherwise (the
    total, inpatient and crisis costs)."""

    name: str
    role: str
    label: str | None
    unit: str | None = None
    default_cost: int = 0  # 1, 2, 3: the total, inpatient and crisis costs, in that order


def _role(name: str) -> str:
    if name in _ROLES:
        return _ROLES[name]
    rate = name.endswith("_per_year")
    if name.startswith("cost_"):
        return "cost_rate" if rate else "cost"
    return "rate" if rate else "count"


def event_columns(columns, window_days=None, *, inpatient_services=("inpatient_day",),
                  crisis_services=("crisis", "ae_attendance")) -> dict:
    """``{column: EventColumn}`` for the columns of an ``aggregate_events`` table.

    ``window_days`` is the window the counts were taken over (None: all events), which the
    labels mention; ``inpatient_services`` and ``crisis_services`` are those given to
    ``aggregate_events`` (the default costs are the total and the first of each).
    """
    window = f" in the last {window_days} days" if window_days else ""
    defaults = {name: rank + 1 for rank, name in enumerate(
        ["cost_total", *(f"cost_{s}" for s in (*inpatient_services[:1], *crisis_services[:1]))])}
    out = {}
    for name in columns:
        role = _role(name)
        label = _LABELS.get(name)
        if label is not None:
            label = label.format(window=window)
        elif role == "cost":  # cost_<service>
            label = f"{name[len('cost_'):].replace('_', ' ').capitalize()} cost{window}"
        out[name] = EventColumn(name, role, label, _UNITS.get(name), defaults.get(name, 0))
    return out


def default_costs(described: dict) -> list:
    """The columns the profile reports as costs by default, in order (total, inpatient,
    crisis), among ``described`` (from :func:`event_columns`)."""
    return sorted((c for c, col in described.items() if col.default_cost),
                  key=lambda c: described[c].default_cost)
