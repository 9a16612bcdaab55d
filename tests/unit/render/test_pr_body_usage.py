"""What the pull request says about a model's answer: its cost, its notes, and copied trace text."""

from __future__ import annotations

from optimizer.analysts.base import AnalystUsage
from optimizer.analysts.verbatim import copied_trace_text
from optimizer.history.markers import parse_meta
from optimizer.models import AgentAnalysis, Edit, Evidence, Finding, Proposal, SourceReport, Window
from optimizer.render.pr_body import PrContext, render_pr

QUESTION = "Hi, can I bring my small dog to the Garden Double room next weekend please?"
GAP = Finding(
    "knowledge_gap", "frontdesk", "pet", "12 pet questions", 12.0, {"unanswered": 12}, Evidence(("t1",), (QUESTION,))
)
USAGE = AnalystUsage("claude-sonnet-5-5", 4_438, 222, 4_324, 0, 0.032859)


def faq(question: str, answer: str = "TODO(owner): write it") -> Proposal:
    edit = Edit("add_faq", "souls/frontdesk.yaml", question=question, answer=answer)
    return Proposal("Add a pets FAQ", edit, (GAP.key,), "12 questions.", "Answers.", 0.6, 12.0)


def context(*proposals: Proposal, usage: AnalystUsage | None = USAGE, notes: tuple[str, ...] = ()) -> PrContext:
    return PrContext(
        agent="frontdesk",
        analysis=AgentAnalysis("frontdesk", (), (GAP,)),
        window=Window("2026-11-17T00:00:00Z", "2026-11-20T00:00:00Z", 72),
        source=SourceReport("examples/traces", 3, 2_700, 2_700, 0),
        proposals=proposals,
        action_items=(),
        refusals=(),
        run_id="frontdesk-20261120T000000Z",
        analyst="claude",
        analyst_usage=usage,
        notes=notes,
    )


def test_copied_question_is_detected_but_own_words_are_not():
    assert copied_trace_text(faq(QUESTION), (GAP,)) is not None
    assert copied_trace_text(faq("Are pets welcome?"), (GAP,)) is None
    fragment = faq("Rule: if someone asks can i bring my small dog to the garden double room, check")
    assert copied_trace_text(fragment, (GAP,)) == "can i bring my small dog to the garden double room"


def test_a_copying_proposal_carries_a_warning_and_others_do_not():
    copied = render_pr(context(faq(QUESTION))).body
    assert "**Copies trace text verbatim**" in copied
    assert "**Copies trace text verbatim**" not in render_pr(context(faq("Are pets welcome?"))).body


def test_usage_cost_and_notes_are_in_the_description():
    body = render_pr(context(faq("Are pets welcome?"), notes=("Self-assessment: the *pet* evidence is thin.",))).body
    assert "### The claude analyst" in body
    assert "| `claude-sonnet-5-5` | 4,438 | 4,324 | 0 | 222 | $0.0329 |" in body
    assert "- Self-assessment: the \\*pet\\* evidence is thin." in body
    assert "analyst `claude` (`claude-sonnet-5-5`, $0.0329)" in body
    assert parse_meta(body)["usage"]["cost_usd"] == 0.032859


def test_no_usage_no_section():
    body = render_pr(context(faq("Are pets welcome?"), usage=None)).body
    assert "### The claude analyst" not in body
    assert parse_meta(body)["usage"] is None
