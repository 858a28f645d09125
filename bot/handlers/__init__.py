"""Telegram handlers, one module per feature; app.py wires them together."""
