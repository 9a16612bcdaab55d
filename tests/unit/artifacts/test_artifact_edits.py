from __future__ import annotations

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from optimizer.artifacts.edits import apply_edit
from optimizer.artifacts.scalars import yaml_scalar
from optimizer.errors import EditError
from optimizer.models import Edit

SOUL = "souls/fd.yaml"
PROMPT = "prompts/fd/system.md"


def _remove(text: str, old: str) -> str:
    return apply_edit(text, Edit(op="remove_text", path=PROMPT, old=old))


def _append(text: str, item: str, field: str = "always_do") -> str:
    return apply_edit(text, Edit(op="append_item", path=SOUL, field=field, new=item))


def test_remove_text_closes_the_gap_a_paragraph_leaves():
    text = "# T\n\nOne.\n\nTwo.\n\nThree.\n"
    assert _remove(text, "Two.\n") == "# T\n\nOne.\n\nThree.\n"
    assert _remove(text, "Two.") == "# T\n\nOne.\n\nThree.\n"
    assert _remove(text, "\nTwo.\n") == "# T\n\nOne.\n\nThree.\n"


def test_remove_text_keeps_gaps_away_from_the_removal_point():
    text = "A\n\n\nB\n\nC\n\n\nD\n"
    assert _remove(text, "C\n") == "A\n\n\nB\n\n\nD\n"  # the wider gap below C was already there


def test_remove_text_inside_a_line_touches_no_newline():
    assert _remove("Be brief, polite and kind.\n", " polite and") == "Be brief, kind.\n"


def test_remove_text_at_either_end_of_the_file_leaves_no_blank_line():
    assert _remove("A\n\nB\n", "B\n") == "A\n"
    assert _remove("A\n\nB\n", "A\n") == "B\n"


def test_remove_text_in_a_crlf_file_matches_lf_text():
    text = "A\r\n\r\nB\r\nB2\r\n\r\nC\r\n"
    assert _remove(text, "B\nB2\n") == "A\r\n\r\nC\r\n"


@pytest.mark.parametrize(
    ("text", "old", "found"),
    [("A\nB\n", "C", "found 0 times"), ("A\nA\n", "A", "found 2 times"), ("aaa", "aa", "found 2 times")],
)
def test_remove_and_replace_need_exactly_one_occurrence(text, old, found):
    for edit in (Edit(op="remove_text", path=PROMPT, old=old), Edit(op="replace_text", path=PROMPT, old=old, new="x")):
        with pytest.raises(EditError, match=rf"^prompts/fd/system\.md: {edit.op}: .*{found}"):
            apply_edit(text, edit)


def test_replace_text_changes_only_that_span():
    text = "Say hello.\r\nSay goodbye.\r\n"
    edit = Edit(op="replace_text", path=PROMPT, old="hello.\nSay", new="hi.\nThen say")
    assert apply_edit(text, edit) == "Say hi.\r\nThen say goodbye.\r\n"


@pytest.mark.parametrize(
    "edit",
    [
        Edit(op="remove_text", path=PROMPT),
        Edit(op="remove_text", path=PROMPT, old=""),
        Edit(op="replace_text", path=PROMPT, old="a"),
        Edit(op="append_item", path=SOUL, new="x"),
        Edit(op="append_item", path=SOUL, field="always_do"),
        Edit(op="add_faq", path=SOUL, answer="a"),
        Edit(op="add_faq", path=SOUL, question="q"),
    ],
)
def test_edits_missing_their_parts_are_refused(edit):
    with pytest.raises(EditError, match="needs a non-empty"):
        apply_edit("name: a\nalways_do:\n  - x\n", edit)


def test_unknown_op_is_refused():
    with pytest.raises(EditError, match="unknown edit op 'rewrite'"):
        apply_edit("x", Edit(op="rewrite", path=PROMPT))


def test_append_item_after_a_trailing_comment_on_the_last_item():
    text = "always_do:\n  - a  # why a\n# about b\nnever_do:\n  - b\n"
    assert _append(text, "c") == "always_do:\n  - a  # why a\n  - c\n# about b\nnever_do:\n  - b\n"


def test_append_item_after_a_multi_line_plain_item():
    text = "always_do:\n  - a long rule\n    that wraps\n\nname: x\n"
    assert _append(text, "c") == "always_do:\n  - a long rule\n    that wraps\n  - c\n\nname: x\n"


def test_append_item_to_a_list_ending_the_file_without_newline():
    assert _append("name: x\nalways_do:\n  - a", "b") == "name: x\nalways_do:\n  - a\n  - b\n"


def test_append_item_creates_a_missing_key_in_an_empty_file():
    assert _append("", "Greet") == "always_do:\n  - Greet\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name: x\nalways_do:\n", r"line 2: 'always_do' is not a list"),
        ("name: x\nalways_do: greet\n", r"line 2: 'always_do' is not a list"),
        ("name: x\nalways_do: {a: 1}\n", r"line 2: 'always_do' is not a list"),
        ("always_do: [a]\n", r"line 1: 'always_do' is a flow sequence"),
        ("always_do:\n  -\n    a\n", r"line 3: cannot tell the list style"),
        ("- a\n", r"the top level is not a mapping"),
        ("name: a\n---\nname: b\n", r"is not valid YAML"),
        ("name: [\n", r"is not valid YAML"),
    ],
)
def test_append_item_refuses_what_it_would_have_to_rewrite(text, message):
    with pytest.raises(EditError, match=rf"^souls/fd\.yaml: {message}"):
        _append(text, "c")


def test_append_item_refuses_a_list_shared_through_an_alias():
    text = "base: &rules\n  - a\nalways_do: *rules\n"
    with pytest.raises(EditError, match="would not read back as exactly one new item"):
        _append(text, "c")


def test_add_faq_creates_the_faq_key_when_absent():
    edit = Edit(op="add_faq", path=SOUL, question="Pets?", answer="TODO(owner): answer")
    assert apply_edit("name: a\n", edit) == 'name: a\nfaq:\n  - question: Pets?\n    answer: "TODO(owner): answer"\n'


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("Greet the guest", "Greet the guest"),
        ("café, bar & pool", "café, bar & pool"),
        ("yes", '"yes"'),
        ("123", '"123"'),
        ("null", '"null"'),
        ("", '""'),
        (" padded", '" padded"'),
        ("Say: thanks", '"Say: thanks"'),
        ("Room 4 #quiet", '"Room 4 #quiet"'),
        ("- dash", '"- dash"'),
        ("'quoted'", "\"'quoted'\""),
        ("two\nlines", '"two\\nlines"'),
        ("line\u2028separator", '"line\\u2028separator"'),
    ],
)
def test_scalars_are_plain_only_when_that_reads_back_the_same(value, written):
    assert yaml_scalar(value) == written
    assert yaml.safe_load(f"k: {written}") == {"k": value}


LAYOUTS = [
    "name: fd\nalways_do:\n  - Greet\n  # note\n  - 'Quote'  # why\n\n# tail\n",
    "name: fd\nalways_do:\n- Greet\nnever_do:\n- x\n",
    "name: fd\r\nalways_do:\r\n    - Greet\r\n",
    "name: fd\n",
    "name: fd\nfaq:\n  - question: q\n    answer: |\n      multi\n      line\n\n",
]
TRICKY = st.text(alphabet=st.sampled_from(list("a -:#'\"\\{}[]&*!|>%@`,?\t\né☃\u2028\x85\x7f\r")), max_size=12)


@given(layout=st.sampled_from(LAYOUTS), item=st.one_of(st.text(min_size=1), TRICKY.filter(bool)))
def test_append_item_reads_back_as_the_list_plus_exactly_that_string(layout, item):
    before = yaml.safe_load(layout)
    after = _append(layout, item)
    assert yaml.safe_load(after) == {**before, "always_do": [*before.get("always_do", []), item]}


@given(layout=st.sampled_from(LAYOUTS), question=st.text(min_size=1), answer=st.one_of(st.text(), TRICKY))
def test_add_faq_reads_back_as_the_faq_plus_exactly_that_entry(layout, question, answer):
    before = yaml.safe_load(layout)
    after = apply_edit(layout, Edit(op="add_faq", path=SOUL, question=question, answer=answer))
    entry = {"question": question, "answer": answer}
    assert yaml.safe_load(after) == {**before, "faq": [*before.get("faq", []), entry]}
