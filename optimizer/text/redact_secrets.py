"""Secrets in free text: tokens known by their format, private keys, passwords in URLs, labelled values.

The formats are the ones the maintained secret scanners know (Yelp's detect-secrets plugins and
gitleaks' rules): a test runs detect-secrets over the same samples, so a format it learns and we
miss shows up as a failing case. detect-secrets itself is not used at run time: its plugins import
``requests`` and read a global settings object, and the analysis core loads no client library.
"""

from __future__ import annotations

import re

from optimizer.text.spans import replace_spans

SECRET = "[secret]"  # noqa: S105 (the label that replaces a secret)

# Tokens recognisable by their shape. Each alternative starts with a literal or a narrow class, so
# the engine skips ahead to candidates; the gate below skips the whole pattern when no prefix occurs.
_TOKEN = re.compile(
    r"(?<![A-Za-z0-9_-])(?:"
    r"sk-[A-Za-z0-9_-]{16,}"  # Anthropic, OpenAI
    r"|(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{10,}"  # Stripe secret, restricted, publishable keys
    r"|whsec_[A-Za-z0-9]{16,}"  # Stripe webhook signing secret
    r"|gh[pousr]_[A-Za-z0-9]{20,}"  # GitHub
    r"|github_pat_[A-Za-z0-9_]{20,}"
    r"|gl(?:pat|dt|rt|ptt|cbt|imt|oas|ft)-[A-Za-z0-9_-]{20,}"  # GitLab
    r"|xox[abeprs]-[A-Za-z0-9-]{10,}"  # Slack
    r"|(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[0-9A-Z]{16}"  # AWS access key ids
    r"|AIza[0-9A-Za-z_-]{35}"  # Google API key
    r"|ya29\.[0-9A-Za-z_-]{20,}"  # Google OAuth access token
    r"|SK[0-9a-fA-F]{32}|AC[0-9a-f]{32}"  # Twilio
    r"|SG\.[A-Za-z0-9_-]{16,32}\.[A-Za-z0-9_-]{16,64}"  # SendGrid
    r"|[0-9a-f]{32}-us[0-9]{1,2}"  # Mailchimp
    r"|npm_[A-Za-z0-9]{36}"  # npm
    r"|pypi-AgE[A-Za-z0-9_-]{30,}"  # PyPI
    r"|[MNO][A-Za-z0-9_-]{23,25}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,38}"  # Discord bot token
    r"|[0-9]{8,10}:AA[0-9A-Za-z_-]{33}"  # Telegram bot token
    r"|sq0(?:atp|csp)-[0-9A-Za-z_-]{22,43}|EAAA[A-Za-z0-9_-]{60}"  # Square
    r"|AKC[A-Za-z0-9]{10,}"  # Artifactory
    r"|hf_[A-Za-z0-9]{30,}"  # Hugging Face
    r"|shp(?:at|ss|ca|pa)_[a-fA-F0-9]{32}"  # Shopify
    r"|dop_v1_[a-f0-9]{64}|do[or]_v1_[a-f0-9]{64}"  # DigitalOcean
    r"|sbp_[a-f0-9]{40}|sb_secret_[A-Za-z0-9_-]{20,}"  # Supabase
    r"|AGE-SECRET-KEY-1[0-9A-Z]{58}"  # age
    r"|xapp-[0-9]-[A-Z0-9]+-[0-9]+-[a-z0-9]+"  # Slack app-level token
    r"|hooks\.slack\.com/services/T[A-Z0-9]+/B[A-Z0-9]+/[A-Za-z0-9]+"  # Slack incoming webhook
    r"|discord(?:app)?\.com/api/webhooks/[0-9]+/[A-Za-z0-9_-]+"  # Discord webhook
    r"|eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*"  # JWT
    r")"
)
_LONG_RUN = re.compile(r"[A-Za-z0-9_-]{16}")  # every token above holds one

# A PEM private key: the armour and its base64 body, or the body alone when the armour was cut.
_PRIVATE_KEY = re.compile(
    r"-----BEGIN[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----[A-Za-z0-9+/=\s:,-]*?"
    r"(?:-----END[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|(?=[^A-Za-z0-9+/=\s:,-])|\Z)"
    r"|MII[A-Za-z0-9+/]{60,}={0,2}"
)

# user:password@ in a URL (postgres://, mysql://, redis://, https://, amqp://, ...): the password goes.
_URL_PASSWORD = re.compile(r"(?i)\b[a-z][a-z0-9+.-]{1,20}://[^\s:/?#@\[\]]+:([^\s@/?#]+)@")

# An AWS secret access key without its label: 40 base64 characters mixing cases and digits, alone.
_AWS_SECRET = re.compile(
    r"(?<![A-Za-z0-9/+=])(?=[A-Za-z0-9/+]*[a-z])(?=[A-Za-z0-9/+]*[A-Z])(?=[A-Za-z0-9/+]*[0-9])"
    r"[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])"
)
_AWS_CANDIDATE = re.compile(r"[A-Za-z0-9/+]{40}")

# Values after a word that names a credential. Matched on the lowercased text (same length),
# so the patterns start with plain literals and the regex engine can skip ahead to them.
# Bearer values need a digit or some length ("the bearer of bad news" is prose); key, token and
# secret values need a digit ("token: expired" is a message); passwords may be plain words.
_CREDENTIAL_VALUE = re.compile(
    r"""(?x)
      bearer\s+
        ((?=[a-z0-9._~+/=-]*[0-9])[a-z0-9._~+/=-]{8,}|[a-z0-9._~+/=-]{20,})
    | authorization["']?\s*[:=]\s*["']?(?>(?:(?:basic|bearer|token)\s+)?)
        (?!\[secret\])([^\s"',;&]{6,})
    | (?:key|token|secret|accountkey|signature|credential)s?["']?\s*[:=]\s*["']?
        (?!\[secret\])((?=[^\s"',;&]*[0-9])[^\s"',;&]{8,})
    | (?:password|passwd|passphrase|pwd)["']?\s*[:=]\s*["']?
        (?!\[secret\])([^\s"',;&]+)
    | (?:password|passphrase|pin|passcode)\ is\s+
        ((?=\S*[0-9!@#$%^&*])[^\s"',;&]{4,})
    """
)
_CREDENTIAL_WORDS = re.compile("key|token|secret|pass|pwd|bearer|authorization|signature|credential|pin")


def redact_secrets(text: str) -> str:
    """``text`` with every secret it holds replaced by ``[secret]``."""
    if "-----BEGIN" in text or "MII" in text:
        text = _PRIVATE_KEY.sub(SECRET, text)
    if _LONG_RUN.search(text):
        text = _TOKEN.sub(SECRET, text)
    if "://" in text and "@" in text:
        text = _URL_PASSWORD.sub(_mask_group, text)
    if len(text) >= 40 and _AWS_CANDIDATE.search(text):
        text = _AWS_SECRET.sub(SECRET, text)
    return _redact_credential_values(text)


def _mask_group(match: re.Match[str]) -> str:
    start, end = match.span(1)
    whole = match.group()
    offset = match.start()
    return whole[: start - offset] + SECRET + whole[end - offset :]


def _redact_credential_values(text: str) -> str:
    lowered = text.lower()
    if _CREDENTIAL_WORDS.search(lowered) is None:
        return text
    if len(lowered) != len(text):  # only U+0130 lowercases to two characters
        lowered = text.replace("\u0130", "I").lower()
    spans = (match.span(match.lastindex or 0) for match in _CREDENTIAL_VALUE.finditer(lowered))
    return replace_spans(text, spans, SECRET)
