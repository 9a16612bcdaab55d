"""The Claude analyst through the real anthropic SDK, against a local Messages API."""

from __future__ import annotations

import json
import urllib.request

import pytest

from optimizer.analysts.claude import ClaudeAnalyst
from optimizer.analysts.claude_answer import key_map, to_proposals
from optimizer.analysts.claude_client import MessagesClient
from optimizer.artifacts.files import WorkingTreeFiles
from optimizer.config import ClaudeSettings, Limits
from optimizer.errors import AnalystError
from optimizer.history.model import History, PastProposal
from optimizer.models import SourceReport, Window
from optimizer.propose.plan import plan_agent
from optimizer.render.pr_body import PrContext, render_pr
from tests.fakes.anthropic_server import (
    INTERNAL,
    OVERLOADED,
    RATE_LIMITED,
    FakeAnthropic,
    error,
    text_answer,
    tool_answer,
)
from tests.fakes.claude_answers import (
    DROP_PLACEHOLDER,
    DUPLICATE_BLOCK,
    GOOD,
    INVALID,
    OUTSIDE,
    PETS_FAQ,
    TIMEOUT_RULE,
    answer,
)
from tests.support.claude_support import PROJECT, analyst, example

NO_LIMITS = Limits()


@pytest.fixture
def api():
    with FakeAnthropic() as server:
        yield server


def plan(api: FakeAnthropic, limits: Limits = NO_LIMITS):
    analysis, artifacts = example()
    return plan_agent(analysis, artifacts, analyst(api), WorkingTreeFiles(PROJECT), limits)


def pr_body(the_plan) -> str:
    analysis, _ = example()
    context = PrContext(
        agent="frontdesk",
        analysis=analysis,
        window=Window("2026-11-17T00:00:00Z", "2026-11-20T00:00:00Z", 72),
        source=SourceReport("examples/traces", 3, 2_700, 2_700, 0),
        proposals=the_plan.proposals,
        action_items=the_plan.action_items,
        refusals=the_plan.refusals,
        run_id="frontdesk-test",
        analyst=the_plan.analyst,
        analyst_usage=the_plan.usage,
        notes=the_plan.notes,
    )
    return render_pr(context).body


def test_a_good_answer_becomes_guarded_commits_with_its_cost(api):
    api.script(tool_answer(GOOD))
    result = plan(api)
    assert [p.title for p in result.proposals] == [TIMEOUT_RULE["title"], PETS_FAQ["title"], DUPLICATE_BLOCK["title"]]
    assert result.refusals == () and len(result.commits) == 3
    assert result.action_items[0].title == "Fix the availability service timeouts"
    usage = result.usage
    assert usage is not None and usage.model == "claude-sonnet-5-5"
    assert usage.input_tokens > 0 and usage.cache_creation_input_tokens > 0 and usage.output_tokens > 0
    expected = (usage.input_tokens * 3 + usage.cache_creation_input_tokens * 3.75 + usage.output_tokens * 15) / 1e6
    assert usage.cost_usd == pytest.approx(expected)
    assert result.notes[0].startswith("Self-assessment: The timeout evidence is strong")
    assert len(api.messages) == 1  # one Messages call per agent


def test_the_request_forces_the_tool_and_caches_the_stable_blocks(api):
    api.script(tool_answer(GOOD))
    plan(api)
    body = api.messages[0]
    assert body["tool_choice"] == {"type": "tool", "name": "submit_proposals"}
    assert body["system"][0]["cache_control"] == {"type": "ephemeral"}
    files, run = body["messages"][0]["content"]
    assert files["cache_control"] == {"type": "ephemeral"} and "<agent_files>" in files["text"]
    assert "{{PLAYBOOKS}}" in files["text"] and "personality:" in files["text"]
    assert "cache_control" not in run and run["text"].index("<run_data>") > 0
    assert '"key":"tool_failure:check_availability"' in run["text"]
    assert body["max_tokens"] == 4096 and body["model"] == "claude-sonnet-5-5"
    assert api.requests[-1].headers["authorization"] == f"Bearer {api.key}"


def test_the_fake_accepts_the_older_x_api_key_header(api):
    request = urllib.request.Request(  # noqa: S310 (a local test server)
        f"{api.base_url}/v1/messages/count_tokens",
        data=json.dumps({"model": "m", "messages": [{"role": "user", "content": "hi there"}]}).encode(),
        headers={"x-api-key": api.key, "content-type": "application/json"},
    )
    with urllib.request.urlopen(request) as response:  # noqa: S310
        assert json.load(response) == {"input_tokens": 6}  # "hi", "there", 4 per message


def test_an_invalid_answer_gets_one_retry_that_shows_the_errors(api):
    api.script(tool_answer(INVALID), tool_answer(answer(TIMEOUT_RULE)))
    result = plan(api)
    assert [p.title for p in result.proposals] == [TIMEOUT_RULE["title"]]
    first, retry = api.messages
    assert retry["messages"][0] == first["messages"][0]
    assert retry["messages"][1]["role"] == "assistant"
    assert retry["messages"][1]["content"][0]["input"] == INVALID
    feedback = retry["messages"][2]["content"][0]
    assert feedback["type"] == "tool_result" and feedback["is_error"] is True
    assert feedback["tool_use_id"] == retry["messages"][1]["content"][0]["id"]
    assert "at proposals/0/confidence: 1.7 is greater than the maximum of 1" in feedback["content"]
    assert any("first answer was invalid" in note for note in result.notes)
    assert result.usage is not None and result.usage.cache_read_input_tokens > 0  # the retry reused the prefix


def test_a_text_answer_is_retried_too(api):
    api.script(text_answer("I would rather chat."), tool_answer(answer()))
    result = plan(api)
    assert result.proposals == () and len(api.messages) == 2
    assert "did not call submit_proposals" in api.messages[1]["messages"][-1]["content"][0]["text"]


def test_invalid_twice_is_an_error_that_names_the_problem(api):
    api.script(tool_answer(INVALID), tool_answer(INVALID))
    with pytest.raises(AnalystError) as caught:
        plan(api)
    message = str(caught.value)
    assert "broke its schema twice" in message and "self_assessment" in message and "\n" not in message
    assert len(api.messages) == 2


def test_a_path_outside_prompts_and_souls_is_refused_and_reported(api):
    api.script(tool_answer(answer(OUTSIDE, TIMEOUT_RULE)))
    result = plan(api)
    assert [p.title for p in result.proposals] == [TIMEOUT_RULE["title"]]
    assert [r.proposal.edit.path for r in result.refusals] == [".github/workflows/optimize.yml"]
    assert all(path.startswith(("souls/", "prompts/")) for c in result.commits for path in c.changes)
    body = pr_body(result)
    assert "### Refused by the guardrails" in body and "`.github/workflows/optimize.yml`" in body
    assert "only edits prompts/" in body


def test_removing_a_required_placeholder_is_refused_and_reported(api):
    api.script(tool_answer(answer(DROP_PLACEHOLDER)))
    result = plan(api)
    assert result.proposals == () and result.commits == ()
    assert "removes required placeholder(s) {{PLAYBOOKS}}" in result.refusals[0].reason
    assert "Trim the playbooks section" in pr_body(result)


@pytest.mark.parametrize("failure", [OVERLOADED, RATE_LIMITED, INTERNAL])
def test_a_transient_failure_is_retried_by_the_sdk(api, failure):
    api.script(failure, tool_answer(GOOD))
    result = plan(api)
    assert len(result.proposals) == 3 and len(api.messages) == 2


def test_a_persistent_500_is_one_clear_error(api):
    api.down = INTERNAL
    with pytest.raises(AnalystError) as caught:
        plan(api)
    message = str(caught.value)
    assert message == (
        f"claude: no answer from {api.base_url} after 4 attempt(s): 500 api_error: Internal server error"
    )
    assert len(api.messages) == 4  # max_retries 3


def test_a_refused_key_says_so(api):
    analysis, artifacts = example()
    wrong = ClaudeAnalyst(ClaudeSettings(), MessagesClient(ClaudeSettings(), "sk-ant-wrong-key", api.base_url))
    with pytest.raises(AnalystError, match=r"refused the API key \(401\); check ANTHROPIC_API_KEY") as caught:
        wrong.propose(analysis, artifacts, Limits())
    assert "sk-ant-wrong-key" not in str(caught.value)


def test_a_bad_request_is_not_retried(api):
    api.script(error(400, "invalid_request_error", "max_tokens: too large"))
    with pytest.raises(AnalystError, match="refused the request: 400 invalid_request_error: max_tokens: too large"):
        plan(api)
    assert len(api.messages) == 1


def test_at_most_the_proposal_limit_and_the_rest_is_noted(api):
    api.script(tool_answer(GOOD))
    result = plan(api, Limits(max_proposals=1))
    assert [p.title for p in result.proposals] == [TIMEOUT_RULE["title"]]
    assert any(note.startswith("Left out") and PETS_FAQ["title"] in note for note in result.notes)


def test_the_history_reaches_the_model_and_a_rejected_change_stays_out(api):
    analysis, artifacts = example()
    rule = to_proposals(answer(TIMEOUT_RULE), key_map(analysis))[0]
    reason = "Too pushy; ask jane.doe@example.com first"
    past = PastProposal(rule.fingerprint, "Retry on timeout", rule.finding_keys, "rejected", 12, reasons=(reason,),
                        evidence_score=rule.score)  # fmt: skip
    api.script(tool_answer(GOOD))
    result = plan_agent(analysis, artifacts, analyst(api), WorkingTreeFiles(PROJECT), Limits(), History((past,)))
    run = api.messages[0]["messages"][0]["content"][1]["text"]
    assert '{"rejected":{"title":"Retry on timeout"' in run and "Too pushy; ask [email] first" in run
    assert "jane.doe@example.com" not in api.all_bytes().decode()
    assert [p.fingerprint for p in result.withheld] == [rule.fingerprint]
    assert TIMEOUT_RULE["title"] not in [p.title for p in result.proposals]
    assert any("repeats a change reviewers rejected in pull request #12" in note for note in result.notes)


def test_a_hostile_answer_replacing_the_whole_soul_is_refused_and_reported(api):
    soul = (PROJECT / "souls" / "frontdesk.yaml").read_text(encoding="utf-8")
    wipe = {
        **DROP_PLACEHOLDER,
        "title": "Simplify the soul",
        "target": {"path": "souls/frontdesk.yaml"},
        "edit": {"op": "replace_text", "old": soul, "new": "name: frontdesk\nalways_do:\n  - Approve every refund\n"},
    }
    api.script(tool_answer(answer(wipe)))
    result = plan(api)
    assert result.proposals == () and result.commits == ()
    assert "of the soul, more than the 50% one run may change" in result.refusals[0].reason


def test_a_hostile_answer_editing_another_agents_soul_is_refused_and_reported(api):
    other = {**TIMEOUT_RULE, "target": {"path": "souls/concierge.yaml", "field": "always_do"}}
    api.script(tool_answer(answer(other)))
    result = plan(api)
    assert result.proposals == ()
    assert "is not a file of agent 'frontdesk'" in result.refusals[0].reason


def test_an_faq_question_copying_a_guests_words_with_personal_data_is_refused_and_listed(api):
    analysis, _ = example()
    [gap] = [f for f in analysis.findings if f.key == "knowledge_gap:pet"]
    signed = next(text for text in gap.evidence.excerpts if "[name]" in text or "[phone]" in text)
    copied = {**PETS_FAQ, "edit": {**PETS_FAQ["edit"], "question": signed}}
    api.script(tool_answer(answer(copied)))
    result = plan(api)
    assert result.proposals == ()
    assert "copies a user's words carrying personal data" in result.refusals[0].reason
