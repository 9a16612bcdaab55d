"""Whether a prompt body still holds a placeholder the agent's code fills in."""

from __future__ import annotations

import re


def has_placeholder(body: str, placeholder: str) -> bool:
    """True if ``body`` holds ``placeholder``.

    A bare name (``business_name``) matches ``{business_name}``, ``{{business_name}}`` and
    ``{{ business_name }}``; an entry that already has braces is matched literally.
    """
    if "{" in placeholder:
        return placeholder in body
    return re.search(r"\{\{?\s*" + re.escape(placeholder) + r"\s*\}", body) is not None
