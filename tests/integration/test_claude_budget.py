"""What leaves the machine: under the token budget whatever the trace volume, and nothing personal.

The budget is measured on the requests the local Messages API received, with its own token count
(the same count its count_tokens endpoint and its usage report), not with the analyst's estimate.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from optimizer.config import Limits
from optimizer.history.model import NO_HISTORY, History, PastProposal
from optimizer.models import AgentAnalysis, Evidence, Finding
from tests.fakes.anthropic_server import FakeAnthropic, tool_answer
from tests.fakes.claude_answers import GOOD, answer
from tests.support.builders import exchange, failing_call, trace
from tests.support.claude_support import PROJECT, analysis_of, analyst, example

PLANTED = ("jane.doe@example.com", "+44 20 7946 0958", "4111 1111 1111 1111", "sk-live-abcdefghijklmnop1234")


@pytest.fixture
def api():
    with FakeAnthropic() as server:
        yield server


def sent_tokens(api: FakeAnthropic) -> list[int]:
    return [api.input_tokens(body) for body in api.messages]


def propose(api: FakeAnthropic, analysis: AgentAnalysis, artifacts, history: History = NO_HISTORY, **settings):
    api.script(tool_answer(answer(items=())))  # names no finding, so it is valid for any analysis
    return analyst(api, **settings).propose(analysis, artifacts, Limits(), history)


def generated(tmp_path: Path, count: int) -> Path:
    out = tmp_path / f"{count}.jsonl"
    script = PROJECT / "examples" / "generate_traces.py"
    subprocess.run([sys.executable, script, "--count", str(count), "--out", out], check=True, capture_output=True)
    return out


def test_1k_traces_stay_under_the_default_budget(api, tmp_path):
    analysis, artifacts = analysis_of(generated(tmp_path, 1_000))
    result = propose(api, analysis, artifacts)
    assert analysis.findings and sent_tokens(api)[0] <= 30_000
    assert "counted by the API" in result.notes[1]


def test_1k_traces_under_a_tight_budget_keep_the_strongest_findings(api, tmp_path):
    analysis, artifacts = analysis_of(generated(tmp_path, 1_000))
    result = propose(api, analysis, artifacts, max_input_tokens=6_000)
    assert sent_tokens(api)[0] <= 6_000
    run = api.messages[0]["messages"][0]["content"][1]["text"]
    shown = [json.loads(line)["finding"]["key"] for line in run.splitlines() if line.startswith('{"finding"')]
    assert shown == [f.key for f in analysis.findings[: len(shown)]]  # a prefix: strongest first
    assert "of the 6,000 budget" in result.notes[1]


SYLLABLES = ("ka", "lo", "mi", "ne", "su", "ta", "ri", "po", "de", "an", "vel", "gor")
WORDS = tuple(a + b + c for a in SYLLABLES for b in SYLLABLES for c in SYLLABLES[:4])


def prose(seed: int, words: int) -> str:
    """Distinct text: no two excerpts are near-duplicates of each other."""
    return " ".join(random.Random(seed).choices(WORDS, k=words))


def worst_case_1m() -> tuple[AgentAnalysis, History]:
    """What 1M traces can at most give the analyst: every aggregator cap reached, with long evidence.

    The aggregator keeps at most 500 error groups, 200 question topics and a few excerpts each
    however many traces it reads (a real 1M-trace run of the example gives 15 findings), so this
    is a larger input than any 1M-trace analysis.
    """
    base, _ = example()
    versions = tuple(replace(v, traces=500_000, sessions=250_000) for v in base.versions)
    errors = [
        Finding(
            "repeated_error",
            "frontdesk",
            f"{n:010x}",
            f"tool lookup_booking: “Upstream {n} failed” seen {2_000 - n} times",
            2_000.0 - n,
            {"occurrences": 2_000 - n, "pattern": f"Upstream {n} failed with code <n> for booking <id>"},
            Evidence(
                tuple(f"tr_{n}_{m}" for m in range(5)),
                tuple(f"Upstream service failed: {prose(n * 10 + m, 24)}" for m in range(3)),
            ),
        )
        for n in range(500)
    ]
    gaps = [
        Finding(
            "knowledge_gap",
            "frontdesk",
            f"topic {n}",
            f"{300 - n} questions about “topic {n}” went unanswered",
            300.0 - n,
            {"unanswered": 300 - n, "keywords": f"topic{n}, word{n}"},
            Evidence(
                tuple(f"tg_{n}_{m}" for m in range(5)),
                tuple(f"Can you tell me {prose(n * 10 + m + 5_000, 30)}?" for m in range(5)),
            ),
        )
        for n in range(200)
    ]
    history = History(
        tuple(
            PastProposal(
                f"fp{n}", f"Proposal {n}", (f"repeated_error:{n:010x}",), "rejected", n, reasons=("too long " * 60,) * 3
            )
            for n in range(60)
        )
    )
    return AgentAnalysis("frontdesk", versions, (*base.findings, *errors, *gaps)), history


def test_the_worst_case_of_1m_traces_stays_under_the_default_budget(api):
    analysis, history = worst_case_1m()
    _, artifacts = example()
    result = propose(api, analysis, artifacts, history)
    assert sent_tokens(api)[0] <= 30_000
    total = len(analysis.findings)  # the example's findings and 500 errors and 200 gaps added
    assert f"of {total} findings" in result.notes[1]
    run = api.messages[0]["messages"][0]["content"][1]["text"]
    assert run.count('{"finding"') < total and '{"rejected"' in run


def test_without_token_counting_the_estimate_keeps_the_budget(tmp_path):
    analysis, history = worst_case_1m()
    _, artifacts = example()
    with FakeAnthropic(count_tokens=False) as api:
        result = propose(api, analysis, artifacts, history)
        assert sent_tokens(api)[0] <= 30_000
    assert "estimated locally" in result.notes[1]


def leaky_traces(path: Path) -> Path:
    """Traces whose questions, errors and complaints carry an email, a phone, a card and an API key."""
    leak = f"mail {PLANTED[0]} or call {PLANTED[1]}, card {PLANTED[2]}, my key {PLANTED[3]}"
    records = [trace() for _ in range(40)]
    records += [
        trace(messages=exchange(f"Can I bring my dog? {leak}", "I'm sorry, I don't have information about that."))
        for _ in range(6)
    ]
    records += [trace(tool_calls=[failing_call("check_availability", f"Timeout for {leak}")]) for _ in range(25)]
    records += [
        trace(sentiment="negative", escalated=True, owner_corrected=True, metadata={"topic": "refund"},
              messages=exchange(f"Refund now! {leak}", "Let me connect you with a colleague."))
        for _ in range(12)
    ]  # fmt: skip
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def test_no_secret_or_personal_data_from_the_traces_leaves_the_machine(api, tmp_path):
    traces = leaky_traces(tmp_path / "leaky.jsonl")
    assert all(secret in traces.read_text() for secret in PLANTED)
    analysis, artifacts = analysis_of(traces, now="2026-11-20T00:00:00Z", hours=48)
    assert {"knowledge_gap", "tool_failure", "repeated_error"} <= {f.kind for f in analysis.findings}
    propose(api, analysis, artifacts)
    sent = api.all_bytes().decode()
    assert api.counts and api.messages
    for secret in PLANTED:
        assert secret not in sent
        assert json.dumps(secret)[1:-1] not in sent
    assert "[email]" in sent and "[secret]" in sent and "[card]" in sent and "[phone]" in sent


def test_a_second_run_reads_the_stable_prefix_from_the_cache(api):
    analysis, artifacts = example()
    api.script(tool_answer(GOOD))
    first = analyst(api).propose(analysis, artifacts, Limits()).usage
    api.script(tool_answer(GOOD))
    second = analyst(api).propose(analysis, artifacts, Limits()).usage
    assert first is not None and second is not None
    assert first.cache_read_input_tokens == 0 and first.cache_creation_input_tokens > 0
    assert second.cache_read_input_tokens == first.cache_creation_input_tokens
    assert second.cache_creation_input_tokens == 0
    total = second.input_tokens + second.cache_read_input_tokens
    assert second.cache_read_input_tokens / total > 0.4
    assert second.cost_usd < first.cost_usd
