"""The dashboard issue, read the way a person working through it reads it."""

from __future__ import annotations

import re

from optimizer.history.dashboard import DashboardState, merge
from optimizer.history.markers import parse_ticks
from optimizer.models import ActionItem, Window
from optimizer.propose.dashboard import sightings
from optimizer.render.dashboard import DashboardContext, render_dashboard
from tests.support.pr_context import HOSTILE, TOOL

WINDOW = Window("2024-05-01T00:00:00Z", "2024-05-02T00:00:00Z", 24.0)
RAISE = ActionItem("Raise the lookup_order timeout", "The upstream takes up to 30 s; the tool gives 10 s.", (TOOL.key,))


def body_after(items: tuple[ActionItem, ...], previous: DashboardState, ticked=None, now=WINDOW.end):
    state = merge(previous, ticked or {}, sightings(items, (TOOL,)), now)
    window = Window(WINDOW.start, now, 24.0)
    ctx = DashboardContext("support", state, items, (TOOL,), window, "run-1", 2.0, (3, "https://gh/acme/pull/3"))
    return render_dashboard(ctx), state


def test_an_open_item_is_a_checkbox_with_its_evidence_folded_and_a_link_to_the_pull_request():
    body, state = body_after((RAISE,), DashboardState("support"))

    [line] = [line for line in body.splitlines() if line.startswith("- [ ]")]
    assert "**Raise the lookup\\_order timeout**" in line
    assert "first seen `2024-05-02` · last seen `2024-05-02` · evidence 30 (new)" in line
    assert parse_ticks(body) == {state.items[0].id: False}
    folded = body[body.index("<details><summary>What to do") :]
    assert "The upstream takes up to 30 s" in folded and "`t-201`" in folded and "TimeoutError" in folded
    assert "[#3](https://gh/acme/pull/3)" in body
    assert body.rstrip().splitlines()[-1].startswith("<!-- optimizer:dashboard {")


def test_gone_and_ignored_items_are_listed_apart_and_ticked():
    refunds = ActionItem("Check the refunds", "Read them.", ("escalation:refund",))
    _body, first = body_after((RAISE, refunds), DashboardState("support"))
    refund = next(i for i in first.items if i.title.startswith("Check"))

    body, _state = body_after((RAISE,), first, {refund.id: True}, now="2024-05-03T00:00:00Z")

    done = body[body.index("### Done") :]
    assert re.search(r"^- \[x\] ~~Check the refunds~~ .*finding gone since `2024-05-03`", done, re.M)
    assert "### Ignored" not in body  # ignored, then gone: done wins
    ignoring, _ = body_after((RAISE,), first, {i.id: True for i in first.items}, now="2024-05-03T00:00:00Z")
    ignored = ignoring[ignoring.index("### Ignored") :]
    assert "ignored at evidence 30, now 30 (back at 60)" in ignored
    assert "_Nothing open" in ignoring


def test_text_from_traces_cannot_break_out_of_the_dashboard():
    hostile = ActionItem(HOSTILE, HOSTILE, (TOOL.key,))

    body, _state = body_after((hostile,), DashboardState("support"))

    prose = re.sub(r"<!-- optimizer:(item|dashboard) \{[^>]*\} -->", "", body)
    prose = re.sub(r"(?<![\\`])(`+)(?!`).*?(?<!`)\1(?!`)", "", prose)
    assert "<!--" not in prose and "-->" not in prose and "<img" not in prose and "@everyone" not in prose
    assert prose.count("<details>") == prose.count("</details>")
    assert len(parse_ticks(body)) == 1
