"""ANALYZE: analysts turn findings into proposals (edits) and action items (work for humans): the
deterministic heuristic offline, Claude when a key is set (its client passed in)."""
