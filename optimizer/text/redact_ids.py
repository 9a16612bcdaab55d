"""National identifiers in free text: social security, insurance, tax and identity numbers.

Without a label only formats that carry a check (a check letter, a check digit, a mod-97 key)
or a layout nothing else uses (the US 3-2-4 dashes) are masked, so order numbers, dates and
prices stay readable; after a label ("SSN", "passport no.", "DNI", ...) any value with a digit goes.
"""

from __future__ import annotations

import re

from optimizer.text.spans import replace_spans

NATIONAL_ID = "[id]"

# A label that names an identity document or number, then the value.
# Matched on the lowercased text, so the value is lowercase there too: masked by position.
_LABELLED = re.compile(
    r"\b(?:ssn|social[ -]security(?:[ -]number)?|itin|sin|nino|national[ -]insurance(?:[ -]number)?"
    r"|passport|driver'?s?[ -]licen[cs]e|licen[cs]e[ -]number|tax[ -]?id|tin|steuer-?id|steuernummer"
    r"|dni|nie|nif|codice[ -]fiscale|aadhaa?r|pan[ -](?:card|number)|bsn|personnummer|pesel|insee"
    r"|national[ -]id|id[ -](?:card|number)|identity[ -](?:card|number))"
    r"(?:[ -](?:number|no\.?|num|#))?[\s:#=.-]{0,4}"
    r"((?=[a-z0-9-]*[0-9])[a-z0-9][a-z0-9-]{2,}(?: [0-9][a-z0-9-]*){0,3})"
)
# One cheap scan of the lowercased text decides whether the labelled pattern runs at all.
_ID_WORDS = re.compile(
    r"ssn|social|itin|sin\b|nino|insurance|passport|licen|tax|tin\b|steuer|dni|nie|nif|fiscale|aadha|pan\b|bsn"
    r"|personnummer|pesel|insee|id\b|identity"
)

# US social security number, dashed; never 000, 666 or 9xx in the area, 00 in the group, 0000 last.
_SSN = re.compile(r"(?<![0-9A-Za-z-])(?!000|666|9)[0-9]{3}-(?!00)[0-9]{2}-(?!0000)[0-9]{4}(?![0-9A-Za-z-])")
# UK National Insurance number: two letters (a few never used), six digits, a suffix A-D.
_NINO = re.compile(
    r"(?<![A-Za-z0-9])(?!BG|GB|NK|KN|TN|NT|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]"
    r" ?[0-9]{2} ?[0-9]{2} ?[0-9]{2} ?[A-D](?![A-Za-z0-9])"
)
# Spanish DNI and NIE: eight digits (or X/Y/Z and seven) and their check letter.
_DNI = re.compile(r"(?<![A-Za-z0-9])([XYZ]?)([0-9]{7,8})-?([A-Z])(?![A-Za-z0-9])")
_DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"
# Italian codice fiscale: a layout of its own.
_CODICE_FISCALE = re.compile(r"(?<![A-Za-z0-9])[A-Z]{6}[0-9]{2}[A-EHLMPR-T][0-9]{2}[A-Z][0-9]{3}[A-Z](?![A-Za-z0-9])")
# Indian PAN: five letters (the fourth says who holds it), four digits, a letter.
_PAN = re.compile(r"(?<![A-Za-z0-9])[A-Z]{3}[ABCFGHLJPT][A-Z][0-9]{4}[A-Z](?![A-Za-z0-9])")
# Indian Aadhaar: twelve digits in three groups of four, the last a Verhoeff check digit.
_AADHAAR = re.compile(r"(?<![0-9A-Za-z-])[2-9][0-9]{3}([ -])[0-9]{4}\1[0-9]{4}(?![0-9A-Za-z-])")
# French social security number (NIR): sex, year, month, department, commune, order, mod-97 key.
_NIR = re.compile(
    r"(?<![0-9A-Za-z])([12]) ?([0-9]{2}) ?(0[1-9]|1[0-2]|[2-9][0-9]) ?([0-9]{2}|2[AB]) ?([0-9]{3}) ?([0-9]{3})"
    r" ?([0-9]{2})(?![0-9A-Za-z])"
)
_FOUR_DIGITS = re.compile(r"[0-9](?:[^0-9]*[0-9]){3}")
_TWELVE_DIGITS = re.compile(r"[0-9](?:[ -]?[0-9]){11}")  # Aadhaar and NIR hold runs this long


def redact_national_ids(text: str) -> str:
    """``text`` with national identifiers replaced by ``[id]``."""
    lowered = text.lower()
    if _ID_WORDS.search(lowered) and len(lowered) == len(text):
        text = _mask_labelled(text, lowered)
    if "-" in text:
        text = _SSN.sub(NATIONAL_ID, text)
    if _FOUR_DIGITS.search(text) is None:
        return text
    text = _NINO.sub(NATIONAL_ID, text)
    text = _DNI.sub(_dni_or_keep, text)
    text = _CODICE_FISCALE.sub(NATIONAL_ID, text)
    text = _PAN.sub(NATIONAL_ID, text)
    if _TWELVE_DIGITS.search(text) is None:
        return text
    text = _AADHAAR.sub(lambda m: NATIONAL_ID if verhoeff_valid(re.sub("[ -]", "", m.group())) else m.group(), text)
    return _NIR.sub(_nir_or_keep, text)


def _mask_labelled(text: str, lowered: str) -> str:
    return replace_spans(text, (match.span(1) for match in _LABELLED.finditer(lowered)), NATIONAL_ID)


def _dni_or_keep(match: re.Match[str]) -> str:
    prefix, digits, letter = match.groups()
    if prefix:
        if len(digits) != 7:
            return match.group()
        digits = str("XYZ".index(prefix)) + digits
    elif len(digits) != 8:
        return match.group()
    return NATIONAL_ID if _DNI_LETTERS[int(digits) % 23] == letter else match.group()


def _nir_or_keep(match: re.Match[str]) -> str:
    *parts, key = match.groups()
    number = "".join(parts).replace("2A", "19").replace("2B", "18")
    return NATIONAL_ID if 97 - int(number) % 97 == int(key) else match.group()


_VERHOEFF_D = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9), (1, 2, 3, 4, 0, 6, 7, 8, 9, 5), (2, 3, 4, 0, 1, 7, 8, 9, 5, 6),
    (3, 4, 0, 1, 2, 8, 9, 5, 6, 7), (4, 0, 1, 2, 3, 9, 5, 6, 7, 8), (5, 9, 8, 7, 6, 0, 4, 3, 2, 1),
    (6, 5, 9, 8, 7, 1, 0, 4, 3, 2), (7, 6, 5, 9, 8, 2, 1, 0, 4, 3), (8, 7, 6, 5, 9, 3, 2, 1, 0, 4),
    (9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
)  # fmt: skip
_VERHOEFF_P = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9), (1, 5, 7, 6, 2, 8, 3, 0, 9, 4), (5, 8, 0, 3, 7, 9, 6, 1, 4, 2),
    (8, 9, 1, 6, 0, 4, 3, 5, 2, 7), (9, 4, 5, 3, 1, 2, 6, 8, 7, 0), (4, 2, 8, 6, 5, 7, 3, 9, 0, 1),
    (2, 7, 9, 3, 8, 0, 6, 4, 1, 5), (7, 0, 4, 6, 9, 1, 3, 2, 5, 8),
)  # fmt: skip


def verhoeff_valid(digits: str) -> bool:
    """True when the digit string passes the Verhoeff check (Aadhaar numbers carry it)."""
    check = 0
    for index, char in enumerate(reversed(digits)):
        check = _VERHOEFF_D[check][_VERHOEFF_P[index % 8][ord(char) - 48]]
    return check == 0
