"""The demo library."""
