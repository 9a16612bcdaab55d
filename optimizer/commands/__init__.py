"""One module per CLI verb: a plain function the CLI calls, arguments in, text out through ``echo``."""
