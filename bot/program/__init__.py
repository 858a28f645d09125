"""The coaching program: phases, tracks, gates and reviewers, with no Telegram or database."""
