"""PROPOSE: the daily run. The window's analysis, the plan (the analyst proposes, the guardrails
dispose), the branch, the pull request published, the run records and the webhook's notices."""
