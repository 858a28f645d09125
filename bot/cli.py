"""`coachbot`: run the bot, chat with it in a terminal, inspect check-ins, migrate, make a key."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from cryptography.fernet import Fernet

from bot import __version__
from bot.config import Settings, SettingsError, load_settings
from bot.logs import setup_logging

log = logging.getLogger("bot")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="coachbot",
        description="Second Chapter: a Telegram coach, growth first, reconnection second.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser(
        "run", help="run the bot for real (long polling, or webhook when WEBHOOK_URL is set)"
    )
    chat = sub.add_parser("chat", help="talk to the bot in this terminal, no token needed")
    chat.add_argument(
        "--db", default="sqlite:///secondchapter-chat.db", help="database URL for the chat"
    )
    chat.add_argument("--media-dir", default="chat-output", help="where images and files are saved")
    sub.add_parser("checkins", help="list due and failed check-ins, with counts")
    sub.add_parser("migrate", help="upgrade the database schema (the bot also does this at start)")
    sub.add_parser("keygen", help="print a new ENCRYPTION_KEY")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `coachbot` console script."""
    args = _parser().parse_args(argv)
    if args.command == "keygen":
        print(Fernet.generate_key().decode())
        return 0
    try:
        if args.command == "chat":
            settings = load_settings(database_url=args.db)
        else:
            settings = load_settings()
        setup_logging(
            "WARNING" if args.command == "chat" else settings.log_level, settings.log_format
        )
        if args.command == "run":
            return _run(settings)
        if args.command == "chat":
            from bot.chat import run_chat

            with contextlib.suppress(KeyboardInterrupt):
                asyncio.run(run_chat(settings, Path(args.media_dir)))
            return 0
        if args.command == "checkins":
            from bot.checkins.report import print_report

            return asyncio.run(print_report(settings))
        if args.command == "migrate":
            return asyncio.run(_migrate(settings))
    except SettingsError as exc:
        print(f"coachbot: {exc}", file=sys.stderr)
        return 2
    return 1


async def _migrate(settings: Settings) -> int:
    from bot.storage.db import Database
    from bot.storage.migrate import upgrade

    database = Database(settings.database_url)
    await upgrade(database)
    await database.dispose()
    print("schema is up to date")
    return 0


def _run(settings: Settings) -> int:
    from telegram import Update

    from bot.app import build_application

    settings.require_token()
    app = build_application(settings)
    if settings.webhook_url:
        from bot.webhook import run_webhook

        asyncio.run(run_webhook(app, settings))
        return 0
    log.info("starting long polling against %s", settings.bot_api_base_url)
    app.run_polling(allowed_updates=Update.ALL_TYPES, drop_pending_updates=False)
    return 0
