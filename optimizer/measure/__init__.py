"""MEASURE: pure. One prompt version against another, what each merged proposal did, and when a
version is worse enough to propose its revert."""
