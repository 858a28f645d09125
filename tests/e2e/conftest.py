"""A running bot per test: the production factory, the fake Bot API and a manual clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from bot.clock import ManualClock
from bot.config import Settings
from bot.testing.harness import Harness, SimUser

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday, 10:00 in Berlin


def make_settings(db_url: str, **extra: object) -> Settings:
    """Test settings: a high send budget, since tests measure behaviour, not Telegram's pacing."""
    options: dict[str, object] = {"rate_limit_per_second": 100_000, **extra}
    return Settings(_env_file=None, database_url=db_url, default_timezone="UTC", **options)  # type: ignore[call-arg]


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
async def bot(db_url: str, clock: ManualClock) -> AsyncIterator[Harness]:
    harness = await Harness(make_settings(db_url), clock).start()
    yield harness
    await harness.stop()


async def do_intake(
    user: SimUser,
    *,
    name: str = "Sam",
    breakup: str = "2025-12-01",
    ended: str = "They did",
    together: str = "1–3 years",
    intense: str = "No",
    coparent: str = "No",
    committed: str = "No",
    safety: str = "None of these",
    hope: str = "Getting back together",
    timezone: str = "Berlin",
    prompt_time: str = "20:00",
) -> None:
    """Answer every intake question."""
    await user.send("/start")
    await user.send(name)
    await user.send(breakup)
    await user.tap(ended)
    await user.tap(together)
    await user.tap(intense)
    await user.tap(coparent)
    await user.tap(committed)
    await user.tap(safety)
    await user.tap(hope)
    await user.send(timezone)
    await user.send(prompt_time)
