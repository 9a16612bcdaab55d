"""The decisions known about earlier proposals: from the code host when the repo publishes to one,
else from the run records (each run stores the decisions it measured)."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from optimizer.config import Settings
from optimizer.deploy.registry import runs_registry
from optimizer.errors import OptimizerError
from optimizer.gitops.branches import branch_name
from optimizer.gitops.connection import publish_target
from optimizer.gitops.hosts.github import connect
from optimizer.history.from_host import read_history
from optimizer.history.from_records import history_from_records
from optimizer.history.model import History

Warn = Callable[[str], None]
RECORDS_READ = 500  # run records per agent: a daily run for more than a year


def read_decisions(settings: Settings, agents: list[str], env: Mapping[str, str], warn: Warn) -> dict[str, History]:
    """Per agent, the decisions known: the code host's history, else what the run records kept."""
    try:
        target = publish_target(settings, env)
        if target is not None:
            host = connect(target, throttle=settings.github.throttle)
            try:
                limit = settings.github.history_limit
                return {agent: read_history(host, agent, branch_name(agent), limit) for agent in agents}
            finally:
                host.close()
    except OptimizerError as err:
        warn(f"decisions read from the run records instead of GitHub: {err}")
    try:
        registry = runs_registry(settings)
        return {agent: history_from_records(registry.runs(agent, RECORDS_READ)) for agent in agents}
    except OptimizerError as err:
        warn(f"no decisions in the report: the run records cannot be read: {err}")
        return {agent: History() for agent in agents}
