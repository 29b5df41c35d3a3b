"""PMPM Desktop: capitation (PMPM) reconciliation for a medical practice's billing office."""

__version__ = "0.1.0"
