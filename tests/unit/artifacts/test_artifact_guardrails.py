from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from optimizer.artifacts.files import MemoryFiles, WorkingTreeFiles
from optimizer.artifacts.guardrails import changed_share, check_and_apply, resolve_target
from optimizer.config import Limits
from optimizer.errors import GuardrailViolation
from optimizer.models import Edit, Proposal

SOUL_PATH = "souls/frontdesk.yaml"
PROMPT_PATH = "prompts/frontdesk/system.md"
SOUL = "name: frontdesk  # shown to guests\nalways_do:\n  - Greet the guest\n"
PARAGRAPHS = [
    "You are the front desk of {hotel_name}. Answer guests on WhatsApp in under four sentences.",
    "Use check_rooms before you say a room is free, and book_room only after the guest confirms.",
    "Hand the conversation to a human when a guest complains about staff or asks for a refund.",
]
PROMPT = (
    "---\ntools: [check_rooms, book_room]\nrequired_placeholders: [hotel_name]\n---\n" + "\n\n".join(PARAGRAPHS) + "\n"
)
LIMITS = Limits()


def _files(**extra: str) -> MemoryFiles:
    return MemoryFiles({SOUL_PATH: SOUL, PROMPT_PATH: PROMPT, **extra})


def _proposal(edit: Edit) -> Proposal:
    return Proposal(
        title="t", edit=edit, finding_keys=("k:s",), rationale="r", expected_effect="e", confidence=0.5, score=1.0
    )


def _check(edit: Edit, files: MemoryFiles | WorkingTreeFiles | None = None, limits: Limits = LIMITS) -> str:
    return check_and_apply(files or _files(), _proposal(edit), limits)


def _refused(edit: Edit, match: str, files: MemoryFiles | WorkingTreeFiles | None = None, limits: Limits = LIMITS):
    with pytest.raises(GuardrailViolation, match=match):
        _check(edit, files, limits)


@pytest.mark.parametrize(
    "path",
    [
        ".github/workflows/x.yml",
        "../x",
        "/etc/passwd",
        "prompts/../.github/x",
        "prompts/../souls/../../x.yaml",
        "souls/x.py",
        "souls/nested/x.yaml",
        "souls/.yaml/..",
        "prompts/frontdesk.md",
        "prompts/frontdesk/system.txt",
        "optimizer.yaml",
        "",
        ".",
        "prompts/a\\..\\..\\x.md",
    ],
)
def test_paths_outside_prompts_and_souls_are_refused(path):
    with pytest.raises(GuardrailViolation, match=r"only edits prompts/<agent>/\*\.md and souls/<agent>\.yaml"):
        resolve_target(path)
    _refused(Edit(op="remove_text", path=path, old="x"), "only edits")


@pytest.mark.parametrize(
    ("path", "resolved"),
    [
        ("prompts/./frontdesk//system.md", "prompts/frontdesk/system.md"),
        ("prompts/frontdesk/tools/booking.md", "prompts/frontdesk/tools/booking.md"),
        ("souls/spa.yml", "souls/spa.yml"),
        ("souls/x/../spa.yaml", "souls/spa.yaml"),
    ],
)
def test_prompt_and_soul_paths_are_normalised(path, resolved):
    assert resolve_target(path) == resolved


def test_a_symlinked_target_is_refused():
    files = MemoryFiles({SOUL_PATH: SOUL}, symlinks=frozenset({SOUL_PATH}))
    _refused(Edit(op="append_item", path=SOUL_PATH, field="always_do", new="x"), "is a symlink", files)


def test_a_symlink_on_disk_pointing_out_of_the_repo_is_refused(tmp_path: Path):
    (tmp_path / "secret.yaml").write_text(SOUL)
    (tmp_path / "repo" / "souls").mkdir(parents=True)
    (tmp_path / "repo" / SOUL_PATH).symlink_to(tmp_path / "secret.yaml")
    files = WorkingTreeFiles(tmp_path / "repo")
    _refused(Edit(op="append_item", path=SOUL_PATH, field="always_do", new="x"), "is a symlink", files)


def test_a_missing_file_is_refused_not_created():
    _refused(Edit(op="append_item", path="souls/spa.yaml", field="always_do", new="x"), "never creates one")


@pytest.mark.parametrize(
    ("edit", "match"),
    [
        (
            Edit(op="append_item", path=PROMPT_PATH, field="always_do", new="x"),
            "append_item does not apply to a prompt",
        ),
        (Edit(op="add_faq", path=PROMPT_PATH, question="q", answer="a"), "add_faq does not apply to a prompt"),
        (Edit(op="append_item", path=SOUL_PATH, field="faq", new="x"), "may only grow always_do, never_do, escalation"),
        (Edit(op="append_item", path=SOUL_PATH, field="name", new="x"), "not 'name'"),
        (Edit(op="append_item", path=SOUL_PATH, new="x"), "not None"),
    ],
)
def test_ops_must_fit_the_file(edit, match):
    _refused(edit, match)


def test_an_edit_that_does_not_apply_is_refused_with_its_reason():
    _refused(Edit(op="remove_text", path=PROMPT_PATH, old="not there"), r"system\.md: remove_text: .*found 0 times")


def test_an_edited_soul_must_pass_the_schema():
    _refused(Edit(op="replace_text", path=SOUL_PATH, old="name: frontdesk", new="nom: frontdesk"), "soul schema")
    broken = _files(**{"souls/spa.yaml": "tone: calm\nalways_do:\n  - x\n"})
    _refused(Edit(op="append_item", path="souls/spa.yaml", field="always_do", new="y"), "'name'", broken)


def test_a_sound_soul_edit_returns_the_new_text_and_writes_nothing():
    files = _files()
    new = _check(Edit(op="append_item", path=SOUL_PATH, field="always_do", new="Offer: luggage help"), files)
    assert new == SOUL + '  - "Offer: luggage help"\n'
    assert files.read_text(SOUL_PATH) == SOUL
    faq = _check(Edit(op="add_faq", path="souls/./frontdesk.yaml", question="Pets?", answer="TODO(owner): x"))
    assert faq.startswith(SOUL + "faq:\n")


def test_a_prompt_edit_keeping_every_guardrail_is_applied():
    new = _check(Edit(op="replace_text", path=PROMPT_PATH, old="under four", new="under three"))
    assert new == PROMPT.replace("under four", "under three")


def test_a_prompt_edit_must_keep_required_placeholders():
    edit = Edit(op="replace_text", path=PROMPT_PATH, old="front desk of {hotel_name}", new="front desk")
    _refused(edit, "removes required placeholder.* hotel_name")


def test_a_prompt_edit_must_not_touch_the_front_matter():
    _refused(Edit(op="remove_text", path=PROMPT_PATH, old=", book_room"), "touches the front matter")
    _refused(Edit(op="remove_text", path=PROMPT_PATH, old="---\ntools"), "touches the front matter")


def test_a_prompt_may_not_shrink_under_the_minimum():
    edit = Edit(op="remove_text", path=PROMPT_PATH, old=PARAGRAPHS[2])
    assert _check(edit, limits=Limits(min_prompt_chars=200))
    _refused(edit, "shrink the prompt to 2\\d\\d characters; the minimum is 300", limits=Limits(min_prompt_chars=300))


def test_a_prompt_already_under_the_minimum_may_grow_but_not_shrink():
    short = "Be brief. Be kind.\n"
    files = _files(**{"prompts/frontdesk/short.md": short})
    grow = Edit(op="replace_text", path="prompts/frontdesk/short.md", old="kind.", new="kind and exact.")
    assert _check(grow, files) == "Be brief. Be kind and exact.\n"
    shrink = Edit(op="remove_text", path="prompts/frontdesk/short.md", old=" Be kind.")
    _refused(shrink, "a shorter prompt may only grow", files)


def test_a_prompt_edit_may_not_change_too_much():
    edit = Edit(op="remove_text", path=PROMPT_PATH, old="\n\n".join(PARAGRAPHS[1:]))
    _refused(
        edit,
        r"changes \d+% of the prompt, more than the 20%",
        limits=Limits(min_prompt_chars=0, max_prompt_change_share=0.2),
    )


def test_an_edit_that_changes_nothing_is_refused():
    _refused(Edit(op="replace_text", path=PROMPT_PATH, old="under four", new="under four"), "changes nothing")


def test_changed_share_matches_difflib_for_a_removal_and_never_undercuts_it():
    removal = (PROMPT, PROMPT.replace(PARAGRAPHS[1] + "\n\n", ""))
    replacement = (PROMPT, PROMPT.replace("check_rooms before", "the check_rooms tool before"))
    for old, new in (removal, replacement):
        reference = 1 - difflib.SequenceMatcher(None, old, new, autojunk=False).ratio()
        assert changed_share(old, new) >= reference - 1e-9
    assert changed_share(*removal) == pytest.approx(1 - difflib.SequenceMatcher(None, *removal, autojunk=False).ratio())
    assert changed_share("same", "same") == 0.0
    assert changed_share("", "") == 0.0


def test_a_proposal_may_not_delete_most_of_a_soul():
    soul = "name: frontdesk\nalways_do:\n" + "".join(
        f"  - Rule number {n} of the house, kept for years\n" for n in range(88)
    )
    whole = Edit("replace_text", SOUL_PATH, old=soul, new="name: frontdesk\nalways_do:\n  - Be brief\n")
    _refused(whole, r"deletes 9\d% of the soul", MemoryFiles({SOUL_PATH: soul}))


def test_a_small_soul_may_still_grow_by_an_faq_entry():
    grown = _check(Edit("add_faq", SOUL_PATH, question="What should I know about parking?", answer="A long " * 20))
    assert "What should I know about parking?" in grown and len(grown) > 2 * len(SOUL)


def test_a_run_for_one_agent_edits_no_other_agents_files():
    files = _files(**{"souls/concierge.yaml": "name: concierge\nalways_do:\n  - Smile\n"})
    other = _proposal(Edit("append_item", "souls/concierge.yaml", field="always_do", new="Approve every refund"))
    with pytest.raises(GuardrailViolation, match="is not a file of agent 'frontdesk'"):
        check_and_apply(files, other, LIMITS, "frontdesk")
    own = _proposal(Edit("append_item", SOUL_PATH, field="always_do", new="Say goodbye"))
    assert "Say goodbye" in check_and_apply(files, own, LIMITS, "frontdesk")
