"""APPROVE: what reviewers ask in pull request comments (``/optimizer drop N | refresh | help``)."""
