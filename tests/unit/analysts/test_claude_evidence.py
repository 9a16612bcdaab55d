"""What evidence the model sees under a budget: stratified, newest first, near-duplicates collapsed."""

from __future__ import annotations

import pytest

from optimizer.analysts.evidence_budget import estimate_tokens, fit_request
from optimizer.analysts.evidence_sample import (
    MAX_EXCERPTS,
    choose,
    plan_units,
    sample_findings,
)
from optimizer.errors import AnalystError
from optimizer.models import Evidence, Finding


def finding(subject: str, excerpts: tuple[str, ...], score: float = 10.0) -> Finding:
    ids = tuple(f"t-{subject}-{n}" for n in range(len(excerpts)))
    return Finding("repeated_error", "frontdesk", subject, f"{subject} happens", score, {}, Evidence(ids, excerpts))


def test_excerpts_come_newest_first_with_near_duplicates_collapsed():
    sample = sample_findings(
        (
            finding(
                "timeout",
                (
                    "Timeout after 3000ms calling availability for room 207",  # oldest
                    "Guest asked about late check-in",
                    "Timeout after 5000ms calling availability for room 12",  # the same error, other numbers
                    "Availability service returned 503 Service Unavailable",  # newest
                ),
            ),
        )
    )[0]
    assert sample.excerpts == (
        "Availability service returned 503 Service Unavailable",
        "Timeout after 5000ms calling availability for room 12",
        "Guest asked about late check-in",
    )
    assert sample.collapsed == 1
    assert sample.trace_ids[0] == "t-timeout-3"  # newest first too


def test_excerpts_are_redacted_again_before_they_leave():
    sample = sample_findings((finding("leak", ("mail jane.doe@example.com, key sk-live-abcdefghijklmnop1234",)),))[0]
    assert sample.excerpts == ("mail [email], key [secret]",)


def test_a_huge_evidence_list_costs_no_more_than_a_few_excerpts():
    many = tuple(f"Question number {n} about parking for {n % 97} cars in lot {n * 7}" for n in range(200_000))
    sample = sample_findings((finding("parking", many),))[0]
    assert len(sample.excerpts) <= MAX_EXCERPTS
    assert sample.offered == 200_000


def test_units_take_every_finding_with_one_excerpt_before_second_excerpts():
    findings = tuple(finding(f"f{n}", tuple(f"distinct text {n} {m} " + "x" * m for m in range(3))) for n in range(4))
    units = plan_units(sample_findings(findings), history_entries=2)
    first = [(u.kind, u.index) for u in units[:6]]
    assert first == [("finding", 0), ("history", 0), ("finding", 1), ("finding", 2), ("history", 1), ("finding", 3)]
    kept = choose(units, 6)
    assert kept.excerpts == {0: 1, 1: 1, 2: 1, 3: 1} and kept.history == frozenset({0, 1})
    assert choose(units, len(units)).excerpts == {0: 3, 1: 3, 2: 3, 3: 3}


def _builder(unit_chars: int):
    def build(keep: int) -> dict:
        return {"system": "rules", "messages": [{"role": "user", "content": "e" * (unit_chars * keep)}]}

    return build


def test_fit_keeps_as_much_as_the_counter_allows():
    build = _builder(400)
    counted: list[int] = []

    def count(request: dict) -> int:  # a server that counts 1 token per 4 characters
        tokens = len(request["messages"][0]["content"]) // 4 + 10
        counted.append(tokens)
        return tokens

    request, fit = fit_request(build, total=1_000, budget=5_000, count=count)
    assert fit.counted and fit.input_tokens <= 5_000
    assert fit.keep >= 45  # 49 units fit exactly; the estimate alone would have kept ~30
    assert len(counted) <= 5
    assert count(request) == fit.input_tokens


def test_fit_without_a_counter_relies_on_the_conservative_estimate():
    request, fit = fit_request(_builder(400), total=1_000, budget=5_000, count=lambda _r: None)
    assert not fit.counted
    assert estimate_tokens(request) <= 5_000
    assert len(request["messages"][0]["content"]) / 4 < 5_000  # a real tokenizer counts fewer than the estimate


def test_fit_takes_everything_when_everything_fits():
    _request, fit = fit_request(_builder(10), total=20, budget=5_000, count=lambda r: 100)
    assert fit.keep == 20


def test_fixed_part_over_budget_is_a_clear_error():
    def build(keep: int) -> dict:
        return {"system": "x" * 100_000, "messages": [{"role": "user", "content": "e" * keep}]}

    with pytest.raises(AnalystError, match=r"claude.max_input_tokens \(5,000\)"):
        fit_request(build, total=10, budget=5_000, count=lambda r: 40_000)
