"""`/optimizer drop N | answer N <text> | refresh | help` in a pull request comment: read the event, obey.

The comments workflow calls ``optimizer command`` for each new comment. The event (the comment,
its author, the pull request) comes from the file ``$GITHUB_EVENT_PATH`` names, never from text
pasted into a script. Only people with write access are obeyed; anyone else gets a polite reply.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from optimizer.approve.answer import answer
from optimizer.approve.drop import CommandRefused, DropContext, drop
from optimizer.config import Settings
from optimizer.errors import OptimizerError
from optimizer.gitops.branches import branch_name
from optimizer.gitops.connection import publish_target
from optimizer.gitops.hosts.base import WRITE_PERMISSIONS, CodeHost, PullRequest
from optimizer.gitops.hosts.github import connect
from optimizer.gitops.hosts.target import GitHubTarget
from optimizer.gitops.push import Remote, RemoteBranches
from optimizer.gitops.repo import AgentRepo
from optimizer.history.markers import parse_meta
from optimizer.propose.publish import Published
from optimizer.render import markdown as md

PREFIX = "/optimizer"
Verb = Literal["drop", "answer", "refresh", "help", "unknown"]
HELP = (
    "**optimizer commands** (for people with write access), one per comment:\n\n"
    "- `/optimizer drop N` — take proposal N out of this pull request (its commit leaves the branch) and record it "
    "as rejected; add why after the number: `/optimizer drop 2 the answer needs the owner`. `drop 2 3` drops both.\n"
    "- `/optimizer answer N <text>` — write the answer of FAQ proposal N (one line, on the same line as the "
    "command): `/optimizer answer 2 Dogs stay free.` The bot commits it onto the branch; later runs keep it.\n"
    "- `/optimizer refresh` — analyze the latest traces again and rebuild this pull request.\n"
    "- `/optimizer help` — this list.\n\n"
    "Merging the pull request approves what is in it; closing it rejects it (say why in a comment: later runs "
    "read it)."
)
_NUMBER = re.compile(r"^#?(\d+)$")
_ANSWER = re.compile(r"^\S+\s+answer(?:\s+#?(\d+)(?=\s|$))?\s*(.*)$", re.IGNORECASE)


@dataclass(frozen=True)
class Command:
    verb: Verb
    numbers: tuple[int, ...] = ()
    reason: str = ""
    text: str = ""  # the command line as written


def parse_command(body: str) -> Command | None:
    """The first line that starts with ``/optimizer``; None when no line does. Pure."""
    for line in (body or "").splitlines():
        text = line.strip()
        rest = text[len(PREFIX) :]
        if not text.lower().startswith(PREFIX) or (rest and not rest[0].isspace()):
            continue
        words = rest.split()
        verb = words[0].lower() if words else "help"
        if verb == "refresh":
            return Command("refresh", text=text)
        if verb == "help":
            return Command("help", text=text)
        if verb == "drop":
            return _drop(words[1:], text)
        if verb == "answer":
            return _answer(text)
        return Command("unknown", text=text)
    return None


def _drop(words: list[str], text: str) -> Command:
    numbers: list[int] = []
    for index, word in enumerate(words):
        parts = [p for p in word.split(",") if p]
        found = [_NUMBER.match(p) for p in parts]
        if not parts or not all(found):
            return (
                Command("drop", tuple(numbers), " ".join(words[index:]), text)
                if numbers
                else Command("unknown", text=text)
            )
        numbers.extend(int(m.group(1)) for m in found if m)
    return Command("drop", tuple(numbers), "", text) if numbers else Command("unknown", text=text)


def _answer(text: str) -> Command:
    """``answer N <text>``: the number (none when missing) and the rest of the line, as written."""
    found = _ANSWER.match(text)
    number, written = (found.group(1), found.group(2)) if found else (None, "")
    return Command("answer", (int(number),) if number else (), written.strip(), text)


@dataclass(frozen=True)
class CommentEvent:
    action: str
    number: int
    is_pull: bool
    body: str
    author: str
    author_is_bot: bool
    repository: str | None


def read_event(path: Path) -> CommentEvent:
    """The issue_comment event GitHub Actions wrote to ``path``."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        comment, issue = data["comment"], data["issue"]
        return CommentEvent(
            action=str(data.get("action", "")),
            number=int(issue["number"]),
            is_pull=bool(issue.get("pull_request")),
            body=str(comment.get("body") or ""),
            author=str(comment["user"]["login"]),
            author_is_bot=comment["user"].get("type") == "Bot",
            repository=(data.get("repository") or {}).get("full_name"),
        )
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise OptimizerError(f"{path}: cannot read the event: {err}") from err
    except (KeyError, TypeError, ValueError) as err:
        raise OptimizerError(f"{path}: not an issue_comment event (missing {err})") from err


Refresh = Callable[[str, GitHubTarget], list[Published]]  # agent, where -> what the refreshed run published


def not_a_command(event: CommentEvent) -> str | None:
    """Why this comment is nothing for the optimizer (one line for the log), or None for a command. Pure."""
    if event.action != "created" or not event.is_pull or event.author_is_bot or parse_command(event.body) is None:
        return f"#{event.number}: no /optimizer command for me in this comment; nothing to do"
    return None


def obey(event: CommentEvent, settings: Settings, env: Mapping[str, str], refresh: Refresh) -> str:
    """Do what the comment asks, if its author may; returns one line for the log."""
    command = parse_command(event.body)
    reason = not_a_command(event)
    if reason is not None or command is None:
        return reason or ""
    target = publish_target(settings, env, event.repository)
    if target is None:
        raise OptimizerError("no GitHub repository: set github.repository in optimizer.yaml or GITHUB_REPOSITORY")
    with ExitStack() as stack:
        host = connect(target, throttle=settings.github.throttle)
        stack.callback(host.close)
        pull = host.get_pull(event.number)
        agent = pull.head.removeprefix(branch_name(""))
        if agent == pull.head or not agent:
            return f"#{event.number}: not an optimizer pull request (branch {pull.head}); nothing to do"
        if host.permission(event.author) not in WRITE_PERMISSIONS:
            host.comment(event.number, _not_allowed(event.author))
            return f"#{event.number}: @{event.author} has no write access; replied politely, did nothing"
        if pull.state != "open":
            host.comment(event.number, "This pull request is closed; `/optimizer` commands work on open ones only.")
            return f"#{event.number}: closed; replied"
        remote = RemoteBranches(settings.repo, Remote(host.push_url(), target.token))
        stack.callback(remote.close)
        repo = stack.enter_context(AgentRepo(settings.repo))
        ctx = DropContext(host, remote, repo, settings)
        meta = parse_meta(pull.body) or {}
        return _dispatch(command, event, pull, {**meta, "agent": agent}, ctx, lambda name: refresh(name, target))


def _dispatch(
    command: Command,
    event: CommentEvent,
    pull: PullRequest,
    meta: dict[str, Any],
    ctx: DropContext,
    refresh: Callable[[str], list[Published]],
) -> str:
    host, number = ctx.host, event.number
    if command.verb == "help":
        host.comment(number, HELP)
        return f"#{number}: help posted"
    if command.verb == "unknown":
        host.comment(number, f"I do not know {md.code(command.text)}.\n\n{HELP}")
        return f"#{number}: unknown command; help posted"
    if command.verb == "refresh":
        return _refresh(host, number, str(meta["agent"]), refresh)
    if command.verb == "answer":
        try:
            answer(ctx, pull, meta, command.numbers[0] if command.numbers else None, event.author, command.reason)
        except CommandRefused as err:
            host.comment(number, str(err))
            return f"#{number}: answer refused: {err}"
        return f"#{number}: wrote @{event.author}'s answer to proposal {command.numbers[0]}"
    try:
        drop(ctx, pull, meta, command.numbers, event.author, command.reason)
    except CommandRefused as err:
        host.comment(number, str(err))
        return f"#{number}: drop refused: {err}"
    return f"#{number}: dropped proposal(s) {', '.join(map(str, command.numbers))} for @{event.author}"


def _refresh(host: CodeHost, number: int, agent: str, refresh: Callable[[str], list[Published]]) -> str:
    try:
        published = refresh(agent)
    except OptimizerError as err:
        host.comment(number, f"The refresh failed: {md.text(str(err))}")
        raise
    host.comment(number, refresh_reply(published))
    return f"#{number}: refresh: " + ("; ".join(p.line() for p in published) or f"{agent}: nothing to publish")


def refresh_reply(published: list[Published]) -> str:
    """What the refresh did to the pull request, and where the action items for people now are."""
    pulls = [p for p in published if p.issue is None]
    boards = [f"[#{p.issue.number}]({p.issue.url})" for p in published if p.issue is not None]
    where = f"\n\nAction items for people (code, config, tooling): the dashboard {', '.join(boards)}." if boards else ""
    return _pull_reply(pulls) + where


def _pull_reply(published: list[Published]) -> str:
    if any(p.action in ("opened", "updated") for p in published):
        return "Refreshed from the latest traces: the branch and this description are up to date."
    notes = [note for p in published for note in p.notes]
    if any(p.action in ("commented", "left alone") for p in published):
        return "I did not rewrite the branch: " + md.text("; ".join(notes)) + "."
    return "Nothing worth changing in the latest traces; this pull request is left as it is."


def _not_allowed(login: str) -> str:
    return (
        f"Thanks, @{login}! Only people with write access to this repository can give the optimizer commands, "
        "so I did nothing. A maintainer can run `/optimizer help` to see what is possible."
    )
