"""The demo application."""
