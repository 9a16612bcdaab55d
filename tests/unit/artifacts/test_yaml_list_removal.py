"""Removing items from a soul's block list: every other byte kept, or nothing done."""

from __future__ import annotations

import pytest
import yaml

from optimizer.artifacts.yaml_lists import remove_items
from optimizer.errors import EditError

SOUL = """\
name: frontdesk
# The team checked these.
faq:
  - question: Parking?
    answer: >-
      Yes, behind the hotel.
  # Added by the optimizer:
  - question: Dogs?
    answer: "TODO(owner): write the answer"
    source: to be written by the owner
  - question: Breakfast?
    answer: From 7am.
closing: Bye.
"""


def test_one_item_goes_and_every_other_byte_stays():
    text = remove_items("souls/frontdesk.yaml", SOUL, "faq", [1])
    assert text == SOUL.replace(
        '  - question: Dogs?\n    answer: "TODO(owner): write the answer"\n    source: to be written by the owner\n', ""
    )
    assert [entry["question"] for entry in yaml.safe_load(text)["faq"]] == ["Parking?", "Breakfast?"]


def test_removing_every_item_removes_the_key_and_keeps_its_neighbours():
    text = remove_items("souls/frontdesk.yaml", SOUL, "faq", [0, 1, 2])
    assert yaml.safe_load(text) == {"name": "frontdesk", "closing": "Bye."}
    assert text.startswith("name: frontdesk\n# The team checked these.\n") and text.endswith("closing: Bye.\n")


def test_the_last_item_of_a_file_without_a_final_newline():
    text = remove_items("s.yaml", "faq:\n  - question: A?\n    answer: a\n  - question: B?\n    answer: ''", "faq", [1])
    assert yaml.safe_load(text) == {"faq": [{"question": "A?", "answer": "a"}]}


@pytest.mark.parametrize(
    "text",
    [
        "faq: [{question: A?, answer: a}]\n",  # a flow list: never rewritten
        "faq: none\n",
        "faq:\n  - question: A?\n    answer: a\nfaq:\n  - question: B?\n    answer: b\n",  # a duplicate key
    ],
)
def test_anything_but_a_clean_cut_is_refused(text):
    with pytest.raises(EditError, match=r"s\.yaml"):
        remove_items("s.yaml", text, "faq", [0])
