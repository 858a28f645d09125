"""Second Chapter: a Telegram coach for growth first, reconnection second."""

__version__ = "0.1.0"
