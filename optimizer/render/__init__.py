"""Pure Markdown for GitHub: the pull request description, the measurement, the revert, the weekly
report, `analyze`'s output. Everything from traces or the analyst is escaped here."""
