"""The edge to git and the code host: every git read and write (``repo``, ``push``), the code hosts
(``hosts/``), and the optimizer's own branch and commit conventions."""
