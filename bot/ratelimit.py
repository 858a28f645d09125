"""One sending budget for the whole bot: replies and check-ins draw from the same pacer.

Telegram's overall limit (about 30 messages per second) counts every message a bot sends.
Pacing check-ins alone would let busy conversations push the total over it, so replies pass
through the same pacer, and a 429 on a reply is waited out and retried. Replies go first:
a fan-out of thousands of check-ins queues one message at a time behind them, so a person
talking to the bot waits at most one slot, never for the whole broadcast.
"""

from __future__ import annotations

import asyncio
import logging
import warnings
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

from telegram._utils.types import JSONDict
from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)
SENDING_METHODS = frozenset({"sendMessage", "sendPhoto", "sendDocument", "editMessageText"})
# Pace slightly under the limit: an even 98 % never trips a fixed one-second window.
HEADROOM = 0.98


class SendBudget:
    """Spaces sends evenly at the configured rate; replies jump ahead of bulk sends."""

    def __init__(self, per_second: float) -> None:
        self.interval = 1 / max(0.1, per_second * HEADROOM)
        self._next = 0.0
        self._slot = asyncio.Lock()
        self._bulk = asyncio.Lock()

    async def _take(self) -> None:
        async with self._slot:
            now = asyncio.get_running_loop().time()
            wait = self._next - now
            if wait > 0:
                await asyncio.sleep(wait)
            self._next = max(now, self._next) + self.interval

    async def reply(self) -> None:
        """Wait for a slot for a message someone is waiting for."""
        await self._take()

    async def bulk(self) -> None:
        """Wait for a slot for a check-in; only one bulk sender queues at a time."""
        async with self._bulk:
            await self._take()


def retry_after_seconds(error: RetryAfter) -> float:
    """Seconds to wait from a RetryAfter, whatever type this PTB version uses."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PTB 22 warns that the type becomes timedelta
        raw = error.retry_after
    return raw.total_seconds() if isinstance(raw, timedelta) else float(raw)


class SharedRateLimiter(BaseRateLimiter[int]):
    """Paces sending calls through a shared limiter; retries replies after a 429."""

    def __init__(self, budget: SendBudget, max_retries: int = 5) -> None:
        self.budget = budget
        self.max_retries = max_retries

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | JSONDict | list[JSONDict]:
        """Wait for budget on sending calls, send, and wait out any 429."""
        for attempt in range(self.max_retries + 1):
            if endpoint in SENDING_METHODS:
                await self.budget.reply()
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as error:
                if attempt == self.max_retries:
                    raise
                wait = retry_after_seconds(error)
                log.warning("429 on %s; retrying in %.1f s", endpoint, wait)
                await asyncio.sleep(wait)
        raise AssertionError("unreachable")
