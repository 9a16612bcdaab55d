"""People's names and postal addresses in free text, found by the words around them.

A support conversation names people where it greets, signs off, introduces someone or uses a
title ("Hi Rachel,", "Kind regards, Rachel Wright", "my name is ...", "Mrs Wright"); addresses
show as a house number before a street word, a street word before a house number, or a postcode.
Found by those cues, not by a list of names: a list misses most names and masks words that are
names too (May, Will, Grace, Paris); the cues catch any name where one is written.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from optimizer.text.spans import replace_spans

NAME = "[name]"
ADDRESS = "[address]"

# A capitalised word (any script with case), or an initial: "Rachel", "O'Brien", "Zoë", "J.".
_WORD = r"(?:[^\W\d_][^\W\d_'’-]*(?:['’-][^\W\d_]+)*|[^\W\d_]\.)"
_NAME_RUN = _WORD + r"(?:[ \t]+" + _WORD + r"){0,3}"
_TITLE = r"(?:mr|mrs|ms|miss|mx|dr|prof|sir|dame|lady|lord|herr|frau|mme|mlle|monsieur|madame|señora?|sra?|signora?)"

_GREETING = r"(?:hi|hello|hey|hiya|dear|good (?:morning|afternoon|evening)|morning|welcome|greetings)"
_SIGN_OFF = (
    r"(?:(?:kind|best|warm|warmest|many|with)\s+(?:regards|wishes|thanks)|regards|sincerely|yours(?:\s+(?:sincerely"
    r"|truly|faithfully))?|cheers|thanks|thank you|many thanks|best|all the best|take care|love|cordialement"
    r"|mit freundlichen grüßen|saludos|cordiali saluti|signed)"
)
_INTRODUCTION = (
    r"(?:my name is|my name's|name is|this is|i am|i'm|it's|call me|speaking with|spoke (?:to|with)|ask for"
    r"|booked under|under the name(?: of)?|in the name of|reservation for|booking for|on behalf of"
    r"|(?:guest|customer|contact|full|first|last|sur|family|holder'?s?|card ?holder)[ _-]?name\s*[:=]?"
    r"|guest\s*:|name\s*[:=]|from\s*:|to\s*:|signed\s*:)"
)
# The cue is matched ignoring case; the name must still be capitalised (checked by the callback).
# Matched on the lowercased text (cheap: no case folding while matching); whether the words after
# the cue are capitalised is read from the original text at the same place.
_CUED_NAME = re.compile(
    r"(?<![\w])(?:(?:" + _GREETING + r")[ \t]*,?[ \t]+(?:" + _TITLE + r"\.?[ \t]+)?"
    r"|(?:" + _SIGN_OFF + r")[ \t]*(?:,|!|\.|[ \t]*\n)[ \t\r\n]*(?:[-–—][ \t]*)?(?:" + _TITLE + r"\.?[ \t]+)?"
    r"|(?:" + _INTRODUCTION + r")[ \t]*(?:" + _TITLE + r"\.?[ \t]+)?"
    r"|(?<![\w])" + _TITLE + r"\.?[ \t]+)"
    r"(" + _NAME_RUN + r")"
)
# Where a cue may start, found case-sensitively in the lowercased text (a case-insensitive scan
# costs ten times more); the full pattern is then tried at those places only.
_CUE_START = re.compile(
    r"\b(?:hi|hello|hey|dear|good|morning|welcome|greetings|kind|best|warm|many|with|regards|sincerely|yours|cheers"
    r"|thank|love|all the|take care|cordialement|mit freundlichen|saludos|cordiali|signed|my name|name|this is"
    r"|i am|i'm|it's|call me|speaking|spoke|ask for|booked|under the|in the name|reservation|booking|on behalf|guest"
    r"|customer|contact|full|first|last|sur|family|holder|card|from|to|mr|ms|miss|dr|prof|sir|dame|lady|lord|herr"
    r"|frau|mme|mlle|monsieur|madame|se|sr|signor)(?=[\s.,:;!'’=_a-z])"
)
# Words that follow a greeting or a sign-off capitalised but name nobody.
_NOT_NAMES_TEXT = (
    "there all everyone everybody team guys folks friends again so for you very much a an the and i we it "
    "this that is are was please sorry ok okay yes no not sure here back in at on to of our your my me us "
    "who what when where how why which can could would will should do does did have has had just also "
    "again anyway reception support staff sir madam hotel front desk guest customer booking reservation "
    "room check thanks thank regards kind best hello hi hey dear good morning afternoon evening night "
    "interested great happy glad fine new looking calling writing trying wondering staying coming "
    "arriving leaving checking still really unable able afraid confused disappointed late early away done "
    "ready "
)
_NOT_NAMES = frozenset(_NOT_NAMES_TEXT.split())

_STREET_WORD = (
    r"(?:street|st|road|rd|avenue|ave|av|boulevard|blvd|lane|ln|drive|dr|court|ct|place|pl|square|sq|terrace|way"
    r"|close|crescent|parkway|pkwy|highway|hwy|row|mews|gardens|grove|hill|walk|alley|circle|cir|trail|plaza)"
)
_ADDRESS = re.compile(
    # 221B Baker Street, 1600 Pennsylvania Avenue NW, 12 rue de la Paix
    r"[0-9](?<![\w.,-][0-9])[0-9]{0,4}[A-Za-z]?(?:[-/][0-9]{1,5})?,?[ \t]+"
    r"(?:(?:" + _WORD + r"[ \t]+){1,4}(?i:" + _STREET_WORD + r")\b\.?(?:[ \t]+(?:N|S|E|W|NE|NW|SE|SW)\b)?"
    r"|(?i:rue|avenue|boulevard|bd|place|chemin|allée|impasse|quai|route|via|viale|piazza|corso|calle|avenida|paseo"
    r"|plaza|carrer|rua)[ \t]+(?:[\w'’-]+[ \t]+){0,3}" + _WORD + r")"
    r"|(?:Calle|Avenida|Paseo|Plaza|Via|Viale|Piazza|Corso|Carrer|Rua)[ \t]+(?:" + _WORD + r"[ \t]+){1,3}"
    r"[0-9]{1,4}\b"
    # PO Box 123
    r"|[Pp](?<![\w][Pp])\.? ?[Oo]\.? [Bb][Oo][Xx][ \t]+[0-9]+"
)
# Hauptstraße 5, Kerkstraat 12: the street word is the end of a word, so it is looked for first.
_SUFFIXED_STREET = re.compile(
    r"[^\W\d_]+(?:straße|strasse|str\.|weg|gasse|platz|allee|ring|straat|laan|gracht|plein|vej|gatan|gata|veien)"
    r"[ \t]+[0-9]{1,4}[a-z]?\b"
)
_STREET_SUFFIX = re.compile(r"stra|str\.|weg|gasse|platz|allee|ring|laan|gracht|plein|vej|gat|veien")
# Postcodes that are unmistakable: British (SW1A 1AA), Canadian (K1A 0B1), US ZIP after a state.
_POSTCODE = re.compile(
    r"[A-Z](?<![\w][A-Z])(?:[A-Z]?[0-9][A-Z0-9]? [0-9][ABD-HJLNP-UW-Z]{2}"
    r"|(?<=[ABCEGHJ-NPRSTVXY])[0-9][A-Z] [0-9][A-Z][0-9]"
    r"|[A-Z] [0-9]{5}(?:-[0-9]{4})?)(?![\w])"
)
_US_STATES_TEXT = (
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH "
    "OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR"
)
_US_STATES = frozenset(_US_STATES_TEXT.split())


# A name alone on the last line, after a blank one: how a short message is signed ("...?\n\nRachel").
_SIGNATURE = re.compile(r"\n[ \t]*\n[ \t]*(" + _NAME_RUN + r")[ \t]*\Z")


def redact_people(text: str) -> str:
    """``text`` with names in greetings, sign-offs and introductions, and postal addresses, masked."""
    if "\n" in text:
        text = _SIGNATURE.sub(_name_or_keep, text)
    return _redact_names(redact_addresses(text))


def redact_addresses(text: str) -> str:
    """``text`` with street addresses and postcodes replaced by ``[address]``."""
    if not _has_digit(text):
        return text
    text = _ADDRESS.sub(ADDRESS, text)
    lowered = text.lower()
    if _STREET_SUFFIX.search(lowered):
        text = _suffixed_streets(text, lowered)
    return _POSTCODE.sub(_postcode_or_keep, text)


def _redact_names(text: str) -> str:
    lowered = text.lower()
    if len(lowered) != len(text):  # only U+0130 lowercases to two characters
        lowered = text.replace("\u0130", "I").lower()
    return replace_spans(text, _name_spans(text, lowered), NAME)


def _name_spans(text: str, lowered: str) -> Iterator[tuple[int, int]]:
    """Where a cue is followed by capitalised words: the words' span, in order."""
    last = 0
    for cue in _CUE_START.finditer(lowered):
        if cue.start() < last:
            continue
        match = _CUED_NAME.match(lowered, cue.start())
        if match is None:
            continue
        start, end = match.span(1)
        name_end = _name_end(text[start:end])
        if name_end is not None:
            last = start + name_end
            yield start, last


def _suffixed_streets(text: str, lowered: str) -> str:
    """Matched in the lowercased text (same length when it matters), masked in the original."""
    if len(lowered) != len(text):
        return text
    return replace_spans(text, (match.span() for match in _SUFFIXED_STREET.finditer(lowered)), ADDRESS)


def _postcode_or_keep(match: re.Match[str]) -> str:
    found = match.group()
    is_zip = len(found) >= 8 and found[2] == " " and found[3:8].isdigit()
    return ADDRESS if not is_zip or found[:2] in _US_STATES else found


def _has_digit(text: str) -> bool:
    return _DIGIT.search(text) is not None


_DIGIT = re.compile(r"[0-9]")


def _name_or_keep(match: re.Match[str]) -> str:
    name_end = _name_end(match.group(1))
    if name_end is None:
        return match.group()
    start = match.start(1) - match.start()
    whole = match.group()
    return whole[:start] + NAME + whole[start + name_end :]


def _name_end(words: str) -> int | None:
    """Where the capitalised words at the start of ``words`` end, up to the first that names nobody."""
    name_end = None
    for word in _WORDS.finditer(words):
        text = word.group()
        if not text[0].isupper() or text.lower().strip(".") in _NOT_NAMES:
            break
        name_end = word.end()
    return name_end


_WORDS = re.compile(r"\S+")
