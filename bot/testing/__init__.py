"""An in-process fake Telegram Bot API, shared by the tests, `coachbot chat` and the benchmark."""
