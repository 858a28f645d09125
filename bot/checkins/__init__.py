"""Timed check-ins: planning rows in the database, and the dispatcher that delivers them."""
