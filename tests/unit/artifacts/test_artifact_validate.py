from __future__ import annotations

import pytest

from optimizer.artifacts import UNWRITTEN_ANSWER_MARKER
from optimizer.artifacts.loader import parse_prompt, parse_soul
from optimizer.artifacts.model import AgentArtifacts
from optimizer.artifacts.validate import Issue, validate_agent

GOOD_SOUL = """\
name: Front Desk
description: Hotel front desk.
personality: warm
tone: brief
closing: Have a lovely stay.
always_do: [Greet the guest]
never_do:
  - Promise an upgrade
escalation:
  - Complaints
faq:
  - question: When is breakfast?
    answer: From 7.
"""
GOOD_PROMPT = "---\nrequired_placeholders: [hotel_name]\n---\nYou work at {hotel_name}.\n"


def _agent(soul: str | None = GOOD_SOUL, prompt: str | None = GOOD_PROMPT) -> AgentArtifacts:
    return AgentArtifacts(
        agent="frontdesk",
        soul=parse_soul("souls/frontdesk.yaml", soul) if soul is not None else None,
        prompts=(parse_prompt("prompts/frontdesk/system.md", prompt),) if prompt is not None else (),
    )


def _errors(issues: list[Issue]) -> list[str]:
    return [str(issue) for issue in issues if issue.severity == "error"]


def test_a_sound_agent_has_no_issues_even_if_its_name_differs_from_the_file():
    assert validate_agent(_agent()) == []


def test_issue_reads_as_path_severity_message():
    assert str(Issue("error", "souls/a.yaml", "broken")) == "souls/a.yaml: error: broken"


@pytest.mark.parametrize(
    ("soul", "where"),
    [
        ("description: no name\n", "at (top level): 'name' is a required property"),
        ('name: ""\n', "at name:"),
        ("name: a\nalways_do:\n  - fine\n  - 3\n", "at always_do/1:"),
        ("name: a\nnever_do:\n  - ''\n", "at never_do/0:"),
        ("name: a\nescalation: call a human\n", "at escalation:"),
        ("name: a\ntone: [warm]\n", "at tone:"),
        ("name: a\nfaq:\n  - question: q\n", "at faq/0: 'answer' is a required property"),
        ("name: a\nfaq:\n  - question: q\n    answer: a\n    origin: web\n", "at faq/0:"),
    ],
)
def test_schema_breaks_are_errors_naming_the_field(soul, where):
    errors = _errors(validate_agent(_agent(soul=soul)))
    assert len(errors) == 1
    assert errors[0].startswith("souls/frontdesk.yaml: error: breaks the soul schema " + where)


def test_each_schema_break_is_its_own_issue():
    errors = _errors(validate_agent(_agent(soul="tone: 1\nalways_do: [1, 2]\n")))
    assert len(errors) == 4


@pytest.mark.parametrize("answer", ['""', "'   '", f'"{UNWRITTEN_ANSWER_MARKER} write the price"'])
def test_an_unwritten_faq_answer_is_an_error(answer):
    soul = f"name: a\nfaq:\n  - question: Q1\n    answer: A1\n  - question: Parking?\n    answer: {answer}\n"
    errors = _errors(validate_agent(_agent(soul=soul)))
    assert errors == [
        f"souls/frontdesk.yaml: error: faq 2 ('Parking?'): the answer is not written yet; "
        f"write it in place of the empty or {UNWRITTEN_ANSWER_MARKER} text before merging"
    ]


def test_marker_later_in_a_written_answer_is_fine():
    soul = "name: a\nfaq:\n  - question: Q\n    answer: 'Yes. (TODO(owner): nothing)'\n"
    assert validate_agent(_agent(soul=soul)) == []


def test_a_prompt_missing_its_own_placeholder_is_an_error():
    prompt = "---\nrequired_placeholders: [hotel_name, today]\n---\nYou work at {{ hotel_name }}.\n"
    assert _errors(validate_agent(_agent(prompt=prompt))) == [
        "prompts/frontdesk/system.md: error: required placeholder 'today' is missing from the body"
    ]


def test_a_placeholder_only_in_the_front_matter_does_not_count():
    prompt = "---\nrequired_placeholders: [hotel_name]\nnote: '{hotel_name}'\n---\nNo placeholder.\n"
    assert len(_errors(validate_agent(_agent(prompt=prompt)))) == 1


def test_an_agent_with_nothing_is_an_error():
    assert _errors(validate_agent(_agent(soul=None, prompt=None))) == [
        "souls/frontdesk.yaml: error: agent 'frontdesk' has no soul and no prompts/frontdesk/*.md"
    ]


def test_a_soul_alone_or_prompts_alone_is_fine():
    assert validate_agent(_agent(prompt=None)) == []
    assert validate_agent(_agent(soul=None)) == []


def test_unknown_soul_keys_are_warnings_not_errors():
    issues = validate_agent(_agent(soul=GOOD_SOUL + "languages: [en, fr]\n"))
    assert [str(issue) for issue in issues] == [
        "souls/frontdesk.yaml: warning: unknown key 'languages': kept, but the optimizer does not use it"
    ]
