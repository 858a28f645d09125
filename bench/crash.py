"""Crash during fan-out: SIGKILL the bot mid-delivery, restart, repeat; count lost and doubled.

The worker is a separate process running the real application against a fake Bot API that
appends every accepted message to a file before answering, so what Telegram "received"
survives the kill.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select

from bench.fanout import DUE, prepare_database
from bot.checkins.planner import SENDING, plan_all_daily
from bot.storage.db import Database
from bot.storage.models import CheckIn
from bot.testing.fake_api import Call, FakeBotAPI

LEASE_SECONDS = 3.0
BATCH = 100


def _recorder(path: Path) -> FakeBotAPI:
    api = FakeBotAPI()
    handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND)

    def record(call: Call) -> None:
        if call.method == "sendMessage" and call.chat_id:
            os.write(handle, f"{call.chat_id}\n".encode())

    api.on_call = record
    return api


async def worker(db_url: str, log_path: Path, rate: float, epoch: float) -> None:
    """Deliver everything due, as the production dispatcher does."""
    from bot.app import build_application, dispatcher_of, prepare
    from bot.clock import OffsetClock
    from bot.config import Settings
    from bot.testing.harness import TEST_TOKEN

    clock = OffsetClock()
    # Simulated time runs on from the first worker's start, across restarts, as real time does.
    clock.set(DUE + timedelta(seconds=1 + time.time() - epoch))
    settings = Settings(_env_file=None, database_url=db_url, rate_limit_per_second=rate)  # type: ignore[call-arg]
    app = build_application(settings, request=_recorder(log_path), clock=clock, token=TEST_TOKEN)
    await app.initialize()
    await prepare(app)
    dispatcher = dispatcher_of(app)
    dispatcher.lease = timedelta(seconds=LEASE_SECONDS)
    dispatcher.batch = BATCH
    idle = 0
    while idle < 3:
        report = await dispatcher.run_once()
        idle = idle + 1 if report.claimed == 0 else 0
        await asyncio.sleep(0.2)
    await app.shutdown()


async def _in_flight(db_url: str) -> int:
    database = Database(db_url)
    async with database.session() as session:
        count = (
            await session.exec(select(func.count()).where(col(CheckIn.state) == SENDING))
        ).one()
    await database.dispose()
    return int(count)


async def _plan(db_url: str) -> None:
    database = Database(db_url)
    await plan_all_daily(database, DUE - timedelta(minutes=1))
    await database.dispose()


def run(db_url: str, users: int, kills: int, rate: float, workdir: Path) -> dict[str, Any]:
    """Kill the worker `kills` times at random points, then let it finish."""
    log_path = workdir / "received.log"
    log_path.unlink(missing_ok=True)
    asyncio.run(prepare_database(db_url, users))
    asyncio.run(_plan(db_url))
    epoch = time.time()
    command = [
        sys.executable,
        "-m",
        "bench.crash",
        "worker",
        db_url,
        str(log_path),
        str(rate),
        str(epoch),
    ]
    rng = random.Random(7)
    per_kill = []
    for _ in range(kills):
        process = subprocess.Popen(command, cwd=Path(__file__).resolve().parent.parent)
        time.sleep(rng.uniform(1.5, 3.0))
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        received = Counter(log_path.read_text().split()) if log_path.exists() else Counter()
        per_kill.append(
            {
                "in_flight_at_kill": asyncio.run(_in_flight(db_url)),
                "received_so_far": sum(received.values()),
            }
        )
        time.sleep(LEASE_SECONDS + 0.5)
    finished = subprocess.run(command, cwd=Path(__file__).resolve().parent.parent, timeout=600)
    received = Counter(log_path.read_text().split())
    duplicates = sum(n - 1 for n in received.values())
    return {
        "users": users,
        "kills": kills,
        "finished_cleanly": finished.returncode == 0,
        "lost": users - len(received),
        "duplicated": duplicates,
        "in_flight_total": sum(k["in_flight_at_kill"] for k in per_kill),
        "per_kill": per_kill,
    }


def main() -> None:
    """`python -m bench.crash worker DB LOG RATE EPOCH` runs one worker process."""
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["worker"])
    parser.add_argument("db")
    parser.add_argument("log")
    parser.add_argument("rate", type=float)
    parser.add_argument("epoch", type=float)
    args = parser.parse_args()
    asyncio.run(worker(args.db, Path(args.log), args.rate, args.epoch))


if __name__ == "__main__":
    main()
