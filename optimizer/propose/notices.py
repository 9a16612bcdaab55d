"""What the optional webhook hears from a published run: a pull request opened, a merge seen, a
rollback proposed. Messages are built here (pure); ``send`` posts them, best effort.

A merge is announced by the first run whose window holds its merge time (the next daily run, with
the default 24 h window), read from the history the run reads anyway: no state to keep.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from datetime import datetime

from optimizer.config import Settings
from optimizer.history.model import History, PastProposal
from optimizer.propose.webhook import notify
from optimizer.timeutil import parse_timestamp

Warn = Callable[[str], None]


def opened(agent: str, title: str, url: str) -> str:
    return f"optimizer opened a pull request for {agent}: {title} {url}"


def rollback_proposed(agent: str, version: str, why: str, url: str, merged: bool) -> str:
    done = "rolled back (auto-merge is on)" if merged else "proposes rolling back"
    return f"optimizer {done} {agent} version {version[:12]}: {why} {url}"


def merges(agent: str, history: History | None, start: datetime, end: datetime) -> list[str]:
    """One message per optimizer pull request merged in ``[start, end)``."""
    by_pull: dict[int, list[PastProposal]] = {}
    for proposal in (history or History()).proposals:
        moment = parse_timestamp(proposal.decided_at) if proposal.decided_at else None
        if proposal.outcome == "approved" and proposal.pr_number and moment and start <= moment < end:
            by_pull.setdefault(proposal.pr_number, []).append(proposal)
    return [
        f"optimizer pull request #{number} for {agent} was merged ({len(items)} proposal(s): "
        f"{'; '.join(p.title for p in items[:3])}) {items[0].pr_url or ''}".rstrip()
        for number, items in sorted(by_pull.items())
    ]


def send(settings: Settings, messages: list[str], warn: Warn, env: Mapping[str, str] = os.environ) -> None:
    """Post each message to the webhook named by ``measure.webhook_url_env``; nothing when it is unset."""
    url = env.get(settings.measure.webhook_url_env, "").strip()
    if not url:
        return
    for text in messages:
        if not notify(url, text, warn):
            return  # one warning says it; the run goes on
