"""optimizer.yaml, validated, then resolved into Settings. Conventions first: the file is optional."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from optimizer.errors import ConfigError
from optimizer.schemas import schema_errors, strict_yaml
from optimizer.timeutil import parse_timestamp

CONFIG_FILE = "optimizer.yaml"


@dataclass(frozen=True)
class Thresholds:
    """When a detector speaks up. Rates are shares (0..1); counts are traces or calls."""

    tool_failure_rate: float = 0.15
    tool_min_calls: int = 20
    repeated_error_min: int = 3
    repeated_error_min_share: float = 0.01  # of the window's traces: rarer is the agent's background noise
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


DEFAULT_CLAUDE_MODEL = "claude-sonnet-5-5"


@dataclass(frozen=True)
class ClaudeSettings:
    """The `claude:` section: which model, how much it may read and write, how hard to retry."""

    model: str = DEFAULT_CLAUDE_MODEL
    max_input_tokens: int = 30_000  # the whole request, counted by the API when it can
    max_output_tokens: int = 4_096
    max_retries: int = 3  # 429, 529 and 5xx, with the SDK's exponential backoff (honours retry-after)
    timeout: float = 180.0  # seconds per request
    base_url: str | None = None  # else ANTHROPIC_BASE_URL, else the public API
    prices: dict[str, dict[str, float]] = field(default_factory=dict)  # model -> USD per million tokens


@dataclass(frozen=True)
class GitHubSettings:
    """The `github:` section: where pull requests go, who reviews them, how history is read."""

    api_url: str | None = None  # else GITHUB_API_URL, else https://api.github.com (Enterprise: https://HOST/api/v3)
    token_env: str | None = None  # the variable holding the token; default OPTIMIZER_GITHUB_TOKEN, then GITHUB_TOKEN
    repository: str | None = None  # owner/name; else GITHUB_REPOSITORY, else the origin remote
    reviewers: tuple[str, ...] = ()
    assignees: tuple[str, ...] = ()
    rejected_evidence_factor: float = 2.0  # a rejected proposal returns only with this much more evidence
    history_limit: int = 50  # earlier optimizer PRs read per agent, newest first
    throttle: bool = True  # GitHub's advice: requests one by one, a second between writes


@dataclass(frozen=True)
class SupabaseSettings:
    """The `supabase:` section: the environment variables holding the URL and keys (never the secrets)."""

    url_env: str = "SUPABASE_URL"
    key_env: str = "SUPABASE_SERVICE_ROLE_KEY"  # reads traces, deploys, writes run records
    anon_key_env: str = "SUPABASE_ANON_KEY"  # the apikey header beside the agent's key (optimizer.runtime)
    trace_key_env: str = "SUPABASE_TRACE_KEY"  # the agent's key: reads its active files, inserts traces
    timeout: float = 120.0  # seconds per request
    max_error_groups: int = 20_000  # distinct raw error messages per agent the analysis reads
    max_candidates: int = 200_000  # candidate unanswered questions the analysis reads

    def secrets_set(self, env: Mapping[str, str]) -> bool:
        """The URL and the service-role key are both in ``env``."""
        return bool(env.get(self.url_env) and env.get(self.key_env))

    @property
    def secret_names(self) -> str:
        return f"{self.url_env} and {self.key_env}"


@dataclass(frozen=True)
class DeploySettings:
    """The `deploy:` section: where deployed versions (and run records) live."""

    # local: a SQLite registry file; supabase: the optimizer_deployments table. None: not set, which
    # means Supabase when its URL is in the environment (Settings.deploy_target), else local on a person's
    # machine and a refusal on a CI runner (optimizer.deploy.destination).
    target: str | None = None
    registry: str = ".optimizer/registry.sqlite3"  # relative to the repo


@dataclass(frozen=True)
class RuntimeSettings:
    """The `runtime:` section: how the agent's runtime (optimizer.runtime) caches its deployed version."""

    ttl: float = 60.0  # seconds a version read from the store is served before a background refresh


# The guarded metrics as optimizer.yaml names them, and the default thresholds (analysis/rollback_policy.py):
# relative for cost and latency (0.10 = +10%), absolute for rates (0.05 = +5 points). None: not guarded.
GUARD_DEFAULTS: dict[str, float | None] = {
    "cost_per_trace": 0.10,
    "latency_per_trace": None,
    "tool_failure_rate": 0.05,
    "escalation_rate": 0.05,
    "owner_correction_rate": None,
    "negative_sentiment_rate": 0.05,
}


@dataclass(frozen=True)
class MeasureSettings:
    """The `measure:` section: how the last change is judged, and when its revert is proposed."""

    lookback_days: float = 7.0  # the window the versions are compared over, before the run's end
    min_samples: int = 100  # traces (tool calls for a tool's failure rate) each version needs for a verdict
    guards: tuple[tuple[str, float], ...] = tuple((k, v) for k, v in GUARD_DEFAULTS.items() if v is not None)
    auto_merge_rollback: bool = False  # merge the revert pull request the run opens (default: a human does)
    webhook_url_env: str = "OPTIMIZER_WEBHOOK_URL"  # the variable holding a Slack-compatible webhook URL


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
    claude: ClaudeSettings = field(default_factory=ClaudeSettings)
    input_usd_per_mtok: float = 3.0  # the agent's model, USD per million input tokens: diff-cost's preview
    github: GitHubSettings = field(default_factory=GitHubSettings)
    supabase: SupabaseSettings = field(default_factory=SupabaseSettings)
    deploy: DeploySettings = field(default_factory=DeploySettings)
    measure: MeasureSettings = field(default_factory=MeasureSettings)
    runtime: RuntimeSettings = field(default_factory=RuntimeSettings)
    retention_days: float | None = None  # Supabase: raw traces older than this are deleted, rollups kept

    def resolve_traces_path(self) -> Path:
        path = Path(self.traces_path).expanduser()
        return path if path.is_absolute() else self.repo / path

    def deploy_target(self, env: Mapping[str, str]) -> str | None:
        """``deploy.target``; when it is not set, Supabase if its URL is in ``env`` (the store the secrets
        name is the one the agent reads: deploy, status and the runtime all follow it), else None."""
        if self.deploy.target is None and env.get(self.supabase.url_env):
            return "supabase"
        return self.deploy.target


def on_ci(env: Mapping[str, str]) -> bool:
    """A CI runner: GitHub Actions, or any CI that sets CI (GitLab, CircleCI, Buildkite, ...). Its checkout
    holds only what is committed, and what it writes is thrown away with it."""
    return env.get("GITHUB_ACTIONS") == "true" or env.get("CI", "").lower() in ("true", "1")


# Beyond these a number is a typing slip, and a time window that big overflows the calendar.
MAX_WINDOW_HOURS = 24 * 366 * 100
MAX_LOOKBACK_DAYS = 366 * 100


def load_settings(repo: Path) -> Settings:
    """Read ``<repo>/optimizer.yaml`` if there is one; defaults otherwise."""
    path = repo / CONFIG_FILE
    if not path.exists() and not path.is_symlink():
        return Settings(repo=repo)
    raw = _read_config(repo, path)
    errors = schema_errors("config", raw)
    if errors:
        raise ConfigError(f"{path}: {errors[0]}")
    return settings_from_mapping(repo, raw, str(path))


def _read_config(repo: Path, path: Path) -> dict[str, Any]:
    if not path.resolve().is_relative_to(repo.resolve()):
        raise ConfigError(f"{path}: is a symlink to a place outside the repository; refusing to read it")
    if not path.is_file():
        raise ConfigError(f"{path}: is not a regular file (a directory or a device?); optimizer.yaml must be a file")
    try:
        if path.stat().st_size > strict_yaml.MAX_BYTES:
            raise ConfigError(f"{path}: larger than {strict_yaml.MAX_BYTES >> 20} MiB; not a configuration file")
        raw = strict_yaml.load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, strict_yaml.StrictYamlError) as err:
        raise ConfigError(f"{path}: cannot read config: {_one_line(err)}") from err
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: must be a mapping of settings (window: ..., traces: ...), not {type(raw).__name__}")
    return raw


def settings_from_mapping(repo: Path, raw: dict[str, Any], origin: str = CONFIG_FILE) -> Settings:
    traces = raw.get("traces", {})
    window = raw.get("window", {})
    now = None
    if window.get("now"):
        now = parse_timestamp(window["now"])
        if now is None:
            raise ConfigError(f"{origin}: window.now is not an ISO 8601 timestamp: {window['now']!r}")
    _check_ranges(raw, origin)
    _check_registry(repo, raw.get("deploy", {}).get("registry"), origin)
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
        claude=_claude(raw.get("claude", {})),
        input_usd_per_mtok=float(raw.get("pricing", {}).get("input_usd_per_mtok", 3.0)),
        github=_github(raw.get("github", {})),
        supabase=_override(SupabaseSettings(), raw.get("supabase", {})),
        deploy=_override(DeploySettings(), raw.get("deploy", {})),
        measure=_measure(raw.get("measure", {})),
        runtime=_override(RuntimeSettings(), raw.get("runtime", {})),
        retention_days=raw.get("retention", {}).get("days"),
    )


def _check_ranges(raw: dict[str, Any], origin: str) -> None:
    hours = raw.get("window", {}).get("hours")
    if isinstance(hours, int | float) and hours > MAX_WINDOW_HOURS:
        raise ConfigError(f"{origin}: window.hours is {hours:g}, more than the {MAX_WINDOW_HOURS} hours allowed")
    days = raw.get("measure", {}).get("lookback_days")
    if isinstance(days, int | float) and days > MAX_LOOKBACK_DAYS:
        raise ConfigError(f"{origin}: measure.lookback_days is {days:g}, more than the {MAX_LOOKBACK_DAYS} allowed")


def _check_registry(repo: Path, registry: Any, origin: str) -> None:
    """The registry is written: a relative path must stay inside the repository. An absolute one is
    an explicit choice (a self-hosted runner's persistent folder, docs/deploy.md) and is kept."""
    if not isinstance(registry, str) or Path(registry).expanduser().is_absolute():
        return
    target = (repo / registry).resolve()
    if not target.is_relative_to(repo.resolve()):
        raise ConfigError(f"{origin}: deploy.registry {registry!r} leads outside the repository; not written there")


def _claude(values: dict[str, Any]) -> ClaudeSettings:
    prices = {model: dict(price) for model, price in values.get("prices", {}).items()}
    return replace(_override(ClaudeSettings(), {k: v for k, v in values.items() if k != "prices"}), prices=prices)


def _github(values: dict[str, Any]) -> GitHubSettings:
    lists = {key: tuple(values.get(key, ())) for key in ("reviewers", "assignees")}
    return replace(_override(GitHubSettings(), {k: v for k, v in values.items() if k not in lists}), **lists)


def _measure(values: dict[str, Any]) -> MeasureSettings:
    thresholds = {**GUARD_DEFAULTS, **values.get("guards", {})}
    guards = tuple((name, float(value)) for name, value in thresholds.items() if value is not None)
    return replace(_override(MeasureSettings(), {k: v for k, v in values.items() if k != "guards"}), guards=guards)


def _override(defaults: Any, values: dict[str, Any]) -> Any:
    known = {f.name for f in fields(defaults)}
    return replace(defaults, **{k: v for k, v in values.items() if k in known})


def _one_line(err: Exception) -> str:
    return " ".join(str(err).split())
