"""The pull request body, read the way a reviewer reads it."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from optimizer.history.markers import parse_meta
from optimizer.models import (
    ActionItem,
    Edit,
    Evidence,
    Refusal,
    SkippedLine,
)
from optimizer.render.pr_body import GITHUB_BODY_LIMIT, PrContext, render_pr
from tests.support.pr_context import (
    ESCALATE,
    ESCALATION,
    GAP,
    HOSTILE,
    PROMPT,
    RETRY,
    SHA_NEW,
    SOUL,
    TOOL,
    assert_safe,
    context,
    outside_code,
    version,
)


def section(body: str, heading_start: str) -> str:
    """The text of the section whose heading starts with ``heading_start``, up to the next ###."""
    match = re.search(rf"^### {re.escape(heading_start)}.*?(?=^### |\Z)", body, re.M | re.S)
    assert match, f"no section {heading_start!r}"
    return match.group(0)


def summary_rows(body: str) -> list[str]:
    table = section(body, "Summary")
    return [line for line in table.splitlines() if re.match(r"\| \d+ \|", line)]


def test_title_names_agent_count_and_top_proposal():
    assert render_pr(context()).title == (
        "optimizer(support): 2 proposals — Let the agent answer refund questions itself"
    )


def test_title_is_truncated_to_100_characters():
    long = replace(ESCALATE, title="Refunds " * 30)
    title = render_pr(context(proposals=(long,))).title

    assert len(title) <= 100
    assert title.startswith("optimizer(support): 1 proposal — Refunds Refunds")
    assert title.endswith("…")


def test_title_for_action_items_only():
    item = ActionItem("Raise the lookup_order timeout", "Timeouts at 30 s.", (TOOL.key,))

    assert render_pr(context(proposals=(), action_items=(item,))).title == "optimizer(support): 1 action item"


def test_lead_says_who_read_what():
    lead = render_pr(context()).body.split("\n\n")[1]

    assert "**heuristic** analyst" in lead
    assert "**2,345 traces**" in lead
    assert "`support`" in lead
    assert "2024-05-01T00:00:00Z" in lead
    assert "24 h" in lead
    assert "2 prompt versions" in lead
    assert f"`{SHA_NEW[:12]}`" in lead
    assert "**2 changes" in lead


def test_summary_table_has_one_row_per_proposal_with_its_key_figure():
    rows = summary_rows(render_pr(context()).body)

    assert len(rows) == 2
    assert "Let the agent answer refund questions itself" in rows[0]
    assert f"`{SOUL}`" in rows[0]
    assert "`topic_escalation:refunds`" in rows[0]
    assert "escalation rate 61.8%" in rows[0]
    assert "80.0%" in rows[0]
    assert "failure rate 23.1%" in rows[1]


def test_each_proposal_section_carries_its_own_evidence():
    body = render_pr(context()).body
    first = section(body, "1. ")
    second = section(body, "2. ")

    for trace_id in ("t-101", "t-102", "t-103", "t-104", "t-105"):
        assert f"`{trace_id}`" in first
    assert "t-106" not in first  # at most 5 trace ids
    assert "(5 of 7)" in first
    assert "> user: can I get a refund for order \\[redacted\\]?" in first
    assert "| 68 | 42 | 61.8% | 50.0% |" in first
    assert "Most refund escalations ask the same question" in first
    assert "Escalation rate on refunds falls below 30%." in first
    assert "t-201" not in first

    assert "`t-201`, `t-202`" in second
    assert "| 130 | 30 | 23.1% | 4,210 ms |" in second
    assert "-Call lookup_order.\n+Call lookup_order; if it times out, retry once." in second
    assert f"commit `{'e' * 12}`" in second
    assert RETRY.fingerprint in second


def test_edit_text_is_fenced_longer_than_any_backtick_run_inside():
    sneaky = replace(RETRY, edit=replace(RETRY.edit, new="Use ```json blocks``` and ````` fences.\n## Heading"))
    body = render_pr(context(proposals=(sneaky,), commit_shas=())).body
    change = section(body, "1. ")

    assert "``````diff\n-Call lookup_order.\n+Use ```json blocks``` and ````` fences.\n+## Heading\n``````" in change


@pytest.mark.parametrize("where", ["excerpt", "title", "rationale", "trace_id", "skipped", "agent_version"])
def test_hostile_text_cannot_inject_markup(where):
    evidence = Evidence(trace_ids=(HOSTILE,), excerpts=(HOSTILE,))
    finding = replace(ESCALATION, title=HOSTILE, evidence=evidence) if where in ("excerpt", "trace_id") else ESCALATION
    proposal = replace(ESCALATE, title=HOSTILE) if where == "title" else ESCALATE
    proposal = replace(proposal, rationale=f"{HOSTILE}\n{HOSTILE}") if where == "rationale" else proposal
    ctx = context(proposals=(proposal,), commit_shas=())
    ctx = replace(ctx, analysis=replace(ctx.analysis, findings=(finding, TOOL)))
    if where == "skipped":
        ctx = replace(ctx, source=replace(ctx.source, skipped_examples=(SkippedLine(HOSTILE, 1, HOSTILE),)))
    if where == "agent_version":
        ctx = replace(ctx, analysis=replace(ctx.analysis, versions=(version(HOSTILE, 10),)))

    body = render_pr(ctx).body

    assert_safe(body)


def test_hostile_excerpt_renders_as_quoted_escaped_text():
    finding = replace(ESCALATION, evidence=Evidence(trace_ids=("t-1",), excerpts=(HOSTILE,)))
    ctx = context(proposals=(ESCALATE,), commit_shas=())
    ctx = replace(ctx, analysis=replace(ctx.analysis, findings=(finding,)))

    quoted = next(
        line for line in render_pr(ctx).body.splitlines() if line.startswith("> ") and "&lt;/details&gt;" in line
    )

    assert "--&gt; &lt;/details&gt; @\u200beveryone \\[x\\](http:\u200b//evil)" in quoted
    assert "&lt;img src=x onerror=alert(1)&gt;" in quoted


def test_hostile_text_in_the_meta_cannot_end_the_comment():
    ctx = context(agent="x --> <b>", run_id="-->", proposals=(replace(ESCALATE, title=HOSTILE),))
    body = render_pr(ctx).body

    assert "-->" not in outside_code(body)
    assert ">" not in body.rstrip().splitlines()[-1].removesuffix(" -->")
    meta = parse_meta(body)
    assert meta is not None
    assert meta["agent"] == "x --> <b>"
    assert meta["proposals"][0]["title"].startswith(HOSTILE[:100])


def test_meta_round_trips_fingerprints_in_order():
    ctx = context()
    meta = parse_meta(render_pr(ctx).body)

    assert meta is not None
    assert meta["run_id"] == "run-2024-05-02"
    assert meta["agent"] == "support"
    assert meta["base_sha"] == "c" * 40
    assert meta["analyst"] == "heuristic"
    assert [(p["fingerprint"], p["title"]) for p in meta["proposals"]] == [
        (ESCALATE.fingerprint, ESCALATE.title),
        (RETRY.fingerprint, RETRY.title),
    ]
    assert meta["proposals"][0]["finding_keys"] == [ESCALATION.key]
    assert meta["finding_keys"] == [ESCALATION.key, TOOL.key, GAP.key]


def test_parse_meta_without_a_block():
    assert parse_meta("A PR a human wrote.") is None
    assert parse_meta("<!-- optimizer:meta {not json} -->") is None
    assert parse_meta("<!-- optimizer:meta [1] -->") is None


def test_action_items_are_not_repeated_but_linked_to_the_dashboard_issue():
    item = ActionItem(
        "Raise the lookup_order timeout", "The upstream takes up to 30 s; the tool gives up at 10 s.", (TOOL.key,)
    )
    link = (7, "https://github.com/acme/support/issues/7")
    body = render_pr(context(proposals=(ESCALATE,), action_items=(item,), commit_shas=(), dashboard=link)).body

    assert "**1 action item for a human**" in body and "[#7](https://github.com/acme/support/issues/7)" in body
    assert "Raise the lookup" not in body and "The upstream takes up to 30 s" not in body  # the dashboard has them
    assert "### Action items" not in body
    unlinked = render_pr(context(proposals=(ESCALATE,), action_items=(item,), commit_shas=())).body
    assert "on the agent's dashboard issue" in unlinked  # before the run that opens it


def test_findings_not_acted_on_and_refusals_are_listed():
    refused = Refusal(replace(RETRY, title="Delete the whole prompt"), "the prompt would shrink below 200 characters")
    body = render_pr(context(proposals=(ESCALATE,), commit_shas=(), refusals=(refused,))).body

    others = section(body, "Other findings")
    assert "`tool_failure:lookup_order` — Tool lookup\\_order fails 23.1% of calls · failure rate 23.1%" in others
    assert "`knowledge_gap:shipping abroad`" in others
    assert "topic_escalation" not in others
    refusals = section(body, "Refused")
    assert f"**Delete the whole prompt** (`replace_text` in `{PROMPT}`): the prompt would shrink below 200" in refusals


def test_metrics_table_by_version_with_human_numbers():
    metrics = section(render_pr(context()).body, "Metrics")

    assert f"| `{SHA_NEW[:12]}` | 1,345 | 448 | $0.0123 | 1,234 ms | 5,678 ms | 15.4% | 7.1% | 7 |" in metrics
    assert "<details><summary>Tool failure rates by version</summary>" in metrics
    assert f"| `{SHA_NEW[:12]}` | `lookup_order` | 130 | 30 | 23.1% | 4,210 ms |" in metrics


def test_window_and_source_counts_with_skipped_examples():
    source = section(render_pr(context()).body, "Window and source")

    assert "`2024-05-01T00:00:00Z` → `2024-05-02T00:00:00Z` (24 h)" in source
    assert "2 files, 2,400 lines, 2,345 traces in the window (all agents), 3 lines skipped" in source
    assert "`traces/a.jsonl:17`: not JSON: Expecting value" in source
    assert "Run `run-2024-05-02`" in source


def huge_context() -> PrContext:
    big = "x" * 5_000
    evidence = Evidence(trace_ids=tuple(f"t-{i}" for i in range(2_000)), excerpts=(big,) * 200)
    findings = tuple(
        replace(ESCALATION, subject=f"topic {i}", figures={f"f{j}": j for j in range(30)}, evidence=evidence)
        for i in range(60)
    )
    proposals = tuple(
        replace(
            ESCALATE,
            title=f"Proposal {i}",
            edit=Edit(op="replace_text", path=f"prompts/support/part{i}.md", old=big * 4, new=big * 4),
            rationale=big,
            finding_keys=tuple(f.key for f in findings),
        )
        for i in range(60)
    )
    ctx = context(proposals=proposals, commit_shas=())
    return replace(ctx, analysis=replace(ctx.analysis, findings=findings))


def test_huge_evidence_is_shortened_to_fit_github_and_says_so():
    ctx = huge_context()
    body = render_pr(ctx).body

    assert len(body) < GITHUB_BODY_LIMIT
    assert "Evidence is shortened to fit GitHub's 65,536-character limit" in body
    assert "left out to fit GitHub's 65,536-character limit" in body
    assert "### Metrics by prompt version" in body
    assert "### Window and source" in body
    assert body.count("<details>") == body.count("</details>")
    assert len(re.findall(r"^`{3,}", body, re.M)) % 2 == 0, "a fence was left open"
    assert len(summary_rows(body)) == 60
    meta = parse_meta(body)
    assert meta is not None
    assert [p["fingerprint"] for p in meta["proposals"]] == [p.fingerprint for p in ctx.proposals]
    assert len({p.fingerprint for p in ctx.proposals}) == 60


def test_long_edit_is_clipped_with_a_note():
    long = replace(RETRY, edit=replace(RETRY.edit, new="y" * 10_000))
    body = render_pr(context(proposals=(long,), commit_shas=())).body

    assert "_4,000 more characters of the added text are in the commit._" in body
    assert "Evidence is shortened" not in body


def test_no_proposals_and_no_items_still_reports():
    rendered = render_pr(context(proposals=(), commit_shas=()))

    assert rendered.title == "optimizer(support): no proposals"
    assert "### Summary" not in rendered.body
    assert "### Metrics by prompt version" in rendered.body
