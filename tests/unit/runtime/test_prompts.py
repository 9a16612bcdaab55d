"""Prompts ready for the model: the body without front matter, placeholders filled, fills recorded."""

from __future__ import annotations

import pytest

from optimizer.runtime import ActiveVersion, MissingPlaceholder
from optimizer.runtime.prompts import block_hash

SYSTEM = """---
tools: [check_availability]
required_placeholders: ["{{PLAYBOOKS}}"]
---
You are the front desk.

{{PLAYBOOKS}}

Guest: {{ GUEST_CONTEXT }}
"""


def active(text: str = SYSTEM) -> ActiveVersion:
    return ActiveVersion("frontdesk", "a" * 40, None, {"prompts/frontdesk/system.md": text})


def test_prompt_is_the_body_without_front_matter():
    assert active().prompt("system") == "You are the front desk.\n\n{{PLAYBOOKS}}\n\nGuest: {{ GUEST_CONTEXT }}\n"
    assert active("No front matter {{X}}\n").prompt("system") == "No front matter {{X}}\n"


def test_compile_fills_placeholders_and_leaves_an_optional_one_unfilled_as_written():
    version = active()
    assert version.compile("system", PLAYBOOKS="Late check-out: ask.", GUEST_CONTEXT="Room 4") == (
        "You are the front desk.\n\nLate check-out: ask.\n\nGuest: Room 4\n"
    )
    template = version.template("system")
    rendered = template.compile(PLAYBOOKS="{{GUEST_CONTEXT}}")  # a value is not expanded again
    assert rendered.text == "You are the front desk.\n\n{{GUEST_CONTEXT}}\n\nGuest: {{ GUEST_CONTEXT }}\n"
    assert rendered.unfilled == ("GUEST_CONTEXT",)
    assert template.placeholders == ("PLAYBOOKS", "GUEST_CONTEXT")


def test_compile_refuses_a_missing_required_placeholder():
    with pytest.raises(MissingPlaceholder, match=r"prompts/frontdesk/system.md: .*\{\{PLAYBOOKS\}\}; pass them"):
        active().compile("system", GUEST_CONTEXT="Room 4")


def test_compile_records_the_size_and_hash_of_each_filled_block_for_the_traces():
    version = active("{{PLAYBOOKS}}\n\nRules.\n\n{{PLAYBOOKS_AGAIN}}\n")
    playbooks = "Step one.\n" * 260
    version.compile("system", PLAYBOOKS=playbooks, PLAYBOOKS_AGAIN="  " + playbooks.replace("\n", " \n"))
    [rendered] = version.trace_metadata()["prompt_blocks"]
    assert rendered["prompt"] == "system"
    assert [block["placeholder"] for block in rendered["blocks"]] == ["PLAYBOOKS", "PLAYBOOKS_AGAIN"]
    first, second = rendered["blocks"]
    assert first["sha256"] == second["sha256"] == block_hash(playbooks)  # re-wrapped: the same block
    assert (first["chars"], first["tokens"]) == (2600, 650)


def test_each_conversation_records_its_own_renders():
    shared = active()
    one, two = shared.for_session("s1"), shared.for_session("s2")
    one.compile("system", PLAYBOOKS="A")
    assert two.trace_metadata() == {} and shared.trace_metadata() == {}
    assert one.trace_metadata()["prompt_blocks"][0]["blocks"][0]["sha256"] == block_hash("A")


def test_an_unknown_prompt_names_the_ones_there_are():
    with pytest.raises(KeyError, match=r"has no prompt 'faq' \(has: prompts/frontdesk/system.md\)"):
        active().compile("faq")
