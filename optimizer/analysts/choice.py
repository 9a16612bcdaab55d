"""Which analyst a run uses: `heuristic`, `claude`, or `auto` (Claude when ANTHROPIC_API_KEY is set)."""

from __future__ import annotations

import os
from collections.abc import Mapping

from optimizer.analysts.base import Analyst
from optimizer.analysts.heuristic import HeuristicAnalyst
from optimizer.config import ClaudeSettings
from optimizer.errors import ConfigError


def choose_analyst(name: str, claude: ClaudeSettings | None = None, environ: Mapping[str, str] = os.environ) -> Analyst:
    """`heuristic`; `claude` (needs ANTHROPIC_API_KEY); `auto`: Claude when the key is set, else heuristic."""
    key = environ.get("ANTHROPIC_API_KEY", "").strip()
    if name == "heuristic" or (name == "auto" and not key):
        return HeuristicAnalyst()
    if name not in ("auto", "claude"):
        raise ConfigError(f"unknown analyst {name!r}; use auto, heuristic or claude")
    if not key:
        raise ConfigError("--analyst claude needs ANTHROPIC_API_KEY in the environment (or use --analyst heuristic)")
    from optimizer.analysts.claude import ClaudeAnalyst
    from optimizer.analysts.claude_client import MessagesClient  # imported here: the SDK takes ~1 s to load

    settings = claude or ClaudeSettings()
    base_url = settings.base_url or environ.get("ANTHROPIC_BASE_URL") or None  # optimizer.yaml first
    return ClaudeAnalyst(settings, MessagesClient(settings, key, base_url))
