"""The code hosts the optimizer publishes to, behind one protocol (``base.CodeHost``); GitHub over PyGithub."""
