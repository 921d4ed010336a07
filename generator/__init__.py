"""monspec: one monitoring spec compiled into the configuration of the whole stack."""

__version__ = "0.1.0"
