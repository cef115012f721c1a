"""Reusable widgets of the terminal app (each with its DEFAULT_CSS)."""
