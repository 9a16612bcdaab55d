"""Souls and prompts: load, validate, edit preserving formatting, and guard what may change."""

from __future__ import annotations

from optimizer.artifacts.constants import SOUL_LIST_FIELDS, UNWRITTEN_ANSWER_MARKER

__all__ = ["SOUL_LIST_FIELDS", "UNWRITTEN_ANSWER_MARKER"]
