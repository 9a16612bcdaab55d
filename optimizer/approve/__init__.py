"""APPROVE: what reviewers ask in pull request comments (``/optimizer drop N | answer N <text> | refresh | help``)."""
