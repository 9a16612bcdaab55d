"""The dashboard issue of one agent: the work for humans (code, config, tooling) a run found, tracked
across runs. Pure: the merged state and this run's action items in, a title and a body out.

Each item is a task line carrying its hidden id (``history.markers.item_marker``), so a writer's
tick is read back by the next run; the state itself ends the body in a hidden ``dashboard`` block.
Everything from traces or the analyst is escaped by ``markdown``.
"""

from __future__ import annotations

from dataclasses import dataclass

from optimizer.history.dashboard import TITLE_CHARS, DashboardState, TrackedItem, trend
from optimizer.history.markers import dashboard_block, item_marker
from optimizer.models import ActionItem, Finding, Window
from optimizer.render import markdown as md
from optimizer.render.pr_body import BODY_BUDGET, EVIDENCE_LEVELS, finding_evidence, prose

_TREND = {"new": "new", "rising": "↑ rising", "falling": "↓ falling", "steady": "→ steady"}


@dataclass(frozen=True)
class DashboardContext:
    agent: str
    state: DashboardState  # after this run (history.dashboard.merge)
    action_items: tuple[ActionItem, ...]  # this run's, for their detail and evidence
    findings: tuple[Finding, ...]
    window: Window
    run_id: str
    factor: float  # an ignored item comes back when its evidence grows this much
    pull: tuple[int, str] | None = None  # this run's pull request (number, URL), when there is one


def dashboard_title(agent: str) -> str:
    return f"optimizer({md.clean(agent)}): action items dashboard"


def render_dashboard(ctx: DashboardContext) -> str:
    """The body, with evidence shortened step by step (then left out) until it fits GitHub's limit."""
    body = ""
    for level in range(EVIDENCE_LEVELS + 1):
        body = _body(ctx, level)
        if len(body) <= BODY_BUDGET:
            break
    return body


def _body(ctx: DashboardContext, level: int) -> str:
    state = ctx.state
    sections = [
        _lead(ctx),
        _open(ctx, state.with_status("open"), level),
        _ignored(state.with_status("ignored"), ctx.factor),
        _done(state.with_status("done")),
        _footer(ctx),
        dashboard_block(state.to_dict()),
    ]
    return "\n\n".join(s for s in sections if s) + "\n"


def _lead(ctx: DashboardContext) -> str:
    pull = f" (this run's: [#{ctx.pull[0]}]({ctx.pull[1]}))" if ctx.pull else ""
    factor = md.number(ctx.factor)
    return (
        f"## optimizer: work for humans on {md.code(ctx.agent)}\n\n"
        f"What the daily run found for agent {md.code(ctx.agent)} that needs code, config or tooling rather "
        f"than a prompt edit; edits of prompts and soul go to a pull request{pull}. Every run updates this "
        "issue in place: a new item is added, and an item whose finding is gone is ticked off.\n\n"
        f"**To ignore an item, tick its box.** It moves to _Ignored_ and stays quiet until its evidence has "
        f"grown {factor}×; untick it there to bring it back sooner. Ticking a done item changes nothing."
    )


def _open(ctx: DashboardContext, items: list[TrackedItem], level: int) -> str:
    if not items:
        return "### Open\n\n_Nothing open: every item's finding is gone or ignored._"
    current = {(a.title[:TITLE_CHARS], a.finding_keys): a for a in ctx.action_items}
    findings = {f.key: f for f in ctx.findings}
    parts = [f"### Open ({len(items)})"]
    for item in sorted(items, key=lambda i: -i.score):
        parts.append(_open_line(item, ctx.factor))
        action = current.get((item.title, item.finding_keys))
        if action is not None and level < EVIDENCE_LEVELS:
            parts.append(_folded(action, findings, level))
    return "\n\n".join(parts)


def _open_line(item: TrackedItem, factor: float) -> str:
    shape = _TREND[trend(item)]
    was = f", was {md.number(item.previous_score)}" if item.previous_score is not None else ""
    back = {"done": " · **back**: its finding returned", "ignored": f" · **back**: evidence grew {md.number(factor)}×"}
    return (
        f"- [ ] **{md.text(item.title)}** {item_marker(item.id)} — first seen {_day(item.first_seen)} · "
        f"last seen {_day(item.last_seen)} · evidence {md.number(item.score)} ({shape}{was})"
        f"{back.get(item.back_from or '', '')}"
    )


def _folded(action: ActionItem, findings: dict[str, Finding], level: int) -> str:
    evidence = finding_evidence(action.finding_keys, findings, level)
    content = "\n\n".join(p for p in (prose(action.detail, level), evidence) if p)
    return md.details(f"What to do, and the evidence ({md.plural(len(action.finding_keys), 'finding')})", content)


def _ignored(items: list[TrackedItem], factor: float) -> str:
    if not items:
        return ""
    lines = [
        f"- [x] **{md.text(item.title)}** {item_marker(item.id)} — ignored at evidence "
        f"{md.number(item.ignored_score or 0)}, now {md.number(item.score)} (back at "
        f"{md.number(factor * (item.ignored_score or 0))}) · last seen {_day(item.last_seen)}"
        for item in items
    ]
    return f"### Ignored ({len(items)})\n\n" + "\n".join(lines)


def _done(items: list[TrackedItem]) -> str:
    if not items:
        return ""
    lines = [
        f"- [x] ~~{md.text(item.title)}~~ {item_marker(item.id)} — first seen {_day(item.first_seen)} · "
        f"finding gone since {_day(item.done_at or item.last_seen)}"
        for item in sorted(items, key=lambda i: i.done_at or "", reverse=True)
    ]
    return f"### Done: finding gone ({len(items)})\n\n" + "\n".join(lines)


def _footer(ctx: DashboardContext) -> str:
    window = ctx.window
    return (
        f"Last run {md.code(ctx.run_id)} · window {md.code(window.start)} → {md.code(window.end)} "
        f"({md.number(window.hours)} h)"
    )


def _day(moment: str) -> str:
    return md.code(moment[:10])
