"""optimizer.yaml, validated, then resolved into Settings. Conventions first: the file is optional."""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from optimizer.errors import ConfigError
from optimizer.schemas import schema_errors
from optimizer.timeutil import parse_timestamp

CONFIG_FILE = "optimizer.yaml"


@dataclass(frozen=True)
class Thresholds:
    """When a detector speaks up. Rates are shares (0..1); counts are traces or calls."""

    tool_failure_rate: float = 0.15
    tool_min_calls: int = 20
    repeated_error_min: int = 3
    knowledge_gap_min: int = 3
    escalation_rate: float = 0.15
    topic_escalation_rate: float = 0.5
    min_traces: int = 30
    regression_pct: float = 10.0
    regression_min_traces: int = 30
    negative_sentiment_rate: float = 0.15
    owner_correction_rate: float = 0.08
    duplicate_block_min_chars: int = 80


@dataclass(frozen=True)
class Limits:
    """How much one run may change."""

    max_proposals: int = 3
    min_prompt_chars: int = 200
    max_prompt_change_share: float = 0.5


@dataclass(frozen=True)
class Settings:
    """Everything a run needs, resolved from defaults, optimizer.yaml and the command line."""

    repo: Path
    traces_source: str = "jsonl"
    traces_path: str = "traces"
    window_hours: float = 24.0
    now: datetime | None = None
    base_branch: str | None = None
    labels: tuple[str, ...] = ("optimizer",)
    analyst: str = "auto"
    thresholds: Thresholds = field(default_factory=Thresholds)
    limits: Limits = field(default_factory=Limits)

    def resolve_traces_path(self) -> Path:
        path = Path(self.traces_path).expanduser()
        return path if path.is_absolute() else self.repo / path


def load_settings(repo: Path) -> Settings:
    """Read ``<repo>/optimizer.yaml`` if there is one; defaults otherwise."""
    path = repo / CONFIG_FILE
    if not path.is_file():
        return Settings(repo=repo)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as err:
        raise ConfigError(f"{path}: cannot read config: {_one_line(err)}") from err
    errors = schema_errors("config", raw)
    if errors:
        raise ConfigError(f"{path}: {errors[0]}")
    return settings_from_mapping(repo, raw, str(path))


def settings_from_mapping(repo: Path, raw: dict[str, Any], origin: str = CONFIG_FILE) -> Settings:
    traces = raw.get("traces", {})
    window = raw.get("window", {})
    now = None
    if window.get("now"):
        now = parse_timestamp(window["now"])
        if now is None:
            raise ConfigError(f"{origin}: window.now is not an ISO 8601 timestamp: {window['now']!r}")
    return Settings(
        repo=repo,
        traces_source=traces.get("source", "jsonl"),
        traces_path=traces.get("path", "traces"),
        window_hours=float(window.get("hours", 24)),
        now=now,
        base_branch=raw.get("base_branch"),
        labels=tuple(raw.get("labels", ("optimizer",))),
        analyst=raw.get("analyst", "auto"),
        thresholds=_override(Thresholds(), raw.get("thresholds", {})),
        limits=_override(Limits(), raw.get("limits", {})),
    )


def _override(defaults: Any, values: dict[str, Any]) -> Any:
    known = {f.name for f in fields(defaults)}
    return replace(defaults, **{k: v for k, v in values.items() if k in known})


def _one_line(err: Exception) -> str:
    return " ".join(str(err).split())
