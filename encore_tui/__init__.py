"""encore-tui: the counting-hall application for Indian elections."""

__version__ = "0.1.0"
