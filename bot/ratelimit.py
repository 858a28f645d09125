"""One sending budget for the whole bot: replies and check-ins draw from the same limiter.

Telegram's overall limit (about 30 messages per second) counts every message a bot sends.
Pacing check-ins alone would let busy conversations push the total over it, so replies pass
through the same smooth limiter, and a 429 on a reply is waited out and retried.
"""

from __future__ import annotations

import asyncio
import logging
import warnings
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

from aiolimiter import AsyncLimiter
from telegram._utils.types import JSONDict
from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)
SENDING_METHODS = frozenset({"sendMessage", "sendPhoto", "sendDocument", "editMessageText"})
# Pace slightly under the limit: a smooth 98 % never trips a fixed one-second window.
HEADROOM = 0.98


def smooth_limiter(per_second: float) -> AsyncLimiter:
    """A limiter that releases one message every 1/rate seconds, with no initial burst."""
    rate = max(0.1, per_second * HEADROOM)
    return AsyncLimiter(1, 1 / rate)


def retry_after_seconds(error: RetryAfter) -> float:
    """Seconds to wait from a RetryAfter, whatever type this PTB version uses."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PTB 22 warns that the type becomes timedelta
        raw = error.retry_after
    return raw.total_seconds() if isinstance(raw, timedelta) else float(raw)


class SharedRateLimiter(BaseRateLimiter[int]):
    """Paces sending calls through a shared limiter; retries replies after a 429."""

    def __init__(self, limiter: AsyncLimiter, max_retries: int = 5) -> None:
        self.limiter = limiter
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
                async with self.limiter:
                    pass
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as error:
                if attempt == self.max_retries:
                    raise
                wait = retry_after_seconds(error)
                log.warning("429 on %s; retrying in %.1f s", endpoint, wait)
                await asyncio.sleep(wait)
        raise AssertionError("unreachable")
