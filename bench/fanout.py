"""Check-in fan-out: N users due in the same minute, against a rate-limited fake Bot API."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from telegram import Update

from bench.common import rss_mb
from bot.app import build_application, dispatcher_of, prepare
from bot.checkins.planner import plan_all_daily
from bot.clock import OffsetClock
from bot.config import Settings
from bot.services import services_of
from bot.storage.db import Database
from bot.storage.migrate import upgrade
from bot.testing.fake_api import FakeBotAPI
from bot.testing.harness import TEST_TOKEN
from bot.testing.seed import seed_users

DUE = datetime(2026, 3, 2, 20, 0, tzinfo=UTC)
CHATTERS = 5
CHAT_INTERVAL = 0.5


async def prepare_database(db_url: str, users: int) -> None:
    """A database holding `users` users past intake, with nothing planned yet."""
    database = Database(db_url)
    await upgrade(database)
    await seed_users(database, users, DUE - timedelta(days=1), prompt_time="20:00")
    await database.dispose()


async def _stall_monitor(stop: asyncio.Event, stalls: list[float]) -> None:
    interval = 0.01
    while not stop.is_set():
        started = time.perf_counter()
        await asyncio.sleep(interval)
        stalls.append(time.perf_counter() - started - interval)


async def _chatter(app: Any, user_id: int, stop: asyncio.Event, handled: list[int]) -> None:
    """A user who keeps using the bot while the fan-out runs."""
    update_id = user_id * 10_000
    while not stop.is_set():
        update_id += 1
        payload = {
            "update_id": update_id,
            "message": {
                "message_id": update_id,
                "date": 0,
                "chat": {"id": user_id, "type": "private"},
                "from": {"id": user_id, "is_bot": False, "first_name": "C"},
                "text": "/help",
                "entities": [{"type": "bot_command", "offset": 0, "length": 5}],
            },
        }
        await app.update_queue.put(Update.de_json(payload, app.bot))
        handled[0] += 1
        await asyncio.sleep(CHAT_INTERVAL)


async def run(db_url: str, users: int, rate: float) -> dict[str, Any]:
    """Start the bot on a prepared database, plan the prompts, deliver them, and measure."""
    clock = OffsetClock()
    clock.set(DUE - timedelta(minutes=5))
    api = FakeBotAPI(rate_limit=rate)
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        database_url=db_url,
        rate_limit_per_second=rate,
    )
    started = time.perf_counter()
    app = build_application(settings, request=api, clock=clock, token=TEST_TOKEN)
    await app.initialize()
    await prepare(app)
    if app.job_queue is not None:
        app.job_queue.scheduler.remove_all_jobs()  # the benchmark drives the dispatcher itself
    await app.start()
    ready = time.perf_counter() - started
    memory_ready = rss_mb()

    svc = services_of(app.bot_data)
    started = time.perf_counter()
    await plan_all_daily(svc.db, clock.now())
    plan_seconds = time.perf_counter() - started

    clock.set(DUE + timedelta(seconds=1))
    dispatcher = dispatcher_of(app)
    stop = asyncio.Event()
    stalls: list[float] = []
    handled = [0]
    background = [asyncio.create_task(_stall_monitor(stop, stalls))]
    background += [
        asyncio.create_task(_chatter(app, 900_000_000 + i, stop, handled)) for i in range(CHATTERS)
    ]
    first_id, last_id = 1_000_000, 1_000_000 + users
    delivered: set[int] = set()
    api.on_call = lambda call: (
        delivered.add(call.chat_id)
        if call.method == "sendMessage" and call.chat_id and first_id <= call.chat_id < last_id
        else None
    )
    started = time.perf_counter()
    deadline = started + max(60.0, users / rate * 3)
    while time.perf_counter() < deadline:
        await dispatcher.run_once()
        if len(delivered) >= users:
            break
        if dispatcher.backoff_until is not None:
            await asyncio.sleep(max(0.0, (dispatcher.backoff_until - clock.now()).total_seconds()))
        else:
            await asyncio.sleep(0.05)
    sends = [
        c
        for c in api.calls
        if c.method == "sendMessage" and c.chat_id and first_id <= c.chat_id < last_id
    ]
    seconds = (sends[-1].at - sends[0].at) if len(sends) > 1 else 0.0
    window = [
        c
        for c in api.calls
        if c.method == "sendMessage" and sends and sends[0].at <= c.at <= sends[-1].at
    ]
    stop.set()
    await asyncio.gather(*background, return_exceptions=True)
    memory_after = rss_mb()
    counts = Counter(c.chat_id for c in sends)
    await app.stop()
    await app.shutdown()
    if app.post_shutdown:
        await app.post_shutdown(app)
    achieved = (len(sends) - 1) / seconds if seconds else 0.0
    total = (len(window) - 1) / seconds if seconds else 0.0
    return {
        "users": users,
        "rate_limit": rate,
        "ready_seconds": ready,
        "rss_mb_ready": memory_ready,
        "rss_mb_after_fanout": memory_after,
        "plan_seconds": plan_seconds,
        "delivery_seconds": seconds,
        "checkins_per_second": achieved,
        "messages_per_second": total,
        "fraction_of_limit": total / rate if rate else 0.0,
        "retry_after_received": api.retry_after_count,
        "retry_after_per_10k": api.retry_after_count / max(1, len(sends)) * 10_000,
        "lost": users - len(counts),
        "duplicated": sum(n - 1 for n in counts.values()),
        "max_loop_stall_ms": max(stalls) * 1000 if stalls else 0.0,
        "chat_updates_during_fanout": handled[0],
    }


def sqlite_url(workdir: Path, name: str) -> str:
    """A fresh SQLite file URL in the work directory."""
    path = workdir / name
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"
