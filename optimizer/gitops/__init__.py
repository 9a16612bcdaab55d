"""Git access (repo.py) and the pull request description (pr_body.py)."""
