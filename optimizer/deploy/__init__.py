"""Deploy: the prompts and souls of a commit go to where the agent reads them (version = git SHA).

Targets: a local SQLite registry file (the embedded default) and Supabase. Both keep every
deployed version and mark the one the agent runs as active; a deploy is one transaction.
"""
