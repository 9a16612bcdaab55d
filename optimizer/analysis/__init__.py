"""OBSERVE and FIND: pure. One streaming pass over the traces, the metrics by version, and the
detectors (one module per finding kind, registered by kind)."""
