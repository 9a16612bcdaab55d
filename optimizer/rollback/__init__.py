"""ROLLBACK: manual (``optimizer rollback``) and automatic (the revert of a version that hurt), both
as commits built through ``gitops`` and shipped by a merge."""
