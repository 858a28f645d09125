"""Shared measuring tools: a tracking update processor, API-time accounting, statistics."""

from __future__ import annotations

import asyncio
import contextvars
import statistics
import time
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import Any

from telegram import Update
from telegram._utils.defaultvalue import DEFAULT_NONE
from telegram._utils.types import ODVInput
from telegram.request import RequestData

from bot.concurrency import PerUserUpdateProcessor
from bot.testing.fake_api import FakeBotAPI

API_TIME: contextvars.ContextVar[list[float] | None] = contextvars.ContextVar(
    "api_time", default=None
)


class TimedFakeAPI(FakeBotAPI):
    """Adds the time spent waiting on the fake API to the current update's account."""

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = DEFAULT_NONE,
        write_timeout: ODVInput[float] = DEFAULT_NONE,
        connect_timeout: ODVInput[float] = DEFAULT_NONE,
        pool_timeout: ODVInput[float] = DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        started = time.perf_counter()
        try:
            return await super().do_request(url, method, request_data)
        finally:
            account = API_TIME.get()
            if account is not None:
                account[0] += time.perf_counter() - started


@dataclass
class Tracker:
    """When each update was queued and finished, and its API time, per user in order."""

    queued: dict[int, float] = field(default_factory=dict)
    added_latency: list[float] = field(default_factory=list)
    order: dict[int, list[int]] = field(default_factory=dict)
    waiters: dict[int, asyncio.Future[None]] = field(default_factory=dict)

    def expect(self, update_id: int) -> asyncio.Future[None]:
        """Record the queueing time and return a future for completion."""
        self.queued[update_id] = time.perf_counter()
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.waiters[update_id] = future
        return future


class TrackingProcessor(PerUserUpdateProcessor):
    """The production per-user processor, plus timing of each update."""

    def __init__(self, max_concurrent_updates: int, tracker: Tracker) -> None:
        super().__init__(max_concurrent_updates)
        self.tracker = tracker

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        account = [0.0]
        API_TIME.set(account)
        try:
            await super().do_process_update(update, coroutine)
        finally:
            if isinstance(update, Update):
                done = time.perf_counter()
                queued = self.tracker.queued.pop(update.update_id, done)
                self.tracker.added_latency.append(max(0.0, done - queued - account[0]))
                user = update.effective_user.id if update.effective_user else 0
                self.tracker.order.setdefault(user, []).append(update.update_id)
                waiter = self.tracker.waiters.pop(update.update_id, None)
                if waiter is not None and not waiter.done():
                    waiter.set_result(None)


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0–100) by nearest rank."""
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def summary(values: list[float]) -> dict[str, float]:
    """Median and spread of repeated measurements."""
    return {
        "median": statistics.median(values),
        "min": min(values),
        "max": max(values),
        "repeats": len(values),
    }


def rss_mb() -> float:
    """Resident memory of this process now, in MB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0
