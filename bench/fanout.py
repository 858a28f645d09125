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
from bot.testing.fake_api import Call, FakeBotAPI
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
    api = FakeBotAPI(rate_limit=rate, record=False)
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
    counts: Counter[int] = Counter()
    times: list[float] = []  # first and last check-in send
    other = [0]

    def on_call(call: Call) -> None:
        if call.method != "sendMessage" or not call.chat_id:
            return
        if first_id <= call.chat_id < last_id:
            counts[call.chat_id] += 1
            times[1:] = [call.at] if times else []
            if not times:
                times.append(call.at)
        elif times:
            other[0] += 1

    api.on_call = on_call
    started = time.perf_counter()
    deadline = started + max(60.0, users / rate * 3)
    while time.perf_counter() < deadline:
        await dispatcher.run_once()
        if len(counts) >= users:
            break
        if dispatcher.backoff_until is not None:
            await asyncio.sleep(max(0.0, (dispatcher.backoff_until - clock.now()).total_seconds()))
        else:
            await asyncio.sleep(0.05)
    sent = sum(counts.values())
    seconds = times[-1] - times[0] if len(times) == 2 else 0.0
    stop.set()
    await asyncio.gather(*background, return_exceptions=True)
    memory_after = rss_mb()
    await app.stop()
    await app.shutdown()
    if app.post_shutdown:
        await app.post_shutdown(app)
    achieved = (sent - 1) / seconds if seconds else 0.0
    total = (sent - 1 + other[0]) / seconds if seconds else 0.0
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
        "retry_after_per_10k": api.retry_after_count / max(1, sent) * 10_000,
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


def main() -> None:
    """`python -m bench.fanout DB_URL USERS RATE`: one scenario in a fresh process, JSON out."""
    import json
    import sys

    db_url, users, rate = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    asyncio.run(prepare_database(db_url, users))
    print(json.dumps(asyncio.run(run(db_url, users, rate))))


if __name__ == "__main__":
    main()
