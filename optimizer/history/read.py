"""The decisions on earlier proposals, for the report: from the code host when the repo publishes to
one, else from the run records (each run stores the decisions it measured)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from optimizer.config import Settings
from optimizer.deploy.model import RunRecord
from optimizer.errors import OptimizerError
from optimizer.gitops.hosts.github import connect
from optimizer.history.from_host import read_history
from optimizer.history.model import History, PastProposal
from optimizer.measure.effects import past_proposal
from optimizer.propose.publish import branch_name, publish_target
from optimizer.propose.run_records import runs_registry

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


def history_from_records(records: Iterable[RunRecord]) -> History:
    """The decisions stored in run records (newest record first), each once, oldest decision first. Pure."""
    seen: dict[tuple[str, int | None, str], PastProposal] = {}
    for record in records:
        stored = (record.measurement or {}).get("decisions")
        for data in stored if isinstance(stored, list) else ():
            past = past_proposal(data) if isinstance(data, dict) else None
            if past is not None:
                seen.setdefault((past.fingerprint, past.pr_number, past.outcome), past)
    return History(tuple(sorted(seen.values(), key=lambda p: p.decided_at or "")))
