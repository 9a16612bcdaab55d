"""Analysts turn findings into proposals (edits) and action items (work for humans)."""
