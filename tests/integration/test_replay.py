"""The replay through the Messages API emulator: the real SDK, the example agent's files, traces on disk."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from optimizer.artifacts.files import WorkingTreeFiles
from optimizer.artifacts.overlay import OverlayFiles
from optimizer.config import ReplaySettings, Settings
from optimizer.models import Finding
from optimizer.render.replay import replay_section
from optimizer.replay.session import Change, Window, replay_changes
from tests.fakes.anthropic_server import FakeAnthropic, Reply, error
from tests.fakes.replay_agent import respond, system_text
from tests.support.builders import BASE_TIME, trace
from tests.support.claude_support import PROJECT
from tests.support.leak_corpus import LEAKS, leak_texts

SOUL = "souls/frontdesk.yaml"
PETS_FAQ = (
    "  - question: Can I bring my dog?\n    answer: >-\n"
    "      Yes, well-behaved dogs are welcome in the Garden Doubles for £15 a night.\n"
)
GAP = Finding("knowledge_gap", "frontdesk", "pet", "pets unanswered", 5.0, {"keywords": "pet, bring"})
TIMEOUTS = Finding("tool_failure", "frontdesk", "check_availability", "check_availability fails", 5.0)


@pytest.fixture
def api():
    with FakeAnthropic() as server:
        server.responder = respond
        yield server


def _with_pets() -> OverlayFiles:
    files = OverlayFiles(WorkingTreeFiles(PROJECT))
    soul = files.read_text(SOUL) or ""
    files.changed[SOUL] = soul.replace(
        "  - question: Do you have family rooms?\n", PETS_FAQ + "  - question: Do you have family rooms?\n"
    )
    return files


def _dog_question(n: int) -> dict:
    return trace(
        trace_id=f"dog-{n}",
        tool_calls=[],
        messages=[
            {"role": "user", "content": f"Can I bring my dog? We are {n + 2} people."},
            {"role": "assistant", "content": "I'm not sure, I'll check with the team and get back to you."},
        ],
    )


def _timeout(n: int, error_text: str = "Timeout after 3000ms") -> dict:
    return trace(
        trace_id=f"timeout-{n}",
        tool_calls=[{"name": "check_availability", "ok": False, "error": error_text}],
        messages=[
            {"role": "user", "content": "Is a room available for two nights from Friday?"},
            {"role": "assistant", "content": "Sorry, the system is down."},
        ],
    )


def _replay(tmp_path: Path, api: FakeAnthropic, traces: list[dict], changes: list[Change], **replay: object):
    path = tmp_path / "traces.jsonl"
    path.write_text("".join(json.dumps(t) + "\n" for t in traces), encoding="utf-8")
    settings = Settings(repo=tmp_path, replay=ReplaySettings(**replay))  # type: ignore[arg-type]
    window = Window(path, BASE_TIME - timedelta(hours=1), BASE_TIME + timedelta(hours=12))
    environ = {"ANTHROPIC_API_KEY": api.key, "ANTHROPIC_BASE_URL": api.base_url}
    return replay_changes(settings, "frontdesk", changes, window, environ)


def test_the_proposed_soul_is_sent_compiled_and_the_gap_now_passes(tmp_path, api):
    base = WorkingTreeFiles(PROJECT)
    traces = [*(_dog_question(n) for n in range(3)), *(trace() for _ in range(4))]
    report = _replay(
        tmp_path, api, traces, [Change("FAQ on pets", GAP, base, _with_pets())], max_conversations=5, holdout=2
    )
    [proposal] = report.proposals
    assert proposal.passing("failing") == (3, 3) and proposal.passing_before("failing") == 0
    assert proposal.passing("holdout") == (2, 2) and not proposal.regressions
    replies = [m for m in api.messages if "tool_choice" not in m]
    systems = {system_text(m) for m in replies}
    assert len(systems) == 2  # the current soul and the proposed one
    assert sum("Can I bring my dog?" in s for s in systems) == 1
    assert all("{{PLAYBOOKS}}" not in s and "(not recorded in the trace)" in s for s in systems)
    judged = [r.verdict_after for r in proposal.results if r.conversation.role == "failing"]
    assert all(v and v.passed and v.judge == "rubric" for v in judged)  # the rubric judge had the last word
    assert 0 < report.cost_usd < 0.5 and proposal.tokens_per_turn("after") > proposal.tokens_per_turn("before")
    table = replay_section(report)
    assert "| 1 | FAQ on pets | 3 of 3 (current: 0) | 2 of 2 |" in table


def test_recorded_tool_results_are_replayed_in_place_of_the_tools(tmp_path, api):
    base = WorkingTreeFiles(PROJECT)
    retry = OverlayFiles(base)
    soul = base.read_text(SOUL) or ""
    rule = "  - If check_availability times out, retry it once before telling the guest.\n"
    retry.changed[SOUL] = soul.replace("always_do:\n", "always_do:\n" + rule, 1)
    traces = [_timeout(1), trace(tool_calls=[{"name": "check_availability", "ok": True}])]
    report = _replay(tmp_path, api, traces, [Change("retry", TIMEOUTS, base, retry)], max_conversations=2, holdout=1)
    failing = next(r for r in report.proposals[0].results if r.conversation.role == "failing")
    assert failing.verdict_before and not failing.verdict_before.passed
    assert failing.verdict_after and failing.verdict_after.passed, failing.verdict_after
    results = [
        block
        for body in api.messages
        for message in body["messages"]
        if isinstance(message["content"], list)
        for block in message["content"]
        if block.get("type") == "tool_result"
    ]
    assert results and all(
        r["is_error"] and "Timeout after 3000ms" in r["content"] for r in results if "error" in r["content"]
    )


def test_the_budget_stops_the_replay_before_it_is_spent(tmp_path, api):
    base = WorkingTreeFiles(PROJECT)
    traces = [_dog_question(n) for n in range(8)]
    report = _replay(
        tmp_path, api, traces, [Change("pets", GAP, base, _with_pets())], budget_usd=0.05, judge="deterministic"
    )
    results = report.proposals[0].results
    assert report.cost_usd <= 0.05
    replayed = [r for r in results if not r.skipped]
    assert 0 < len(replayed) < len(results)
    assert all("budget of $0.05" in (r.skipped or "") for r in results[len(replayed) :])
    assert any("budget" in note for note in report.notes)
    assert len(api.messages) == 2 * len(replayed)  # one turn each, before and after: nothing past the budget


def test_a_bad_or_missing_answer_is_reported_for_its_conversation_only(tmp_path, api):
    base = WorkingTreeFiles(PROJECT)
    api.script(error(400, "invalid_request_error", "prompt is too long"), Reply(content=[], stop_reason="end_turn"))
    traces = [_dog_question(n) for n in range(3)]
    report = _replay(tmp_path, api, traces, [Change("pets", GAP, base, _with_pets())], judge="deterministic")
    results = report.proposals[0].results
    errors = [side.error for r in results for side in (r.before, r.after) if side and side.error]
    assert len(errors) == 2
    assert any("400" in e and "prompt is too long" in e for e in errors) and any("empty" in e for e in errors)
    assert sum(1 for r in results if r.verdict_after and r.verdict_after.passed) == 2  # the others went on
    assert "no verdict: " in replay_section(report)


def test_no_secret_or_personal_value_is_sent_stored_or_shown(tmp_path, api):
    base = WorkingTreeFiles(PROJECT)
    traces = []
    for n, (_kind, text, _value) in enumerate(leak_texts()):
        failed = _timeout(n, f"failed for {text}")
        failed["messages"][0]["content"] = f"Is a room available? {text}"
        traces.append(failed)
    change = Change("retry", TIMEOUTS, base, base)
    report = _replay(tmp_path, api, traces, [change], max_conversations=100, holdout=0, budget_usd=50)
    assert report.skipped is None, report.skipped
    assert len(report.proposals[0].results) == len(LEAKS)
    shown = api.all_bytes().decode() + json.dumps(report.to_dict(), ensure_ascii=False) + replay_section(report)
    leaked = [kind for kind, _text, value in LEAKS if value in shown or json.dumps(value)[1:-1] in shown]
    assert not leaked
    assert shown.count("Is a room available?") >= len(LEAKS)  # the turns were sent, their values masked
