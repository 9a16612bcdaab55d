"""The replay: section of optimizer.yaml: defaults, overrides, and a holdout that leaves no room."""

from __future__ import annotations

from pathlib import Path

import pytest

from optimizer.config import ReplaySettings, load_settings
from optimizer.errors import ConfigError


def _settings(tmp_path: Path, text: str):
    (tmp_path / "optimizer.yaml").write_text(text)
    return load_settings(tmp_path)


def test_the_replay_keys_are_read_and_the_rest_keep_their_defaults(tmp_path):
    settings = _settings(tmp_path, "replay:\n  budget_usd: 2\n  placeholders: {PLAYBOOKS: none today}\n")
    assert settings.replay.budget_usd == 2 and settings.replay.placeholders == {"PLAYBOOKS": "none today"}
    assert settings.replay.max_conversations == ReplaySettings().max_conversations


def test_a_holdout_as_large_as_the_set_is_refused_in_one_line(tmp_path):
    with pytest.raises(ConfigError, match=r"replay.holdout \(8\) must be less than replay.max_conversations \(8\)"):
        _settings(tmp_path, "replay: {holdout: 8, max_conversations: 8}\n")


def test_an_unknown_judge_is_a_schema_error(tmp_path):
    with pytest.raises(ConfigError, match="judge"):
        _settings(tmp_path, "replay: {judge: vibes}\n")
