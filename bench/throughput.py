"""Update throughput and added latency: the real bot against a bare echo bot, same harness."""

from __future__ import annotations

import asyncio
import itertools
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, ContextTypes, MessageHandler, filters

from bench.common import TimedFakeAPI, Tracker, TrackingProcessor, percentile
from bot.app import build_application, prepare
from bot.clock import ManualClock
from bot.config import Settings
from bot.testing.harness import TEST_TOKEN

CONCURRENCY = 256
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
INTAKE_TAPS = (
    "in:ended_by:them",
    "in:together:one_to_three",
    "in:intense:no",
    "in:coparenting:no",
    "in:committed:no",
    "in:safety:none",
    "in:hope:partners",
)


@dataclass
class Result:
    """One run's figures."""

    updates: int
    seconds: float
    p50_ms: float
    p99_ms: float
    order_ok: bool

    @property
    def per_second(self) -> float:
        """Updates processed per second."""
        return self.updates / self.seconds


def _message(user_id: int, update_id: int, text: str) -> dict[str, Any]:
    content: dict[str, Any] = {"text": text}
    if text.startswith("/"):
        content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text)}]
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 0,
            "chat": {"id": user_id, "type": "private"},
            "from": {"id": user_id, "is_bot": False, "first_name": "B"},
            **content,
        },
    }


def _tap(user_id: int, update_id: int, data: str) -> dict[str, Any]:
    sender = {"id": user_id, "is_bot": False, "first_name": "B"}
    return {
        "update_id": update_id,
        "callback_query": {
            "id": str(update_id),
            "from": sender,
            "chat_instance": "b",
            "data": data,
            "message": {
                "message_id": 1,
                "date": 0,
                "chat": {"id": user_id, "type": "private"},
                "from": {"id": 1, "is_bot": True, "first_name": "bot"},
                "text": "x",
            },
        },
    }


def script(api: TimedFakeAPI, user_id: int) -> list[tuple[str, Any]]:
    """A realistic session: intake, a reflection with mood, progress, draft, checklist, help."""
    steps: list[tuple[str, Any]] = [("text", "/start"), ("text", "Sam"), ("text", "2025-12-01")]
    steps += [("tap", data) for data in INTAKE_TAPS]
    steps += [
        ("text", "Berlin"),
        ("text", "20:00"),
        ("text", "/today"),
        ("text", "I walked by the river and felt calmer."),
    ]

    def mood() -> str:
        buttons = api.sent_to(user_id)[-1].buttons if api.sent_to(user_id) else []
        return next((data for _, data in buttons if data.startswith("md:")), "md:0:4")

    steps += [
        ("tap", mood),
        ("text", "/progress"),
        ("text", "/draft"),
        ("text", "/checklist"),
        ("tap", "ck:space:y"),
        ("text", "/help"),
    ]
    return steps


async def _drive(
    app: Application[Any, Any, Any, Any, Any, Any],
    api: TimedFakeAPI,
    tracker: Tracker,
    users: int,
    first_id: int,
) -> int:
    ids = itertools.count(1)
    sent = 0

    async def one_user(user_id: int) -> None:
        nonlocal sent
        for kind, value in script(api, user_id):
            data = value() if callable(value) else value
            update_id = next(ids)  # unique across users: the tracker keys on it
            payload = (
                _message(user_id, update_id, data)
                if kind == "text"
                else _tap(user_id, update_id, data)
            )
            done = tracker.expect(update_id)
            await app.update_queue.put(Update.de_json(payload, app.bot))
            await done
            sent += 1

    await asyncio.gather(*(one_user(first_id + i) for i in range(users)))
    return sent


def echo_application(
    api: TimedFakeAPI, tracker: Tracker
) -> Application[Any, Any, Any, Any, Any, Any]:
    """A bare python-telegram-bot bot that echoes text and answers taps: the baseline."""

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_chat is not None
        await context.bot.send_message(
            update.effective_chat.id, update.effective_message.text or ""
        )  # type: ignore[union-attr]

    async def tap(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.callback_query is not None and update.effective_chat is not None
        await update.callback_query.answer()
        await context.bot.send_message(update.effective_chat.id, update.callback_query.data or "")

    app = (
        Application.builder()
        .token(TEST_TOKEN)
        .request(api)
        .get_updates_request(api)
        .concurrent_updates(TrackingProcessor(CONCURRENCY, tracker))
        .build()
    )
    app.add_handler(MessageHandler(filters.TEXT, echo))
    app.add_handler(CallbackQueryHandler(tap))
    return app


async def run(
    kind: str, db_url: str | None, users: int, latency: float, workdir: Path, first_id: int = 1
) -> Result:
    """Drive `users` concurrent simulated users through the bot (or the echo bot)."""
    api = TimedFakeAPI(latency=latency)
    tracker = Tracker()
    if kind == "echo":
        app = echo_application(api, tracker)
        await app.initialize()
    else:
        assert db_url is not None
        # Processing capacity is measured here, so Telegram's send budget is set out of the way
        # (the fan-out scenario measures pacing against it).
        settings = Settings(_env_file=None, database_url=db_url, rate_limit_per_second=1e6)  # type: ignore[call-arg]
        app = build_application(
            settings,
            request=api,
            clock=ManualClock(NOW),
            token=TEST_TOKEN,
            update_processor=TrackingProcessor(CONCURRENCY, tracker),
        )
        await app.initialize()
        await prepare(app)
        if app.job_queue is not None:
            app.job_queue.scheduler.remove_all_jobs()  # measure updates only
    await app.start()
    started = time.perf_counter()
    count = await _drive(app, api, tracker, users, first_id)
    seconds = time.perf_counter() - started
    await app.stop()
    await app.shutdown()
    if kind != "echo" and app.post_shutdown:
        await app.post_shutdown(app)
    order_ok = all(ids == sorted(ids) for ids in tracker.order.values())
    latencies = tracker.added_latency
    return Result(
        count, seconds, percentile(latencies, 50) * 1000, percentile(latencies, 99) * 1000, order_ok
    )
