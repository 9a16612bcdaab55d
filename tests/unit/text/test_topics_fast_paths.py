"""The shortcuts of the topic reader give what the plain definitions give, on generated text.

The plain definitions are written out here as the oracle: the ranking of ``_specificity`` for
``topic_of``, every sentence read for ``_proper_nouns``, the general tokenizer for a new token.
"""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from optimizer.text import topics
from optimizer.text.topics import QuestionClusterer, topic_of

VOCABULARY = [
    "dog",
    "pets",
    "parking",
    "Parking",
    "car",
    "refund",
    "money",
    "back",
    "check",
    "in",
    "wifi",
    "minibar",
    "Gonzalez",
    "German",
    "Maria",
    "LONDON",
    "Zoë",
    "café",
    "kalomiven",
    "torsa",
    "price",
    "booking",
    "room",
    "hours",
    "open",
    "gift",
    "cards",
    "key",
    "card",
    "HLH-35093",
    "sk-test-1234567",
    "a@b.co",
    "2",
    "it's",
    "could've",
    "I",
    "the",
    "Hi,",
    "thanks!",
    "dog?",
    "(pets)",
    "check-in",
    "Wi-Fi",
    "12345678",
    "e-mail",
]
texts = st.lists(
    st.one_of(st.sampled_from(VOCABULARY), st.text(alphabet="abcXYZé'?!.,- 019", max_size=12)), max_size=14
).map(lambda words: " ".join(words))
separators = st.sampled_from([" ", ". ", "\n", "? ", " "])
sentences = st.lists(texts, min_size=1, max_size=3).flatmap(lambda parts: separators.map(lambda sep: sep.join(parts)))


def topic_by_ranking(text: str) -> str:
    words = topics._read_words(text)
    for word in words:
        if word in topics._SPECIFIC:
            return word
    return min(words, key=topics._specificity) if words else "other"


def names_in_every_sentence(text: str) -> frozenset[str]:
    names = set()
    for sentence in topics._SENTENCE.split(text):
        for token in sentence.split()[1:]:
            word = token.strip(topics._PUNCTUATION)
            if word[:1].isupper() and not word.isupper() and word.lower() not in topics._CANON:
                names.add(topics._stem(word.lower()))
    return frozenset(names)


@settings(max_examples=400, deadline=None)
@given(sentences)
def test_topic_of_is_the_most_specific_word(text: str) -> None:
    assert topic_of(text) == topic_by_ranking(text)


@settings(max_examples=400, deadline=None)
@given(sentences)
@example("Do you have a room? Maria asked")
def test_names_are_found_with_or_without_the_shortcut(text: str) -> None:
    assert topics._proper_nouns(text) == names_in_every_sentence(text)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyzé'?.0123456789@:/", min_size=1, max_size=14))
@example("check")  # starts a two-word phrase ("check in"), a word of its own when alone
@example("gift")
def test_a_new_token_reads_as_the_general_tokenizer_reads_it(raw: str) -> None:
    topics._TOKEN_CACHE.pop(raw, None)
    learned = topics._learn(raw)
    opaque = "@" in raw or "://" in raw or (len(raw) >= 6 and any(char.isdigit() for char in raw))
    assert learned == (() if opaque else tuple(topics._canonical_tokens(topics._TOKEN.findall(raw))))


def test_the_token_cache_keeps_its_words_when_full(monkeypatch) -> None:
    monkeypatch.setattr(topics, "_TOKEN_CACHE", {"dog": ("pet",)})
    monkeypatch.setattr(topics, "_TOKEN_CACHE_MAX", 1)
    assert topic_of("kalomiven torsa") == "kalomiven"
    assert topics._TOKEN_CACHE == {"dog": ("pet",)}  # nothing cleared, nothing added past the bound
    assert topic_of("my dog") == "pet"


def test_a_question_read_twice_in_a_row_clusters_as_once() -> None:
    question = "Can I bring my dog?"
    clusterer = QuestionClusterer()
    assert topic_of(question) == "pet"  # the topic is read first, the clusterer reads the same text again
    clusterer.add(question, "t1")
    [cluster] = clusterer.clusters()
    assert (cluster.label, cluster.count, cluster.keywords) == ("pet", 1, ("pet", "allow"))
