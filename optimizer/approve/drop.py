"""`/optimizer drop N`: take proposal N out of an open optimizer pull request, and remember the rejection.

The branch is rebuilt from the base with the remaining proposals, each re-applied from the edit
recorded in the description's meta block and checked by the guardrails again, each keeping its
commit message: a text-level revert would conflict whenever two proposals touch neighbouring lines
(two FAQ entries appended one after the other). The rejection is recorded first, in the bot's
reply (a hidden ``optimizer:dropped`` block), so even a push that fails afterwards leaves the
proposal rejected for every later run.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import Any

from optimizer.artifacts.guardrails import check_and_apply
from optimizer.artifacts.overlay import OverlayFiles
from optimizer.config import Settings
from optimizer.errors import GuardrailViolation, OptimizerError
from optimizer.gitops.branches import fingerprint_of, foreign_commits
from optimizer.gitops.commits import BuiltBranch, PlannedCommit
from optimizer.gitops.hosts.base import CodeHost, PullRequest
from optimizer.gitops.push import LeaseRejected, RemoteBranches
from optimizer.gitops.repo import AgentRepo
from optimizer.history.from_host import dropped_in
from optimizer.history.markers import dropped_block
from optimizer.models import EDIT_OPS, Edit, Proposal
from optimizer.render import markdown as md
from optimizer.render.pr_rewrite import recount, replace_commits, retitle, strike_proposal

Messages = dict[str | None, tuple[str, str]]  # fingerprint -> (sha, message) of the branch's commits


class CommandRefused(OptimizerError):
    """Raised when a command cannot be done as asked; the message is the reply to the person."""


DropRefused = CommandRefused  # a drop that cannot be done


@dataclass(frozen=True)
class DropContext:
    host: CodeHost
    remote: RemoteBranches
    repo: AgentRepo
    settings: Settings


def drop(
    ctx: DropContext, pull: PullRequest, meta: dict[str, Any], numbers: tuple[int, ...], by: str, reason: str
) -> str:
    """Drop the numbered proposals; returns the reply it posted (raises DropRefused with the reply to post)."""
    already = dropped_in(pull, ctx.host.remarks(pull.number, reviews=False))
    dropping, remaining = _select(meta, numbers, already)
    base, tip, messages = optimizer_branch(ctx, pull, meta, "nothing to drop from", "revert the proposal's commit")
    # everything is checked before anything is written, and only the pull request's agent's files
    planned = rebuild(ctx, base, remaining, messages, str(meta.get("agent", "")))
    reply = _reply(dropping, remaining, by, reason, ctx.settings.github.rejected_evidence_factor)
    ctx.host.comment(pull.number, reply)  # the rejection is on record from here on
    if not planned:
        ctx.host.close_pull(pull.number)
        return reply
    built = push_rebuilt(ctx, pull, (base, tip), planned, "run `/optimizer drop` again")
    renamed = {messages[e["fingerprint"]][0]: new for e, new in zip(remaining, built.commit_shas, strict=True)}
    body = pull.body
    for n, _entry in dropping:
        body = strike_proposal(body, n, _note(by, reason))
    title = retitle(str(meta.get("agent", "")), [str(e.get("title", "")) for e in remaining])
    ctx.host.update_pull(pull.number, title=title, body=recount(replace_commits(body, renamed), len(remaining)))
    return reply


Entry = dict[str, Any]  # one proposal as the meta block records it


def _select(
    meta: dict[str, Any], numbers: tuple[int, ...], already: dict[str, Any]
) -> tuple[list[tuple[int, Entry]], list[Entry]]:
    """(number, entry) of each proposal to drop now, and the entries that stay."""
    entries = recorded_entries(meta, numbers)
    dropping = [(n, entries[n - 1]) for n in sorted(set(numbers)) if entries[n - 1]["fingerprint"] not in already]
    if not dropping:
        raise DropRefused(f"Proposal {numbers[0]} was dropped already.")
    gone = {e["fingerprint"] for _n, e in dropping} | set(already)
    return dropping, [e for e in entries if e["fingerprint"] not in gone]


def recorded_entries(meta: dict[str, Any], numbers: tuple[int, ...]) -> list[Entry]:
    """The proposals the meta block records, in their numbered order; refused when a number is not one of them."""
    entries = [e for e in meta.get("proposals", []) if isinstance(e, dict) and isinstance(e.get("fingerprint"), str)]
    if not entries:
        raise DropRefused("The description no longer records its proposals; use `/optimizer refresh` to rebuild it.")
    wrong = [n for n in numbers if not 1 <= n <= len(entries)]
    if wrong:
        raise DropRefused(f"This pull request has proposals 1 to {len(entries)}; there is no proposal {wrong[0]}.")
    return entries


def optimizer_branch(
    ctx: DropContext, pull: PullRequest, meta: dict[str, Any], gone: str, by_hand: str
) -> tuple[str, str, Messages]:
    """The base, the branch's tip, and fingerprint -> (sha, message) of its commits, all the optimizer's.
    ``gone`` and ``by_hand`` finish the replies when the branch is missing or a person pushed to it."""
    base = str(meta.get("base_sha") or "")
    tip = ctx.remote.fetch(pull.head)
    if tip is None or not base:
        raise DropRefused(f"Branch {md.code(pull.head)} or its base is gone; {gone}.")
    commits = ctx.repo.commits(base, tip)
    if foreign_commits(commits):
        raise DropRefused(
            f"Branch {md.code(pull.head)} has commits that are not the optimizer's, so I leave it alone: "
            f"please {by_hand} by hand."
        )
    return base, tip, {fingerprint_of(c.message): (c.sha, c.message) for c in commits}


def rebuild(ctx: DropContext, base: str, remaining: list[Entry], messages: Messages, agent: str) -> list[PlannedCommit]:
    """One commit per remaining proposal on ``base``: its recorded edit, through the guardrails again."""
    overlay = OverlayFiles(ctx.repo.files_at(base))
    planned = []
    for entry in remaining:
        proposal = recorded_proposal(entry)
        if entry["fingerprint"] not in messages:
            raise DropRefused(
                f"Proposal {md.text(proposal.title)} has no commit on the branch; try `/optimizer refresh`."
            )
        try:
            new_text = check_and_apply(overlay, proposal, ctx.settings.limits, agent)
        except GuardrailViolation as err:
            raise DropRefused(
                f"Proposal {md.text(proposal.title)} no longer applies ({err}); try `/optimizer refresh`."
            ) from err
        overlay.changed[proposal.edit.path] = new_text
        planned.append(PlannedCommit(messages[entry["fingerprint"]][1], {proposal.edit.path: new_text}))
    return planned


def push_rebuilt(
    ctx: DropContext, pull: PullRequest, base_and_tip: tuple[str, str], planned: list[PlannedCommit], again: str
) -> BuiltBranch:
    """The rebuilt branch, pushed over the tip it was read at; a branch that moved meanwhile is left
    as it is, with a reply saying so (``again``: what the person does next)."""
    base, tip = base_and_tip
    built = ctx.repo.build_branch(base, planned, pull.head, update_ref=False)
    try:
        ctx.remote.push(built.head_sha, pull.head, expect=tip)
    except LeaseRejected as err:
        ctx.host.comment(pull.number, f"The branch changed while I rebuilt it ({err}); {again}.")
        raise
    return built


def recorded_proposal(entry: dict[str, Any]) -> Proposal:
    """The proposal as recorded in the meta block; refused when the record is missing or was edited."""
    raw = entry.get("edit")
    known = {f.name for f in fields(Edit)}
    if not isinstance(raw, dict) or raw.get("op") not in EDIT_OPS or not set(raw) <= known:
        raise DropRefused(
            "The description does not record the edits any more (it was too long, or edited), so I cannot "
            "rebuild the branch; use `/optimizer refresh` instead."
        )
    keys = tuple(str(k) for k in entry.get("finding_keys", []))
    proposal = Proposal(str(entry.get("title", "")), Edit(**raw), keys, "", "", 0.0, float(entry.get("score") or 0))
    if keys and proposal.fingerprint != entry["fingerprint"]:
        raise DropRefused("The description's record of the proposals was edited; use `/optimizer refresh` instead.")
    return proposal


def _note(by: str, reason: str) -> str:
    why = f": {md.text(reason)}" if reason else ""
    return f"_Dropped by @{by}{why}. Its commit was taken off the branch._"


def _reply(
    dropping: list[tuple[int, dict[str, Any]]], remaining: list[dict[str, Any]], by: str, reason: str, factor: float
) -> str:
    at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    lines = [
        f"Dropped proposal {n} ({md.text(str(entry.get('title', '')))}): recorded as rejected, so the optimizer "
        f"will not propose it again unless its evidence grows {md.number(factor)}×."
        for n, entry in dropping
    ]
    rest = (
        f"The branch was rebuilt with the {md.plural(len(remaining), 'remaining proposal')}."
        if remaining
        else "No proposal is left, so I closed this pull request."
    )
    blocks = [
        dropped_block(
            {
                "fingerprint": entry["fingerprint"],
                "title": str(entry.get("title", ""))[:120],
                "score": entry.get("score"),
                "by": by,
                "reason": reason[:500],
                "at": at,
            }
        )
        for _n, entry in dropping
    ]
    return "\n\n".join([*lines, rest, *blocks]) + "\n"
