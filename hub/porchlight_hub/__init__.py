"""Porchlight's reference neighbourhood hub."""

__version__ = "0.1.0"
