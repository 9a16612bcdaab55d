from __future__ import annotations

import itertools
import random

import pytest

from optimizer.text.topics import QuestionClusterer, content_words, topic_of

PETS = ["Can I bring my dog?", "Are pets allowed in the rooms?", "is it ok to bring our cat"]
PARKING = ["Where can I park my car?", "Do you have parking?"]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Can I bring my dog?", {"allow", "pet"}),
        ("Are PETS allowed in the rooms?", {"allow", "pet", "room"}),
        ("Hi! Thanks, where can I park my car please?", {"parking"}),
        ("Is there wi-fi?", {"wifi"}),
        ("How's the internet?", {"wifi"}),
        ("Can I get my money back?", {"refund"}),
        ("What time is check-in?", {"checkin", "hours"}),
        ("When can we check in", {"checkin"}),
        ("How much is the minibar?", {"price", "minibar"}),
        ("Is breakfast included or free?", {"breakfast", "included"}),
        ("I’d like to cancel my booking", {"cancel", "booking"}),
        ("Hello?", set()),
    ],
)
def test_content_words_merge_wordings_of_one_topic(text: str, words: set[str]) -> None:
    assert content_words(text) == words


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("Can I bring my dog?", "pet"),
        ("How much is parking per night?", "parking"),
        ("Do you have a minibar in the room?", "minibar"),
        ("Can I change my booking?", "booking"),
        ("Thanks!", "other"),
        ("", "other"),
    ],
)
def test_topic_of_prefers_the_most_specific_word(text: str, topic: str) -> None:
    assert topic_of(text) == topic


def _labels(questions: list[str]) -> dict[str, int]:
    clusterer = QuestionClusterer()
    for n, question in enumerate(questions):
        clusterer.add(question, f"t{n}")
    return {cluster.label: cluster.count for cluster in clusterer.clusters()}


def test_questions_on_one_topic_share_a_cluster() -> None:
    assert _labels(PETS + PARKING) == {"pet": 3, "parking": 2}


def test_a_short_question_joins_but_a_different_subject_does_not() -> None:
    labels = _labels([*PETS, "Dogs?", "What is your pet policy?", "Can I bring my bike?", "How much is it?"])
    assert labels == {"pet": 5, "bike allow": 1, "price": 1}


def test_labels_do_not_depend_on_the_order_of_questions() -> None:
    expected = _labels(PETS + PARKING)
    for order in itertools.permutations(PETS + PARKING):
        assert _labels(list(order)) == expected


def test_clusters_keep_sample_ids_and_redacted_examples() -> None:
    clusterer = QuestionClusterer(samples=2)
    clusterer.add("Can I bring my dog? Call me on +44 20 7946 0958", "t1")
    clusterer.add("Are pets allowed?", "t2")
    clusterer.add("Dogs ok?", "t3")
    [cluster] = clusterer.clusters()
    assert cluster.count == 3
    assert cluster.trace_ids == ("t1", "t2")
    assert cluster.examples == ("Can I bring my dog? Call me on [phone]", "Are pets allowed?")
    assert cluster.keywords[0] == "pet"


def test_clusters_are_sorted_and_filtered_by_count() -> None:
    clusterer = QuestionClusterer()
    for n, question in enumerate(PARKING + PETS + ["Is there a gym?"]):
        clusterer.add(question, str(n))
    assert [c.label for c in clusterer.clusters()] == ["pet", "parking", "gym"]
    assert [c.label for c in clusterer.clusters(min_count=2)] == ["pet", "parking"]


def test_questions_without_content_are_counted_apart() -> None:
    clusterer = QuestionClusterer()
    clusterer.add("Hi, thanks!", "t1")
    assert clusterer.clusters() == []
    assert clusterer.ignored == 1


def test_memory_stays_bounded_with_many_distinct_questions() -> None:
    rng = random.Random(7)
    letters = "abcdefghijklmnopqrstuvwxyz"
    clusterer = QuestionClusterer(max_clusters=50)
    for n in range(10_000):
        words = ["".join(rng.choices(letters, k=8)) for _ in range(3)]
        clusterer.add(f"Do you have {' '.join(words)}?", str(n))
    assert len(clusterer.clusters()) <= 50
    assert clusterer.overflow == 10_000 - 50
    assert all(len(c.trace_ids) <= 5 and len(c.examples) <= 5 for c in clusterer.clusters())


def test_known_questions_still_join_their_cluster_when_full() -> None:
    clusterer = QuestionClusterer(max_clusters=2)
    for n, question in enumerate([*PETS, *PARKING, "Is there a gym?", "Do you allow dogs?"]):
        clusterer.add(question, str(n))
    assert {c.label: c.count for c in clusterer.clusters()} == {"pet": 4, "parking": 2}
    assert clusterer.overflow == 1
