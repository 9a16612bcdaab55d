"""What the last change did, as a reviewer reads it in the next pull request and in a revert's."""

from __future__ import annotations

from dataclasses import replace

from markdown_it import MarkdownIt

from optimizer.history.markers import parse_revert, revert_marker
from optimizer.history.model import History, PastProposal
from optimizer.measure.effects import measure_agent
from optimizer.render.measurement import last_change_section
from optimizer.render.pr_body import render_pr
from optimizer.render.revert_body import revert_body, revert_title
from tests.support.known_effects import Batch
from tests.support.metrics import versions
from tests.support.pr_context import HOSTILE, assert_safe, context

OLD, NEW = "3f9c2e1aa0d5b7c9e1f3a5b7c9d1e3f5a7b9c1d3", "8a41d07bb1e6c8d0f2a4b6c8d0e2f4a6b8c0d2e4"
WINDOW = ("2026-11-13T00:00:00Z", "2026-11-20T00:00:00Z")
MD = MarkdownIt("commonmark").enable("table")


def measured(cost_after: float = 0.026, title: str = "Retry check_availability once", merged: str = NEW):
    old, new = versions(
        Batch(OLD, 1100, 1, 4, failure_rate=0.33, seed=1).traces(),
        Batch(NEW, 420, 5, 2, failure_rate=0.04, cost=cost_after, seed=2).traces(),
    )
    approved = PastProposal(
        "fp1", title, ("tool_failure:check_availability",), "approved", 12, decided_at=WINDOW[0], merge_sha=merged
    )
    return measure_agent("frontdesk", [old, new], History((approved,)), WINDOW, min_samples=100)


def test_the_section_shows_each_guarded_metric_and_the_merged_proposal_on_its_own_metric():
    section = last_change_section(measured(cost_after=0.02))
    html = MD.render(section)

    assert html.count("<table>") == 1 and html.count("<tr>") == 5  # header, cost and two rates, the tool
    assert "<td>tool check_availability failure rate</td>" in html
    assert "<td>33.0% → 4.0%</td>" in html and "<strong>better</strong>" in html
    assert "Retry check_availability once (#12): tool check_availability failure rate 33.0% → 4.0%" in html
    assert "(n = 1,100 → 420): better" in html
    assert "<code>8a41d07bb1e6</code>" in html and "WARNING" not in section


def test_a_regression_warns_and_names_the_revert_branch():
    section = last_change_section(measured(), "optimizer/rollback-frontdesk")

    assert "> [!WARNING]" in section and "(cost per trace)" in section
    assert "proposes its revert on branch `optimizer/rollback-frontdesk`" in section
    assert "could not build its revert" in last_change_section(measured())


def test_the_pull_request_body_carries_the_section_before_the_metrics_and_stays_safe():
    body = render_pr(replace(context(), measurement=measured(title=HOSTILE))).body
    assert body.index("### What the last change did") < body.index("### Metrics by prompt version")
    assert_safe(body)


def test_the_revert_body_carries_the_evidence_and_a_marker_later_runs_read():
    m = measured()
    body = revert_body("frontdesk", NEW, "Merge pull request #12 from acme/optimizer/frontdesk", m, False)
    html = MD.render(body)

    assert "<strong>cost per trace</strong>" in html and "(guard: +10%)" in html
    assert "Nobody merges it but you" in html and "git revert -m 1 8a41d07bb1e6" in html
    assert parse_revert(body) == {"agent": "frontdesk", "version": NEW}
    assert revert_title("frontdesk", NEW, m).startswith("optimizer(frontdesk): roll back 8a41d07bb1e6 — cost per trace")
    assert len(revert_title("frontdesk" * 20, NEW, m)) == 100


def test_the_marker_cannot_end_the_html_comment():
    marker = revert_marker("a-->b<!--", NEW)
    assert marker.count("-->") == 1 and parse_revert(marker) == {"agent": "a-->b<!--", "version": NEW}
    assert parse_revert("no marker here") is None
    assert parse_revert("<!-- optimizer:revert {broken -->") is None
