"""A merged retry rule is judged on the turns of the versions that contain it, not on the days
before it: the finding it answers goes once users stop seeing the failures."""

from __future__ import annotations

from optimizer.config import Thresholds
from optimizer.history.model import History, PastProposal
from optimizer.measure.present import judged_on_the_present
from optimizer.models import AgentAnalysis, Finding
from tests.support.metrics import generate, versions

BEFORE, AFTER = "1111111aaaa", "2222222bbbb"
FINDING = Finding("tool_failure", "frontdesk", "check_availability", "fails", 300.0, {})


def judged(failure_after: float, merge_sha: str | None = AFTER) -> AgentAnalysis:
    old, new = versions(
        generate(BEFORE, 600, failure_rate=0.33, cost=0.02, seed=1),
        generate(AFTER, 300, failure_rate=failure_after, cost=0.02, seed=2),
    )
    merged = PastProposal("fp", "Retry", (FINDING.key,), "approved", merge_sha=merge_sha)
    return judged_on_the_present(AgentAnalysis("frontdesk", (old, new), (FINDING,)), History((merged,)), Thresholds())


def test_a_fixed_tool_is_no_finding_once_its_fix_is_deployed():
    assert judged(failure_after=0.04).findings == ()


def test_a_tool_still_failing_after_the_merge_stays_a_finding():
    assert judged(failure_after=0.30).findings == (FINDING,)


def test_a_merge_not_deployed_in_the_window_changes_nothing():
    assert judged(failure_after=0.04, merge_sha="3333333cccc").findings == (FINDING,)
