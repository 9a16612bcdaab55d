"""The model's answer, validated and mapped onto the proposals every analyst returns."""

from __future__ import annotations

from typing import Any

from anthropic.types import Message

from optimizer.analysts.claude_answer import key_map, read_answer, to_action_items, to_proposals
from optimizer.analysts.heuristic_edits import faq_proposal
from optimizer.artifacts.model import AgentArtifacts, Soul
from optimizer.models import AgentAnalysis, Evidence, Finding
from tests.fakes.claude_answers import INVALID, PETS_FAQ, TIMEOUT_RULE, answer

FINDINGS = (
    Finding("tool_failure", "frontdesk", "check_availability", "fails 29%", 377.0, {"failures": 377}),
    Finding("repeated_error", "frontdesk", "32cfc6c5c6", "Timeout seen 347 times", 347.0),
    Finding("knowledge_gap", "frontdesk", "pet", "111 questions about pets", 111.0, {"unanswered": 111}, Evidence()),
)
KEYS = key_map(AgentAnalysis("frontdesk", (), FINDINGS))


def message(content: list[dict[str, Any]], stop_reason: str = "tool_use") -> Message:
    return Message.model_validate(
        {
            "id": "msg_1",
            "type": "message",
            "role": "assistant",
            "model": "claude-sonnet-5-5",
            "content": content,
            "stop_reason": stop_reason,
            "stop_sequence": None,
            "usage": {"input_tokens": 10, "output_tokens": 5},
        }
    )


def call(data: Any) -> Message:
    return message([{"type": "tool_use", "id": "toolu_1", "name": "submit_proposals", "input": data}])


def test_a_good_answer_maps_onto_proposals_strongest_evidence_first():
    reading = read_answer(call(answer(PETS_FAQ, TIMEOUT_RULE)), KEYS)
    assert reading.errors == []
    proposals = to_proposals(reading.answer, KEYS)
    assert [p.title for p in proposals] == [TIMEOUT_RULE["title"], PETS_FAQ["title"]]
    rule = proposals[0]
    assert rule.score == 377.0 + 347.0
    assert rule.edit.op == "append_item" and rule.edit.field == "always_do" and rule.edit.path == "souls/frontdesk.yaml"
    assert rule.confidence == 0.72
    items = to_action_items(reading.answer, KEYS)
    assert items[0].finding_keys == ("repeated_error:32cfc6c5c6",)


def test_an_faq_has_the_same_fingerprint_as_the_heuristic_one_however_worded():
    soul = Soul("souls/frontdesk.yaml", "name: frontdesk\n", {"name": "frontdesk"})
    (heuristic,) = faq_proposal(FINDINGS[2], AgentArtifacts("frontdesk", soul, ()))
    claude = to_proposals(read_answer(call(answer(PETS_FAQ)), KEYS).answer, KEYS)[0]
    assert heuristic is not None and claude.edit.question != heuristic.edit.question
    assert claude.fingerprint == heuristic.fingerprint


def test_schema_errors_are_reported_in_the_models_terms():
    reading = read_answer(call(INVALID), KEYS)
    assert reading.answer is None
    assert "at proposals/0/confidence: 1.7 is greater than the maximum of 1" in reading.errors
    assert "at proposals/0/edit: 'new' is a required property" in reading.errors
    assert "at (top level): 'self_assessment' is a required property" in reading.errors


def test_a_finding_key_must_name_a_finding_of_the_run():
    wrong = dict(TIMEOUT_RULE, finding_keys=["tool_failure:no_such_tool"])
    reading = read_answer(call(answer(wrong)), KEYS)
    assert reading.errors == [
        "at proposals/0/finding_keys/0: 'tool_failure:no_such_tool' is not the key of a finding in the run data"
    ]


def test_no_tool_call_or_a_cut_answer_is_an_error():
    assert read_answer(message([{"type": "text", "text": "Here are my ideas"}], "end_turn"), KEYS).errors == [
        "you did not call submit_proposals"
    ]
    cut = message([{"type": "text", "text": "Here"}], "max_tokens")
    assert "cut off at max_tokens" in read_answer(cut, KEYS).errors[0]
