"""The study configuration as typed, frozen sections, made once from the checked dict.

:func:`~clusterdiscovery.pipeline.load_config` checks a TOML file or dict against
:data:`~clusterdiscovery.pipeline.DEFAULTS` (every message names the table and key and says
how to fix it) and returns a :class:`StudySettings`: one frozen dataclass per table, with
typed fields (``cfg.models.k_max``). Each section is also a read-only mapping, so
``cfg["models"]["k_max"]`` reads the same value, and :meth:`StudySettings.to_dict` gives
the plain dict (for JSON). A test keeps the fields and :data:`DEFAULTS` the same.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, fields

__all__ = ["StudySettings"]


class _Section(Mapping):
    """A frozen dataclass read as a mapping of its fields."""

    def __getitem__(self, key):
        if key not in self._names():
            raise KeyError(key)
        return getattr(self, key)

    def __iter__(self):
        return iter(self._names())

    def __len__(self):
        return len(self._names())

    @classmethod
    def _names(cls):
        return [f.name for f in fields(cls)]

    def to_dict(self) -> dict:
        return {k: getattr(self, k) for k in self._names()}


@dataclass(frozen=True, eq=False)
class DataSettings(_Section):
    sample_dir: str | None
    clients: str | None
    events: str | None
    schema: str | None
    id: str | None
    as_of: str | None
    date_format: str | None
    window_days: int | None


@dataclass(frozen=True, eq=False)
class FeaturesSettings(_Section):
    columns: list
    exclude: list
    event_features: list
    profile_event_features: list


@dataclass(frozen=True, eq=False)
class ModelsSettings(_Section):
    families: list
    primary: str
    k_min: int
    k_max: int
    criterion: str
    n_init: int
    min_share: float
    lr_tests: list
    lr_bootstrap: int
    ordinal: str


@dataclass(frozen=True, eq=False)
class StabilitySettings(_Section):
    method: str
    n_resamples: int
    screen_resamples: int
    screen_margin: float
    candidates: int
    min_jaccard: float


@dataclass(frozen=True, eq=False)
class ProfileSettings(_Section):
    costs: list
    exposure: str
    min_cell_size: int
    n_bootstrap: int
    reliability: float
    adjust_for: list
    distal: str


@dataclass(frozen=True, eq=False)
class ReportSettings(_Section):
    title: str
    narratives: str | None
    names: dict
    currency: str | None
    significant_figures: int


@dataclass(frozen=True, eq=False)
class FollowupSettings(_Section):
    clients: str | None
    n_bootstrap: int


@dataclass(frozen=True, eq=False)
class CareClustersSettings(_Section):
    assignments: str | None
    as_of: str | None


@dataclass(frozen=True, eq=False)
class EngineSettings(_Section):
    kind: str
    address: str | None
    n_workers: int


@dataclass(frozen=True, eq=False)
class OutputSettings(_Section):
    dir: str | None
    write_labels: bool


@dataclass(frozen=True, eq=False)
class StudySettings(_Section):
    """The whole configuration: a typed section per table, and the free-form ``services``
    (``[[services]]``), ``yardsticks`` and ``outcomes`` as checked lists and dicts."""

    data: DataSettings
    features: FeaturesSettings
    models: ModelsSettings
    stability: StabilitySettings
    profile: ProfileSettings
    report: ReportSettings
    services: list
    yardsticks: dict
    outcomes: dict
    followup: FollowupSettings
    care_clusters: CareClustersSettings
    engine: EngineSettings
    output: OutputSettings

    @classmethod
    def from_dict(cls, cfg: Mapping) -> StudySettings:
        """Typed sections of a configuration already checked by ``load_config``."""
        values = {}
        for f in fields(cls):
            section = _SECTIONS.get(f.name)
            values[f.name] = cfg[f.name] if section is None else section(**cfg[f.name])
        return cls(**values)

    def replace(self, table: str, **changes) -> StudySettings:
        """A copy with some keys of one table changed."""
        section = dataclasses.replace(getattr(self, table), **changes)
        return dataclasses.replace(self, **{table: section})

    def replace_free(self, table: str, value) -> StudySettings:
        """A copy with a free-form table (``services``, ``yardsticks``, ``outcomes``)
        replaced."""
        return dataclasses.replace(self, **{table: value})

    def to_dict(self) -> dict:
        """The plain nested dict (JSON-ready as the TOML was)."""
        return {k: (v.to_dict() if isinstance(v, _Section) else v)
                for k, v in ((name, getattr(self, name)) for name in self._names())}


_SECTIONS = {"data": DataSettings, "features": FeaturesSettings, "models": ModelsSettings,
             "stability": StabilitySettings, "profile": ProfileSettings,
             "report": ReportSettings, "followup": FollowupSettings,
             "care_clusters": CareClustersSettings, "engine": EngineSettings,
             "output": OutputSettings}
