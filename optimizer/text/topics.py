"""What a question is about: content words, a one-word topic, and streaming question clusters.

Words are lowercased, stopwords dropped (function words, question words, pronouns, politeness,
filler verbs, time words), lightly stemmed (plurals, -ing, -ed) and mapped through a small
synonym table of customer-support vocabulary, so "Can I bring my dog?" and "Are pets allowed?"
share the words ``allow`` and ``pet``. Everything is deterministic: no randomness, no model.

Canonical topics come in two kinds. Specific ones (pet, parking, refund, wifi...) say what the
question is about; generic ones (allow, price, hours, booking, change, room, contact, included)
say what about it. ``topic_of`` and cluster labels put specific words first.

Per-call cost matters (``topic_of`` runs on every trace): one lowercase copy, a whitespace
split, and a dict lookup per token in a bounded cache of token -> canonical words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from optimizer.text.redact import excerpt

# Function words, question words, pronouns, auxiliaries, politeness, filler verbs, time words.
_STOPWORD_TEXT = """
a about above after again against ago all almost along already also although always am an and
another any anybody anyone anything anyway anywhere are aren't around as ask asked asking at
available back be because been before being below best better between both but by can can't cannot
could couldn't day days dear did didn't do does doesn't doing don't done down during each either
else enough etc even ever every everyone everything excuse few find for from further get gets
getting give go goes going good got great had hadn't has hasn't have haven't having he hello help
her here hers herself hey hi him himself his how i i'd i'll i'm i've if in info information into is
isn't it it's its itself just kind kindly know last least less let let's like likely look looking
lot make many may maybe me might mine more most much must my myself need needed needs new next nice
night nights no nor not nothing now of off often ok okay on once one only onto or other our ours
ourselves out over own per perhaps please pls plz policies policy possible question questions quick
quite rather really regards say see serve served shall she should shouldn't since so some somebody
someone something sometimes soon still such sure tell than thank thanks thanx that that's the their
theirs them themselves then there there's these they they're thing things think this those though
through thx to today together tomorrow tonight too under until up upon us use very via want wanted
wants was wasn't way we we'd we'll we're we've week weekend weeks well were weren't what what's
whatever when where where's whether which while who who's whom whose why will with within without
won't wonder wondering would wouldn't yeah year yes yesterday yet you you'd you'll you're you've
your yours yourself
able bunch couple loads lots plenty several various whole
"""
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())

# Canonical word -> the words and phrases that mean it. Phrases are two words at most.
_SYNONYMS: dict[str, tuple[str, ...]] = {
    "pet": ("pet", "dog", "puppy", "cat", "kitten", "animal"),
    "allow": ("allow", "permit", "permission", "bring", "accept"),
    "parking": ("park", "parking", "car", "garage", "valet", "vehicle"),
    "refund": ("refund", "reimburse", "reimbursement", "money back", "chargeback", "return", "exchange"),
    "wifi": ("wifi", "wi fi", "internet", "wireless", "wlan"),
    "breakfast": ("breakfast", "brunch", "meal"),
    "restaurant": ("restaurant", "dinner", "lunch", "food", "menu", "dining", "eat"),
    "checkin": ("checkin", "check in", "arrive", "arrival"),
    "checkout": ("checkout", "check out", "depart", "departure"),
    "cancel": ("cancel", "cancellation", "cancelled", "canceled", "cancelling", "canceling"),
    "booking": ("book", "booking", "reservation", "reserve"),
    "change": ("change", "modify", "modification", "reschedule", "amend", "update"),
    "price": ("price", "pricing", "cost", "fee", "rate", "tariff", "charge", "expensive", "cheap", "how much"),
    "payment": ("pay", "paid", "payment", "card", "credit card", "invoice", "bill", "billing", "receipt", "deposit"),
    "discount": ("discount", "coupon", "promo", "promotion", "deal"),
    "giftcard": (
        "giftcard",
        "gift card",
        "gift certificate",
        "gift voucher",
        "gift token",
        "voucher",
        "present card",
        "egift",
        "e gift",
    ),
    "holiday": ("holiday", "bank holiday", "public holiday", "easter", "christmas", "xmas", "new year"),
    "hours": ("hour", "time", "open", "opening", "close", "closing", "schedule"),
    "location": ("address", "location", "locate", "located", "direction", "map", "nearby", "distance"),
    "transport": ("airport", "shuttle", "taxi", "bus", "train", "station", "metro", "subway"),
    "pool": ("pool", "swim", "swimming"),
    "gym": ("gym", "fitness", "workout"),
    "spa": ("spa", "sauna", "massage", "wellness"),
    "room": ("room", "suite"),
    "included": ("include", "included", "free", "complimentary"),
    "luggage": ("luggage", "baggage", "bag", "suitcase"),
    "child": ("child", "children", "kid", "baby", "infant", "toddler", "crib", "cot"),
    "accessibility": (
        "accessible",
        "accessibility",
        "wheelchair",
        "disabled",
        "disability",
        "elevator",
        "lift",
        "ramp",
        "stair",
    ),
    "smoking": ("smoke", "smoking", "cigarette", "vape"),
    "delivery": ("delivery", "deliver", "shipping", "ship", "shipment", "courier", "tracking", "parcel", "package"),
    "warranty": ("warranty", "guarantee"),
    "account": (
        "account",
        "login",
        "log in",
        "sign in",
        "signin",
        "sign up",
        "signup",
        "username",
        "register",
    ),
    "subscription": ("subscription", "subscribe", "unsubscribe", "membership", "renew", "renewal"),
    "contact": ("contact", "phone", "call", "email", "e mail", "reach"),
    "reception": ("reception", "front desk", "concierge", "lobby"),
    "housekeeping": ("housekeeping", "cleaning", "clean", "maid"),
    "aircon": ("aircon", "air conditioning", "ac"),
    "heating": ("heating", "heater", "heat"),
    "laundry": ("laundry", "washing", "iron", "ironing"),
    "key": ("key", "keycard", "key card"),
    "tv": ("tv", "television", "netflix"),
    "noise": ("noise", "noisy", "loud", "quiet"),
    "complaint": ("complaint", "complain"),
}
_GENERIC = frozenset(("allow", "price", "hours", "booking", "change", "room", "contact", "included"))
# How a canonical word reads in a label, where that differs from the word itself.
_LABELS = {"giftcard": "gift cards", "checkin": "check-in", "checkout": "check-out", "aircon": "air conditioning"}
# How a one-word label reads in a sentence ("What should I know about pets?").
_PHRASES = {
    "pet": "pets",
    "refund": "refunds",
    "cancel": "cancellations",
    "child": "children",
    "key": "keys",
    "complaint": "complaints",
    "delivery": "deliveries",
    "payment": "payments",
    "discount": "discounts",
    "holiday": "holidays",
    "booking": "bookings",
    "luggage": "luggage",
    "wifi": "the wifi",
    "tv": "the TV",
    "pool": "the pool",
    "gym": "the gym",
    "spa": "the spa",
    "restaurant": "the restaurant",
    "reception": "reception",
}

_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_ING_KEEP = frozenset(("morning", "evening", "ceiling", "clothing", "wedding", "string", "spring"))
_RESTORE_E = ("at", "bl", "iz", "rg", "nc", "rc", "dg", "ud", "os", "v")


def _stem(word: str) -> str:
    """Light, deterministic suffix stripping: plurals, -ing, -ed. Not a linguist's stemmer."""
    if len(word) <= 3:
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "ches", "shes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    if word.endswith("ing") and len(word) > 5 and word not in _ING_KEEP:
        return _restore(word[:-3])
    if word.endswith("ed") and len(word) > 4 and not word.endswith("eed"):
        return _restore(word[:-2])
    return word


def _restore(stem: str) -> str:
    """Undo what -ing/-ed did to the stem: "swimm" -> "swim", "charg" -> "charge"."""
    if len(stem) > 2 and stem[-1] == stem[-2] and stem[-1] not in "lsz":
        return stem[:-1]
    if stem.endswith(_RESTORE_E) and not stem.endswith("eat"):
        return stem + "e"
    return stem


def _build_tables() -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    canon: dict[str, str] = {}
    pairs: dict[str, dict[str, str]] = {}
    for canonical, variants in _SYNONYMS.items():
        for variant in variants:
            first, _, second = variant.partition(" ")
            if second:
                pairs.setdefault(first, {})[second] = canonical
            else:
                canon.setdefault(variant, canonical)
                canon.setdefault(_stem(variant), canonical)
    return canon, pairs


_CANON, _PAIRS = _build_tables()
_SPECIFIC = frozenset(_SYNONYMS) - _GENERIC
_PAIR_STARTS = frozenset(_PAIRS)

# Raw token (split on whitespace, punctuation and all) -> its canonical words, () for a stopword.
# Vocabulary is Zipfian, so the cache nearly always hits. Once full it is kept as it is (new tokens
# are worked out and not stored): clearing it would throw away the frequent words with the rare.
_TOKEN_CACHE: dict[str, tuple[str, ...]] = {}
_TOKEN_CACHE_MAX = 50_000
_PUNCTUATION = ".,;:!?()[]{}\"'*"
_ASCII_CAPITAL = re.compile("[A-Z]")
_NO_NAMES: frozenset[str] = frozenset()
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")


def _canonicalize(token: str) -> str:
    """One word token -> its canonical content word, or "" for a stopword."""
    if token in _STOPWORDS or token.isdigit() or len(token) < 2:
        return ""
    if token.endswith("'s"):
        token = token[:-2]
    if "'" in token:  # could've, y'all: contractions are function words
        return ""
    canonical = _CANON.get(token)
    if canonical is None:
        stem = _stem(token)
        canonical = _CANON.get(stem, stem)
    return "" if canonical in _STOPWORDS or len(canonical) < 2 else canonical


def _canonical_tokens(tokens: list[str]) -> list[str]:
    """Canonical words of word tokens, merging two-word phrases ("check in", "money back")."""
    words: list[str] = []
    index = 0
    while index < len(tokens):
        pair = _PAIRS.get(tokens[index])
        following = tokens[index + 1] if index + 1 < len(tokens) else ""
        if pair is not None and following and (following in pair or _stem(following) in pair):
            words.append(pair.get(following) or pair[_stem(following)])
            index += 2
            continue
        word = _canonicalize(tokens[index])
        if word:
            words.append(word)
        index += 1
    return words


def _learn(raw: str) -> tuple[str, ...]:
    # An address, a link or a long token with digits (a key, an id, a number) is no topic, and
    # its pieces would carry it into a cluster's keywords unredacted.
    opaque = "@" in raw or "://" in raw or (len(raw) >= 6 and not raw.isalpha() and any(map(str.isdigit, raw)))
    if opaque:
        words: tuple[str, ...] = ()
    elif raw.isascii() and raw.isalpha():  # most new tokens: one word, no punctuation
        word = _canonicalize(raw)
        words = (word,) if word else ()
    else:
        words = tuple(_canonical_tokens(_TOKEN.findall(raw)))
    if len(_TOKEN_CACHE) < _TOKEN_CACHE_MAX:
        _TOKEN_CACHE[raw] = words
    return words


@lru_cache(maxsize=1)  # a trace's first question is read for its topic and, unanswered, by the clusterer
def _words(text: str) -> tuple[str, ...]:
    """Canonical content words of ``text`` in order, repeats included.

    The hot path is a whitespace split and one dict lookup per token. Only when a token can
    start a two-word phrase ("check in", "money back") does it look at the next token.
    """
    return tuple(_read_words(text))


def _read_words(text: str) -> list[str]:
    lowered = text.lower()
    if "\u2019" in lowered:
        lowered = lowered.replace("\u2019", "'")
    tokens = lowered.split()
    if not _PAIR_STARTS.isdisjoint(tokens):
        return _words_with_pairs(tokens)
    words: list[str] = []
    cached_words = _TOKEN_CACHE.get
    for raw in tokens:
        cached = cached_words(raw)
        if cached is None:
            cached = _learn_or_stripped(raw)
        if cached:  # half the tokens are stopwords: ()
            words += cached
    return words


def _learn_or_stripped(raw: str) -> tuple[str, ...]:
    """A token the cache lacks. Once the cache is full, "word?" still reads as a cached "word": a
    plain word's punctuation changes nothing (see ``_learn``), and learning it costs more."""
    word = raw.rstrip(_PUNCTUATION)
    if word != raw and word.isascii() and word.isalpha():
        cached = _TOKEN_CACHE.get(word)
        if cached is not None:
            return cached
    return _learn(raw)


def _words_with_pairs(tokens: list[str]) -> list[str]:
    words: list[str] = []
    skip = False
    for index, raw in enumerate(tokens):
        if skip:
            skip = False
            continue
        pair = _PAIRS.get(raw)
        if pair is not None and index + 1 < len(tokens):
            following = tokens[index + 1].strip(_PUNCTUATION)
            if following not in pair:
                following = _stem(following)  # "gift cards" as "gift card"
            if following in pair:
                words.append(pair[following])
                skip = True
                continue
        cached = _TOKEN_CACHE.get(raw)
        words += _learn(raw) if cached is None else cached
    return words


def content_words(text: str) -> frozenset[str]:
    """The canonical content words of ``text``: lowercased, stopwords out, stemmed, synonyms merged."""
    return frozenset(_words(text))


def same_topic(a: str, b: str) -> bool:
    """Whether two questions are about one topic: a specific topic of the vocabulary (pet, refund,
    gift cards...) named by both, or, for words outside it, most content words in common."""
    words_a, words_b = content_words(a), content_words(b)
    specific = words_a & _SPECIFIC
    if specific:
        return bool(specific & words_b)
    rest_a, rest_b = words_a - _GENERIC, words_b - _GENERIC
    return bool(rest_a and rest_b) and len(rest_a & rest_b) / len(rest_a | rest_b) >= _OVERLAP


def _rank_class(word: str) -> int:
    """0 for a specific topic, 1 for any other word, 2 for a generic topic."""
    return 0 if word in _SPECIFIC else 2 if word in _GENERIC else 1


def _specificity(word: str) -> tuple[int, int, str]:
    """Sort key, most specific first: a specific topic, then any other word (longer first),
    then a generic topic; ties alphabetical."""
    rank = _rank_class(word)
    return (rank, -len(word) if rank == 1 else 0, word)


def label_of(keywords: list[str]) -> str:
    """A cluster's name as a person would say it: its specific topic alone, else two keywords."""
    words = keywords[:1] if keywords[0] in _SPECIFIC else keywords[:2]
    return " ".join(_LABELS.get(word, word) for word in words)


def topic_phrase(label: str) -> str:
    """A label as it reads in a sentence: "pet" -> "pets", "wifi" -> "the wifi"."""
    return _PHRASES.get(label, label)


def _proper_nouns(text: str) -> frozenset[str]:
    """Words capitalised inside a sentence and unknown to the vocabulary: names of people and
    places, never a topic ("Hi, this is German Gonzalez" names nobody's question)."""
    if text.isascii() and _ASCII_CAPITAL.search(text, 1) is None:
        return _NO_NAMES  # the first word is never read as a name, and no other is capitalised
    names = set()
    for sentence in _SENTENCE.split(text):
        for token in sentence.split()[1:]:
            word = token.strip(_PUNCTUATION)
            if word[:1].isupper() and not word.isupper() and word.lower() not in _CANON:
                names.add(_stem(word.lower()))
    return frozenset(names)


def topic_of(text: str) -> str:
    """One cheap label for a first user message: its most specific content word, or "other".

    A specific topic wins (the first in the text if several), then any other word (the longest),
    then a generic topic.
    """
    words = _words(text)
    if not _SPECIFIC.isdisjoint(words):
        for word in words:
            if word in _SPECIFIC:
                return word  # the first one asked about: "a refund, the bell arrived broken" is a refund
    best = ""  # the longest word not generic, ties alphabetical: what _specificity ranks first
    for word in words:
        if word not in _GENERIC and (len(word) > len(best) or (len(word) == len(best) and word < best)):
            best = word
    if best:
        return best
    return min(words) if words else "other"


@dataclass(frozen=True)
class QuestionCluster:
    """Questions about one topic: how many, a few sample trace ids and redacted examples."""

    label: str
    count: int
    trace_ids: tuple[str, ...]
    examples: tuple[str, ...]
    keywords: tuple[str, ...]
    staff_replies: tuple[tuple[str, str], ...] = ()  # (trace id, redacted reply) of staff who answered
    traces: int = 0  # the traces those questions came from (a trace may ask twice)


REPLY_CHARS = 600  # of a staff reply kept as a draft answer
_OVERLAP = 0.5  # shared keywords / the smaller of the two word sets must reach this
_MAX_KEYWORDS = 3
_MAX_WORDS = 64  # distinct words counted per cluster


class _Cluster:
    __slots__ = ("count", "examples", "keywords", "last_trace", "lead", "replies", "trace_ids", "traces", "words")

    def __init__(self) -> None:
        self.count = 0
        self.traces = 0  # distinct traces: a trace's questions arrive together, in stream order
        self.last_trace = ""
        self.words: dict[str, int] = {}
        self.keywords: frozenset[str] = frozenset()
        self.lead = ""  # the first ranked keyword: a question must share it to join
        self.trace_ids: list[str] = []
        self.examples: list[str] = []
        self.replies: list[tuple[str, str]] = []

    def ranked_keywords(self) -> list[str]:
        """Words used by at least half the cluster's questions, most specific first."""
        # Runs on every question a cluster takes: the threshold hoisted, only _specificity's class.
        words, half = self.words, (self.count + 1) // 2  # count * 2 >= self.count
        core = [word for word, count in words.items() if count >= half]
        if not core:  # words spread thin: keep the most frequent, so the cluster keeps a name
            core = [min(words, key=lambda word: (-words[word], word))]
        core.sort(key=lambda word: (_rank_class(word), -words[word], word))
        return core[:_MAX_KEYWORDS]


class QuestionClusterer:
    """Streams questions into at most ``max_clusters`` clusters of similar questions.

    A cluster's keywords are the words used by at least half its questions (three at most),
    most specific first; the first is its lead. A question joins the cluster whose lead it
    contains and whose keywords it overlaps most (shared words over the smaller of the two
    sets, at least one half; ties go to the larger cluster, then the older). So "Dogs?" joins
    "pet allow", while "Can I bring my bike?" does not, and a question sharing only a generic
    word ("how much") does not join a cluster about something specific.

    Otherwise the question opens a new cluster; once ``max_clusters`` exist it is counted in
    ``overflow`` instead, so memory stays bounded whatever the input. Questions with no content
    words ("hi?") are counted in ``ignored``.

    Labels are the first one or two keywords, so the same topic gets the same label however
    it is worded and whatever the order. Sample ids and examples are the first seen.
    """

    def __init__(self, max_clusters: int = 200, samples: int = 5) -> None:
        self.max_clusters = max_clusters
        self.samples = samples
        self.overflow = 0
        self.ignored = 0
        self._clusters: list[_Cluster] = []
        self._by_lead: dict[str, list[int]] = {}  # lead keyword -> clusters led by it

    def add(self, text: str, trace_id: str, staff_reply: str | None = None) -> None:
        """One unanswered question; ``staff_reply``: what a person answered after the hand-off."""
        words = content_words(text)
        names = _proper_nouns(text)
        if names:  # most questions name nobody: no copy of their words
            words -= names
        if not words:
            self.ignored += 1
            return
        position = self._best_match(words)
        if position is None:
            if len(self._clusters) >= self.max_clusters:
                self.overflow += 1
                return
            position = len(self._clusters)
            self._clusters.append(_Cluster())
        self._record(position, words, text, trace_id)
        replies = self._clusters[position].replies
        if staff_reply and len(replies) < self.samples:
            replies.append((trace_id, excerpt(staff_reply, REPLY_CHARS)))

    def _best_match(self, words: frozenset[str]) -> int | None:
        best: int | None = None
        best_key = (0.0, 0, 0)
        for word in words:
            for position in self._by_lead.get(word, ()):
                cluster = self._clusters[position]
                shared = len(words & cluster.keywords) / min(len(words), len(cluster.keywords))
                key = (shared, cluster.count, -position)
                if shared >= _OVERLAP and key > best_key:
                    best, best_key = position, key
        return best

    def _record(self, position: int, words: frozenset[str], text: str, trace_id: str) -> None:
        cluster = self._clusters[position]
        cluster.count += 1
        if trace_id != cluster.last_trace:
            cluster.traces += 1
            cluster.last_trace = trace_id
        for word in words:
            if word in cluster.words:
                cluster.words[word] += 1
            elif len(cluster.words) < _MAX_WORDS:
                cluster.words[word] = 1
        if len(cluster.trace_ids) < self.samples:
            cluster.trace_ids.append(trace_id)
            cluster.examples.append(excerpt(text))
        ranked = cluster.ranked_keywords()
        cluster.keywords = frozenset(ranked)
        if ranked[0] != cluster.lead:
            if cluster.lead:
                led = self._by_lead[cluster.lead]
                led.remove(position)
                if not led:
                    del self._by_lead[cluster.lead]
            self._by_lead.setdefault(ranked[0], []).append(position)
            cluster.lead = ranked[0]

    def clusters(self, min_count: int = 1) -> list[QuestionCluster]:
        """Clusters with at least ``min_count`` questions, largest first, then by label.

        Labels are unique: clusters that ended up with the same label are reported as one. A
        cluster led by a specific topic is labelled by that topic alone, so "Is the hotel dog
        friendly?" and "Can I bring my dog?" are both counted under "pet", however the streaming
        assignment split them.
        """
        by_label: dict[str, QuestionCluster] = {}
        for cluster in sorted(self._clusters, key=lambda c: -c.count):  # the largest names a merged topic
            keywords = cluster.ranked_keywords()
            label = label_of(keywords)
            same = by_label.get(label)
            by_label[label] = QuestionCluster(
                label=label,
                count=cluster.count + (same.count if same else 0),
                trace_ids=((same.trace_ids if same else ()) + tuple(cluster.trace_ids))[: self.samples],
                examples=((same.examples if same else ()) + tuple(cluster.examples))[: self.samples],
                keywords=same.keywords if same else tuple(keywords),
                staff_replies=((same.staff_replies if same else ()) + tuple(cluster.replies))[: self.samples],
                traces=cluster.traces + (same.traces if same else 0),
            )
        found = [cluster for cluster in by_label.values() if cluster.count >= min_count]
        found.sort(key=lambda cluster: (-cluster.count, cluster.label))
        return found
