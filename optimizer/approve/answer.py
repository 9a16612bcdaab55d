"""`/optimizer answer N <text>`: a writer's answer to FAQ proposal N, committed onto the bot's branch.

The branch is rebuilt from the base like a drop does (each proposal re-applied from the edit the
meta block records, through the guardrails again), with the answer in place of proposal N's
``TODO(owner)`` or drafted one; its commit keeps its message and gains an ``Optimizer-Answered-By``
trailer, so every commit stays the optimizer's and later runs still update the branch. The bot's
reply records the answer in a hidden ``optimizer:answered`` block: the next daily run reads it
back and writes the same answer again, whatever the analyst drafts.
"""

from __future__ import annotations

import unicodedata
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from optimizer.approve.drop import (
    CommandRefused,
    DropContext,
    Entry,
    optimizer_branch,
    push_rebuilt,
    rebuild,
    recorded_entries,
    recorded_proposal,
)
from optimizer.artifacts.validate import unwritten
from optimizer.gitops.branches import ANSWERED_TRAILER, with_trailer
from optimizer.gitops.hosts.base import PullRequest
from optimizer.history.from_host import dropped_in
from optimizer.history.markers import answered_block, replace_meta
from optimizer.history.model import WrittenAnswer
from optimizer.render import markdown as md
from optimizer.render.pr_body import edit_block
from optimizer.render.pr_rewrite import mark_answered, replace_commits
from optimizer.text.redact import redact

ANSWER_CHARS = 1000  # an FAQ answer the agent reads on every turn: a few sentences, not a page
_JOINER = "\u200d"
USAGE = "`/optimizer answer N <the answer, on the same line>`, e.g. `/optimizer answer 2 Dogs stay free.`"


def answer(ctx: DropContext, pull: PullRequest, meta: dict[str, Any], n: int | None, by: str, text: str) -> str:
    """Write ``text`` as the answer of FAQ proposal ``n``; returns the reply it posted (raises
    CommandRefused with the reply to post)."""
    written = checked_answer(text)
    if n is None:
        raise CommandRefused(f"Say which proposal the answer is for: {USAGE}")
    entries = recorded_entries(meta, (n,))
    dropped = dropped_in(pull, ctx.host.remarks(pull.number, reviews=False))
    entry = entries[n - 1]
    if entry["fingerprint"] in dropped:
        raise CommandRefused(f"Proposal {n} was dropped, so there is nothing to answer.")
    proposal = recorded_proposal(entry)
    if proposal.edit.op != "add_faq":
        raise CommandRefused(_not_an_faq(n, proposal.title, entries, dropped))
    agent = str(meta.get("agent", ""))
    base, tip, messages = optimizer_branch(
        ctx, pull, meta, "nothing to write the answer to", f"write the answer in `souls/{agent}.yaml`"
    )
    at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    record = WrittenAnswer(entry["fingerprint"], proposal.edit.question or "", written, by, pull.number, at)
    answered = {**entry, "edit": record.applied_to(proposal).edit.to_dict()}
    updated = [answered if e is entry else e for e in entries]
    remaining = [e for e in updated if e["fingerprint"] not in dropped]
    if entry["fingerprint"] in messages:
        sha, message = messages[entry["fingerprint"]]
        messages = {**messages, entry["fingerprint"]: (sha, with_trailer(message, ANSWERED_TRAILER, by))}
    planned = rebuild(ctx, base, remaining, messages, agent)  # every edit through the guardrails again
    built = push_rebuilt(ctx, pull, (base, tip), planned, f"send `/optimizer answer {n}` again")
    reply = _reply(n, proposal.title, record, _unanswered(updated, dropped), built.commit_shas, remaining)
    ctx.host.comment(pull.number, reply)  # the answer is on record for the next runs from here on
    renamed = {messages[e["fingerprint"]][0]: new for e, new in zip(remaining, built.commit_shas, strict=True)}
    body = mark_answered(replace_commits(pull.body, renamed), n, by, edit_block(record.applied_to(proposal).edit))
    ctx.host.update_pull(pull.number, body=replace_meta(body, {**meta, "proposals": updated}))
    return reply


def checked_answer(text: str) -> str:
    """The answer as it will be written: one line of plain text, capped, with nothing to redact."""
    # invisible format characters (zero-width spaces, bidi marks) go; a joiner keeps emoji whole
    written = md.clean("".join(c for c in text if c == _JOINER or unicodedata.category(c) != "Cf"))
    if not written:
        raise CommandRefused(f"Write the answer after the number: {USAGE}")
    if len(written) > ANSWER_CHARS:
        raise CommandRefused(
            f"The answer has {md.count(len(written))} characters; an FAQ answer may have {md.count(ANSWER_CHARS)} "
            "at most (the agent reads it on every turn). Shorten it and send the command again."
        )
    if unwritten(written):
        raise CommandRefused("That is still the placeholder, not an answer; write what the agent should say.")
    masked = redact(written)
    if masked != written:
        raise CommandRefused(
            "The answer looks like it holds a secret or someone's personal data (redacted, it reads "
            f"“{md.text(md.clip(masked, 200)[0])}”), so I did not write it: the soul is what the agent "
            "reads and repeats. Send it without, or write it in the file yourself."
        )
    return written


def _not_an_faq(n: int, title: str, entries: list[Entry], dropped: dict[str, Any]) -> str:
    faqs = [str(i) for i, e in _faq_entries(entries, dropped)]
    which = f"here: proposal {', '.join(faqs)}" if faqs else "this pull request has none"
    return (
        f"Proposal {n} ({md.text(title)}) is not an FAQ entry, so it has no answer to write; "
        f"`/optimizer answer` writes the answer of an FAQ entry ({which})."
    )


def _faq_entries(entries: list[Entry], dropped: dict[str, Any]) -> list[tuple[int, Entry]]:
    return [
        (i, e)
        for i, e in enumerate(entries, start=1)
        if e["fingerprint"] not in dropped and isinstance(e.get("edit"), dict) and e["edit"].get("op") == "add_faq"
    ]


def _unanswered(entries: list[Entry], dropped: dict[str, Any]) -> list[int]:
    """The numbers of the FAQ proposals whose answer is still not written."""
    return [i for i, e in _faq_entries(entries, dropped) if unwritten(str(e["edit"].get("answer") or ""))]


def _reply(
    n: int, title: str, record: WrittenAnswer, unanswered: list[int], shas: tuple[str, ...], remaining: list[Entry]
) -> str:
    sha = next((s for e, s in zip(remaining, shas, strict=True) if e["fingerprint"] == record.fingerprint), "")
    lines = [
        f"Wrote @{record.by}'s answer to proposal {n} ({md.text(title)}) onto the branch"
        + (f" in commit {md.code(sha[:12])}" if sha else "")
        + f", and later runs keep it: “{md.text(record.answer)}”",
        (
            f"Still without an answer: proposal {', '.join(map(str, unanswered))}; the validate check fails until "
            "every answer is written (`/optimizer answer N …`, or drop it with `/optimizer drop N`)."
            if unanswered
            else "Every FAQ answer on this branch is written now, so the validate check can pass."
        ),
        answered_block(asdict(record)),
    ]
    return "\n\n".join(lines) + "\n"
