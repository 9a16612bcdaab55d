from __future__ import annotations

from optimizer.text.blocks import estimate_tokens, find_duplicate_blocks

RULES = (
    "Always greet the guest by name and keep answers short, friendly and factual.\n"
    "Never promise refunds without checking the cancellation policy first."
)
TOOLS = "Use the availability tool before quoting a price or a date; never guess a rate, a fee or a date."


def test_a_block_repeated_in_one_file_is_found_with_both_offsets() -> None:
    body = f"# Agent\n\n{RULES}\n\n## Later\n\n{RULES}\n"
    [block] = find_duplicate_blocks([("prompts/a/system.md", body)])
    second = body.index(RULES, 1 + body.index(RULES))
    assert block.occurrences == (("prompts/a/system.md", body.index(RULES)), ("prompts/a/system.md", second))
    assert block.text == RULES
    assert block.copies == (RULES, RULES)
    assert block.tokens_per_copy == estimate_tokens(RULES)
    assert block.wasted_tokens == block.tokens_per_copy


def test_a_run_across_two_files_is_reported_once_as_a_whole() -> None:
    first = f"## Rules\n\n{RULES}\n\n{TOOLS}\n\n## Tools\n\nbooking, payments\n"
    second = f"## Style\n\n{RULES}\n\n{TOOLS}\n\n## Other\n\nsomething else\n"
    [block] = find_duplicate_blocks([("a.md", first), ("b.md", second)])
    assert block.text == f"{RULES}\n\n{TOOLS}"
    assert [path for path, _ in block.occurrences] == ["a.md", "b.md"]


def test_copies_that_differ_in_whitespace_match_and_keep_their_exact_text() -> None:
    rewrapped = RULES.replace(" and keep", "\n  and   keep")
    [block] = find_duplicate_blocks([("a.md", RULES + "\n"), ("b.md", "Intro.\n\n" + rewrapped + "\n")])
    assert block.copies == (RULES, rewrapped)
    assert block.occurrences == (("a.md", 0), ("b.md", len("Intro.\n\n")))
    assert ("b.md", 0) not in block.occurrences


def test_a_placeholder_inside_a_duplicated_block_is_still_reported() -> None:
    shared = f"{RULES}\n\n{{{{PLAYBOOKS}}}}"
    [block] = find_duplicate_blocks([("a.md", shared + "\n\nA.\n"), ("b.md", "B.\n\n" + shared + "\n")])
    assert "{{PLAYBOOKS}}" in block.text


def test_a_paragraph_repeated_outside_a_reported_run_is_reported_for_that_copy() -> None:
    first = f"{RULES}\n\n{TOOLS}\n"
    second = f"{RULES}\n\n{TOOLS}\n\nMiddle.\n\n{RULES}\n"
    run, single = find_duplicate_blocks([("a.md", first), ("b.md", second)])
    assert run.text == f"{RULES}\n\n{TOOLS}"
    assert single.text == RULES
    assert single.occurrences == (("a.md", 0), ("b.md", second.rindex(RULES)))


def test_short_blocks_and_lone_headings_are_ignored() -> None:
    body = "## Rules\n\nBe kind.\n\n## Rules\n\nBe kind.\n"
    assert find_duplicate_blocks([("a.md", body)]) == []
    assert find_duplicate_blocks([("a.md", "## A long heading that repeats itself\n\n" * 3)], min_chars=1) == []


def test_a_trailing_heading_is_left_to_its_own_section() -> None:
    body = f"{RULES}\n\n## Tools\n\nA.\n\n{RULES}\n\n## Tools\n\nB.\n"
    [block] = find_duplicate_blocks([("a.md", body)])
    assert block.text == RULES


def test_fenced_code_with_blank_lines_is_one_block() -> None:
    code = "```yaml\nrules:\n\n  - be kind to every guest, always, in every message you send them\n\n  - be brief\n```"
    [block] = find_duplicate_blocks([("a.md", code + "\n"), ("b.md", "Intro.\n\n" + code + "\n")])
    assert block.text == code


def test_raising_min_chars_only_drops_blocks() -> None:
    docs = [
        ("a.md", f"{RULES}\n\nBe kind.\n\nA.\n\n{TOOLS}\n"),
        ("b.md", f"{TOOLS}\n\nB.\n\nBe kind.\n\n{RULES}\n"),
    ]
    everything = find_duplicate_blocks(docs, min_chars=1)
    kept = find_duplicate_blocks(docs, min_chars=80)
    assert [block.text for block in kept] == [RULES, TOOLS]
    assert len(everything) == 3
    assert all(block in everything for block in kept)


def test_estimate_tokens_is_about_four_characters_each() -> None:
    assert estimate_tokens("") == 0
    assert estimate_tokens("abcd") == 1
    assert estimate_tokens("a" * 401) == 101
