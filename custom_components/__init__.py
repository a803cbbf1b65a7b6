"""Custom integrations shipped in this repository."""
