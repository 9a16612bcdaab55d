"""DOCTOR: the set-up checked before the first failing run (``optimizer doctor``): the workflows, the
deploy target, the trace source, the GitHub token and Supabase, each as one line saying what to do.
"""
