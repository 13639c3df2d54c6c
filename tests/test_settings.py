"""The typed configuration (issue 20.1): one frozen section per table, the same keys as
DEFAULTS, read both as attributes and as a mapping, never mutated."""

from __future__ import annotations

import dataclasses
import json

import pytest

from clusterdiscovery.pipeline import DEFAULTS, load_config
from clusterdiscovery.pipeline._settings import StudySettings


def test_the_typed_sections_have_exactly_the_keys_of_the_defaults():
    cfg = load_config(None)
    assert isinstance(cfg, StudySettings)
    assert list(cfg) == list(DEFAULTS)
    for table, values in DEFAULTS.items():
        section = cfg[table]
        if isinstance(values, dict) and table not in ("yardsticks", "outcomes"):
            assert list(section) == list(values), table
    assert json.loads(json.dumps(cfg.to_dict())) == json.loads(json.dumps(DEFAULTS))


def test_attributes_and_mapping_agree_and_sections_are_frozen():
    cfg = load_config({"models": {"k_max": 5}, "profile": {"min_cell_size": 5}})
    assert cfg.models.k_max == cfg["models"]["k_max"] == 5
    assert cfg.profile.min_cell_size == 5
    with pytest.raises(dataclasses.FrozenInstanceError):
        cfg.models.k_max = 7
    with pytest.raises(TypeError):
        cfg["models"]["k_max"] = 7
    changed = cfg.replace("output", dir="elsewhere")
    assert changed.output.dir == "elsewhere" and cfg.output.dir is None
    # a typed configuration read again gives the same settings (discover re-reads it)
    assert load_config(cfg).to_dict() == cfg.to_dict()
